// The administrator's day in a real browser (Debian's Chromium through playwright-core) against both
// emulators, at 1280 and 390 px: sign in, a run with failed items (amber), the verdict, a trace found
// by case id, retry from the run page, dead letters counted once, an alert received by a real SMTP
// server and a webhook receiver. Screenshots go to test-output/ (gitignored) to be looked at.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startOscarEmulator } from '../../demo/oscar/index.ts';
import { startPrimeroEmulator } from '../../demo/primero/index.ts';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { createAlerter } from '../../src/runner/alerts/alerter.ts';
import { channelsOf } from '../../src/runner/alerts/channels.ts';
import { readConfig } from '../../src/config/env.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { SystemsConfig } from '../../src/workflow/contract.ts';
import { ADMIN_PASSWORD, startTestConsole, waitFor } from './console-harness.ts';
import type { TestConsole } from './console-harness.ts';
import { browserSuite, giveFirstStart, launchChromium } from './chromium.ts';

const SUITE = browserSuite(
  "the administrator's walk in a browser",
  "the administrator's walk in a browser, at 1280 and 390 px",
);
const SHOTS = 'test-output';
/** Invented: if it reaches a page or an alert, the test finds it. */
const CHILD = { given: 'Ottoline', family: 'Brackwater', birth: '2011-02-28' };

type Json = Record<string, unknown>;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Json;

/** The demo seeds plus an OSCaR client without a global_id: an item that fails every run. */
function seeds(): { primero: Json; oscar: Json } {
  const oscar = readJson('demo/oscar/seed.json');
  const org = (oscar.organizations as Json[]).find((entry) => entry.short_name === 'cif')!;
  const clients = org.clients as Json[];
  clients.push({
    ...(clients[0] as Json),
    id: 902,
    slug: 'cif-902',
    global_id: undefined,
    external_id: undefined,
    external_id_display: undefined,
    mosvy_number: undefined,
    given_name: CHILD.given,
    family_name: CHILD.family,
    date_of_birth: CHILD.birth,
    status: 'Active',
    referred_external: false,
    updated_at: '2024-03-05T09:00:00Z',
  });
  return { primero: readJson('demo/primero/seed.json'), oscar };
}

describe.skipIf(SUITE.skip)(SUITE.title, () => {
  let primero: RunningEmulator;
  let oscar: RunningEmulator;
  let consoleServer: TestConsole;
  let browser: Browser;
  let page: Page;
  const mails: string[] = [];
  const posts: Json[] = [];
  const closers: Array<() => Promise<void>> = [];
  let firstRunPath = '';

  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/walk-${name}.png`, fullPage: true });
  };
  /** Nothing wider than the screen: tables stack or scroll inside their own box. */
  const fitsTheScreen = () =>
    page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>;

  beforeAll(async () => {
    const smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      onData(stream, _session, callback) {
        let body = '';
        stream.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push(body.replace(/=\r?\n/g, ''));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
    const hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        posts.push(JSON.parse(body) as Json);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => hook.close(() => resolve())));

    const seed = seeds();
    primero = await startPrimeroEmulator({ seed: seed.primero, latencyMs: 20 });
    oscar = await startOscarEmulator({ seed: seed.oscar, latencyMs: 20 });
    const systems: SystemsConfig = {
      primero: {
        url: primero.url,
        username: 'primero_cp',
        password: 'primero-demo-password',
        basicAuth: true,
      },
      oscar: { url: oscar.url, email: 'primero@oscar.test', password: 'demo-only-password' },
    };
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const hookPort = (hook.address() as AddressInfo).port;
    // The console's own address is known only once it listens; alerts link to this one.
    const config = readConfig({
      INTEROP_ALERT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      INTEROP_ALERT_EMAIL_TO: 'admin@mosvy.test',
      INTEROP_ALERT_EMAIL_FROM: 'interop@mosvy.test',
      INTEROP_ALERT_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/hook`,
      INTEROP_CONSOLE_URL: 'http://127.0.0.1/',
    });
    consoleServer = await startTestConsole({
      runWorkflow,
      systems,
      // One attempt: the broken client is a dead letter after the first run.
      settings: { maxAttempts: 1 },
      alerts: (store) =>
        createAlerter({
          store,
          channels: channelsOf(config.alerts),
          consoleUrl: 'http://127.0.0.1/',
        }),
    });
    giveFirstStart(consoleServer.store);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
    await primero?.close();
    await oscar?.close();
    for (const close of closers) await close();
  });

  it('signs in and runs: the run with failed items is amber, and the verdict says attention', async () => {
    await page.goto(consoleServer.url);
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/notice=signed-in/);
    await page.click('#run-now');
    await page.waitForURL(/\/live\//);
    await page.waitForSelector('#summary', { timeout: 120_000 });
    await page.click('#open-run');
    await page.waitForURL(/\/runs\//);
    firstRunPath = new URL(page.url()).pathname;
    await expect(page.locator('h1 .badge').first().getAttribute('class')).resolves.toContain(
      'succeeded-with-failures',
    );
    await expect(page.locator('table.failed-items tbody tr').count()).resolves.toBeGreaterThan(0);
    await shot('1280-run');
    await page.goto(consoleServer.url);
    await expect(page.locator('#verdict').innerText()).resolves.toMatch(/attention/i);
    await expect(page.locator('#last-30-days svg.chart').count()).resolves.toBe(3);
    await shot('1280-overview');
  });

  it('an alert reaches the SMTP server and the webhook, with ids and reasons only', async () => {
    await waitFor(() => (mails.length > 0 && posts.length > 0 ? true : undefined), 120_000);
    const text = [...mails, ...posts.map((post) => JSON.stringify(post))].join('\n');
    expect(text).toMatch(/dead letter/i);
    for (const value of Object.values(CHILD)) expect(text).not.toContain(value);
  });

  it('a second run meets the same broken item: the dead letter is counted once', async () => {
    await page.click('#run-now');
    await page.waitForSelector('#summary', { timeout: 120_000 });
    const open = consoleServer.store.listDeadLetters();
    expect(new Set(open.map((item) => item.key)).size).toBe(open.length);
    await page.goto(`${consoleServer.url}/dead-letters`);
    await expect(page.locator('table.dead-letters tbody tr').count()).resolves.toBe(open.length);
    await page.goto(consoleServer.url);
    await expect(page.locator('#position').innerText()).resolves.toContain(`${open.length} open`);
  });

  it('finds a child by case id in the trace', async () => {
    const run = consoleServer.store.getRun(firstRunPath.split('/').pop()!)!;
    const caseId = [...(run.summary?.succeeded ?? []), ...(run.summary?.failed ?? [])]
      .map((item) => item.ids?.case_id)
      .find((id): id is string => typeof id === 'string');
    expect(caseId).toBeDefined();
    await page.goto(`${consoleServer.url}/trace`);
    await page.fill('#trace-q', caseId!);
    await page.click('#trace-submit');
    await page.waitForSelector('#trace-results');
    await expect(page.locator('#trace-results tbody tr').count()).resolves.toBeGreaterThan(0);
    await shot('1280-trace');
  });

  it("retries the first run's failed items from its page", async () => {
    await page.goto(`${consoleServer.url}${firstRunPath}`);
    const retry = page.locator('#retry-run');
    await expect(retry.isVisible()).resolves.toBe(true);
    await retry.click();
    await page.waitForURL(/\/live\//);
    await page.waitForSelector('#summary', { timeout: 120_000 });
    // The retry says what became of each item it retried, and the run with failed items is amber.
    await expect(page.locator('#retried li').count()).resolves.toBeGreaterThan(0);
    await expect(
      page.locator('#live-status .badge').first().getAttribute('class'),
    ).resolves.toContain('succeeded-with-failures');
    const latest = consoleServer.store.listRuns({ limit: 1 })[0]!;
    expect(latest).toMatchObject({ trigger: 'retry', retryOf: firstRunPath.split('/').pop() });
    await shot('1280-retry-result');
  });

  it('at 390 px: nothing cut, step names and failed items readable, Retry reachable', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/', firstRunPath, '/dead-letters', '/runs', '/trace']) {
      await page.goto(`${consoleServer.url}${path}`);
      expect(await fitsTheScreen(), path).toBeLessThanOrEqual(0);
    }
    await page.goto(`${consoleServer.url}${firstRunPath}`);
    await shot('390-run');
    const reason = page.locator('table.failed-items td.reason').first();
    const box = await reason.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await page.goto(`${consoleServer.url}/dead-letters`);
    const button = page.locator('table.dead-letters button').first();
    await button.scrollIntoViewIfNeeded();
    const place = await button.boundingBox();
    expect(place!.x).toBeGreaterThanOrEqual(0);
    expect(place!.x + place!.width).toBeLessThanOrEqual(390);
    await shot('390-dead-letters');
    await page.goto(consoleServer.url);
    await shot('390-overview');
    // Focus is visible: the first link gets an outline when reached by keyboard.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).not.toBe('none');
  });
});
