// The console in a real browser (Debian's Chromium through playwright-core; never a downloaded one)
// against both emulators: sign in, dry run, run now, watch it finish, read its detail, and check that
// no page shows a child's name, birth date or phone, a password or a token.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startOscarEmulator } from '../../demo/oscar/index.ts';
import { startPrimeroEmulator } from '../../demo/primero/index.ts';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import { STEP_IDS } from '../../src/workflow/contract.ts';
import type { StepCounts, StepId, SystemsConfig } from '../../src/workflow/contract.ts';
import { ADMIN_PASSWORD, startTestConsole } from './console-harness.ts';
import type { TestConsole } from './console-harness.ts';
import { browserSuite, giveFirstStart, launchChromium } from './chromium.ts';

const SUITE = browserSuite(
  'the console in a browser',
  'the console in a browser, against the emulators',
);
const SCREENSHOT = 'test-output/console-overview.png';

/** Invented, distinctive values: if any reaches a page, the test finds it. */
const CHILD = {
  primeroFirst: 'Zephyrine',
  primeroLast: 'Quillfeather',
  primeroBirth: '2013-11-29',
  oscarGiven: 'Ottoline',
  oscarFamily: 'Brackwater',
  oscarBirth: '2011-02-28',
  oscarWorkerPhone: '097555019',
};

type Json = Record<string, unknown>;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Json;

/** The demo seeds plus one distinctive child in each system; the OSCaR one has no global_id (an item error). */
function seeds(): { primero: Json; oscar: Json } {
  const primero = readJson('demo/primero/seed.json');
  const oscar = readJson('demo/oscar/seed.json');
  const cases = primero.cases as Json[];
  cases.push({
    ...(cases[0] as Json),
    id: '9b3c2d7e-1f0a-4c1e-9a55-0000000000f1',
    case_id: '3f7d0f6e-5a8b-4d21-8c11-0000000000f1',
    name_first: CHILD.primeroFirst,
    name_last: CHILD.primeroLast,
    date_of_birth: CHILD.primeroBirth,
    services_section: [],
    workflow: 'new',
  });
  const org = (oscar.organizations as Json[]).find((entry) => entry.short_name === 'cif')!;
  const clients = org.clients as Json[];
  clients.push({
    ...(clients[0] as Json),
    id: 901,
    slug: 'cif-901',
    global_id: undefined,
    external_id: undefined,
    external_id_display: undefined,
    mosvy_number: undefined,
    given_name: CHILD.oscarGiven,
    family_name: CHILD.oscarFamily,
    date_of_birth: CHILD.oscarBirth,
    status: 'Active',
    referred_external: false,
    case_workers: [{ name: 'Worker Nine', mobile: CHILD.oscarWorkerPhone }],
    updated_at: '2024-03-05T09:00:00Z',
  });
  return { primero, oscar: JSON.parse(JSON.stringify(oscar)) as Json };
}

const WRITE = /^(POST|PUT|PATCH|DELETE) /;
function writeCounts(emulator: RunningEmulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emulator.requestCounts()).filter(
      ([route]) => WRITE.test(route) && !route.includes('/tokens') && !route.includes('sign_in'),
    ),
  );
}

async function stepCounts(page: Page): Promise<Record<StepId, StepCounts>> {
  const counts = {} as Record<StepId, StepCounts>;
  for (const step of STEP_IDS) {
    const cell = (name: keyof StepCounts) =>
      page
        .locator(`table.step-counts tr[data-step="${step}"] td[data-count="${name}"]`)
        .innerText()
        .then(Number);
    counts[step] = {
      fetched: await cell('fetched'),
      written: await cell('written'),
      unchanged: await cell('unchanged'),
      failed: await cell('failed'),
      skipped: await cell('skipped'),
    };
  }
  return counts;
}

describe.skipIf(SUITE.skip)(SUITE.title, () => {
  let primero: RunningEmulator;
  let oscar: RunningEmulator;
  let consoleServer: TestConsole;
  let browser: Browser;
  let page: Page;
  const seen: Array<{ path: string; html: string }> = [];
  /** Paths the page asked for, recorded as the requests leave (bodies may be gone after a reload). */
  const requested: string[] = [];

  beforeAll(async () => {
    const seed = seeds();
    // A little latency so a run lasts long enough for the page to poll its progress.
    primero = await startPrimeroEmulator({ seed: seed.primero, latencyMs: 40 });
    oscar = await startOscarEmulator({ seed: seed.oscar, latencyMs: 40 });
    const systems: SystemsConfig = {
      primero: { url: primero.url, username: 'primero_cp', password: 'primero-demo-password' },
      oscar: { url: oscar.url, email: 'primero@oscar.test', password: 'demo-only-password' },
    };
    consoleServer = await startTestConsole({ runWorkflow, systems });
    giveFirstStart(consoleServer.store);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    page.on('response', async (response) => {
      if (!response.url().startsWith(consoleServer.url)) return;
      const body = await response.text().catch(() => '');
      seen.push({ path: new URL(response.url()).pathname, html: body });
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
    await primero?.close();
    await oscar?.close();
  });

  it('signs in, and a wrong password is refused', async () => {
    await page.goto(consoleServer.url);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.fill('#password', 'not-the-password');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').innerText()).resolves.toContain('Wrong password');
    await page.waitForTimeout(200);
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${consoleServer.url}/?notice=signed-in`);
    await expect(page.locator('h1').innerText()).resolves.toBe('Overview');
    await expect(page.locator('#position').innerText()).resolves.toContain(
      '2020-01-01T00:00:00.000Z',
    );
  });

  it('a dry run writes nothing to either system and leaves the cursor', async () => {
    const before = { primero: writeCounts(primero), oscar: writeCounts(oscar) };
    await page.click('#dry-run');
    await page.waitForSelector('#summary', { timeout: 20_000 });
    expect({ primero: writeCounts(primero), oscar: writeCounts(oscar) }).toEqual(before);
    expect(consoleServer.store.lastCarriedState()?.cursors.primero).toBe(
      '2020-01-01T00:00:00.000Z',
    );
  });

  it('runs now, shows live progress, ends with the summary, and the detail matches the emulators', async () => {
    await page.goto(consoleServer.url);
    const primeroCases = (primero.state() as { cases: unknown[] }).cases.length;
    await page.click('#run-now');
    await page.waitForURL(/\/live\//);
    await page.waitForSelector('#summary', { timeout: 30_000 });
    // The page first showed the run going, polled its progress, then reloaded with the summary.
    const livePath = new URL(page.url()).pathname;
    expect(
      seen.some((entry) => entry.path === livePath && entry.html.includes('data-state="running"')),
    ).toBe(true);
    expect(requested).toContain(`${livePath}/status.json`);
    const summaryCounts = await stepCounts(page);
    await page.click('#open-run');
    await page.waitForURL(/\/runs\//);
    const counts = await stepCounts(page);
    expect(counts).toEqual(summaryCounts);

    const runId = new URL(page.url()).pathname.split('/').pop()!;
    const stored = consoleServer.store.getRun(runId)!;
    expect(stored.dryRun).toBe(false);
    expect(counts).toEqual(stored.summary!.steps);
    const kinds = Object.keys(stored.summary!.kinds ?? {});
    await expect(page.locator('table.kind-counts tbody tr').count()).resolves.toBe(kinds.length);
    // Every Primero case was read (the window starts before all of them).
    expect(counts['f1-j1'].fetched).toBe(primeroCases);
    // Cases the run created in Primero are among the step's writes, and each was one request.
    const created = (primero.state() as { cases: unknown[] }).cases.length - primeroCases;
    expect(created).toBeGreaterThan(0);
    expect(counts['f2-j2'].written).toBeGreaterThanOrEqual(created);
    expect(writeCounts(primero)['POST /api/v2/cases']).toBe(created);
    // What f1-j2 says it wrote reached OSCaR.
    const oscarWrites = Object.values(writeCounts(oscar)).reduce((sum, count) => sum + count, 0);
    expect(oscarWrites > 0).toBe(counts['f1-j2'].written > 0);

    // Every failed item is listed with its key and reason; the seeded child without a global_id
    // is one of them, named by its position in the listing, never by its name.
    const failed = stored.summary!.failed;
    expect(failed.some((item) => item.step === 'f2-j1' && item.kind === 'client')).toBe(true);
    for (const item of failed) {
      const row = page.locator(`table.failed-items tr[data-key="${item.key}"]`);
      await expect(row.locator('td.reason').innerText()).resolves.toBe(item.reason);
    }
    await expect(page.locator('table.failed-items tbody tr').count()).resolves.toBe(failed.length);
    await expect(page.locator('div.log').count()).resolves.toBe(1);
  });

  it('shows the history on the overview (screenshot saved) and the dead letters page', async () => {
    await page.goto(consoleServer.url);
    await expect(page.locator('#runs tr[data-run-id]').count()).resolves.toBe(2);
    await expect(page.locator('#systems').innerText()).resolves.toContain('healthy');
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await page.goto(`${consoleServer.url}/dead-letters`);
    await expect(page.locator('h1').innerText()).resolves.toBe('Dead letters');
    // On a phone-sized screen the page still fits (tables scroll inside their card).
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(consoleServer.url);
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  it('no page holds a child name, birth date or phone, a password or a token', async () => {
    const cookie = (await page.context().cookies())
      .map((entry) => `${entry.name}=${entry.value}`)
      .join('; ');
    const sessionValue = (await page.context().cookies()).find(
      (entry) => entry.name === 'interop_session',
    )!.value;
    const runs = consoleServer.store.listRuns();
    const paths = ['/', '/dead-letters', '/sign-in', ...runs.map((run) => `/runs/${run.id}`)];
    for (const path of paths) {
      const response = await fetch(`${consoleServer.url}${path}`, { headers: { cookie } });
      seen.push({ path, html: await response.text() });
    }
    const forbidden = [
      ...Object.values(CHILD),
      'Dara',
      'Vanna',
      'Child-One',
      '2014-05-17',
      '012000001',
      ADMIN_PASSWORD,
      'primero-demo-password',
      'demo-only-password',
      sessionValue,
    ];
    expect(seen.length).toBeGreaterThan(paths.length);
    for (const { path, html } of seen) {
      for (const value of forbidden)
        expect(html.includes(value), `${path} contains "${value}"`).toBe(false);
      expect(html, path).not.toMatch(/Bearer\s+\S{8,}/);
    }
  });
});
