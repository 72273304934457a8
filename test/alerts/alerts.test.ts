// Alerts reach a real SMTP server (smtp-server, on loopback) and a webhook receiver (a loopback
// HTTP server), one message per kind of event per hour: events within the hour wait for the next
// digest. The clock is moved by hand. Every message carries ids, counts and reasons only.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlerter } from '../../src/runner/alerts/alerter.ts';
import { channelsOf } from '../../src/runner/alerts/channels.ts';
import { readConfig } from '../../src/config/env.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { deadLetterId, openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { STEP_IDS } from '../../src/workflow/contract.ts';
import type {
  FailedItem,
  OverdueReferral,
  RunOutcome,
  RunSummary,
  RunWorkflowOptions,
} from '../../src/workflow/contract.ts';
import { expectNoLeaks } from '../reliability/harness.ts';
import { TEST_SYSTEMS } from '../runner/stub-workflow.ts';

const SMTP_PASSWORD = 'smtp-Secret-5150';
const HOUR = 60 * 60_000;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Quoted-printable as nodemailer writes a long text part: soft breaks and =XX escapes. */
const unquote = (body: string) =>
  body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

async function smtpServer(): Promise<{ url: string; mails: string[] }> {
  const mails: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === SMTP_PASSWORD)
        callback(null, { user: 'alerts' });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push(unquote(Buffer.concat(chunks).toString('utf8')));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://alerts:${SMTP_PASSWORD}@127.0.0.1:${port}`, mails };
}

async function webhookReceiver(
  status = 204,
): Promise<{ url: string; posts: Array<Record<string, any>> }> {
  const posts: Array<Record<string, any>> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      posts.push(JSON.parse(body) as Record<string, any>);
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/interop-7c2e`, posts };
}

function tempStore(): Store {
  const home = mkdtempSync(join(tmpdir(), 'interop-alerts-'));
  const store = openStore(home);
  cleanup.push(
    () => rmSync(home, { recursive: true, force: true }),
    () => store.close(),
  );
  return store;
}

const item = (key: string, reason: string): FailedItem => ({
  key,
  step: 'f2-j2',
  kind: 'case',
  ids: { global_id: key.split(':').pop() ?? key },
  reason,
  attempts: 5,
  firstFailedAt: '2024-06-01T09:00:00.000Z',
  lastFailedAt: '2024-06-01T10:00:00.000Z',
});

const overdue = (caseId: string): OverdueReferral => ({
  key: `f1-j2:referral:${caseId}`,
  ids: { case_id: caseId },
  organisation: 'hagar',
  sentAt: '2024-05-01T10:00:00.000Z',
  daysWaiting: 31,
});

/** A workflow that returns the summary the test scripts for each run. */
function scriptedWorkflow(script: Array<Partial<RunSummary>>) {
  return async (options: RunWorkflowOptions): Promise<RunOutcome> => {
    const next = script.shift() ?? {};
    const carried = options.carried ?? { cursors: {}, retries: [], deadLetters: [] };
    const summary: RunSummary = {
      ok: true,
      dryRun: false,
      startedAt: '2024-06-01T10:00:00.000Z',
      finishedAt: '2024-06-01T10:01:00.000Z',
      from: carried.cursors,
      to: carried.cursors,
      steps: Object.fromEntries(
        STEP_IDS.map((step) => [
          step,
          { fetched: 0, written: 0, unchanged: 0, failed: 0, skipped: 0 },
        ]),
      ) as RunSummary['steps'],
      failed: [],
      deadLettered: [],
      planned: [],
      ...next,
    };
    return {
      summary,
      next: { ...carried, deadLetters: [...carried.deadLetters, ...summary.deadLettered] },
    };
  };
}

async function alertingRunner(script: Array<Partial<RunSummary>>) {
  const smtp = await smtpServer();
  const webhook = await webhookReceiver();
  const config = readConfig({
    INTEROP_ALERT_SMTP_URL: smtp.url,
    INTEROP_ALERT_EMAIL_TO: 'admin@mosvy.test, ngo-lead@hagar.test',
    INTEROP_ALERT_EMAIL_FROM: 'interop@mosvy.test',
    INTEROP_ALERT_WEBHOOK_URL: webhook.url,
    INTEROP_CONSOLE_URL: 'https://interop.mosvy.test/',
  });
  const store = tempStore();
  const clock = { now: new Date('2024-06-01T10:00:00.000Z') };
  const alerts = createAlerter({
    store,
    channels: channelsOf(config.alerts),
    consoleUrl: config.alerts.consoleUrl!,
    now: () => clock.now,
  });
  const runner = createRunner({
    store,
    runWorkflow: scriptedWorkflow(script),
    systems: TEST_SYSTEMS,
    alerts,
  });
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  return { smtp, webhook, store, runner, advance };
}

// Invented reasons of the kind the sync records: ids and a field name, never a value.
const AMBIGUOUS = 'ambiguous match: two Primero cases carry this oscar_number';
const REFUSED = 'OSCaR answered 422: date_of_birth is invalid';

describe('one message per kind of event, with ids and counts', () => {
  it('a failed run, new dead letters and newly overdue referrals each reach email and webhook', async () => {
    const { smtp, webhook, runner } = await alertingRunner([
      { ok: false, error: 'Step f2-j1 (get OSCaR cases) failed: OSCaR did not answer' },
      {
        deadLettered: [
          item('f2-j2:case:gid-0007', AMBIGUOUS),
          item('f2-j2:case:gid-0011', REFUSED),
        ],
        overdueReferrals: [overdue('case-3f1a')],
      },
    ]);
    const failed = await runner.runOnce({ trigger: 'schedule' });
    const succeeded = await runner.runOnce({ trigger: 'schedule' });
    if (failed.status === 'refused' || succeeded.status === 'refused') throw new Error('locked');

    expect(webhook.posts.map((post) => [post.kind, post.count])).toEqual([
      ['run-failed', 1],
      ['dead-letters', 2],
      ['overdue-referrals', 1],
    ]);
    const [runFailed, deadLetters, overdueReferrals] = webhook.posts;
    expect(runFailed!.events[0].ids).toEqual([failed.run.id]);
    expect(runFailed!.events[0].link).toBe(`https://interop.mosvy.test/runs/${failed.run.id}`);
    expect(runFailed!.events[0].text).toContain('OSCaR did not answer');
    expect(deadLetters!.events[0].ids).toEqual([
      deadLetterId('f2-j2:case:gid-0007'),
      deadLetterId('f2-j2:case:gid-0011'),
    ]);
    expect(deadLetters!.events[0].link).toBe('https://interop.mosvy.test/dead-letters');
    expect(overdueReferrals!.events[0].ids).toEqual(['f1-j2:referral:case-3f1a']);

    expect(smtp.mails).toHaveLength(3);
    expect(smtp.mails[0]).toContain('Subject: [interop] failed runs: 1');
    expect(smtp.mails[0]).toContain(`https://interop.mosvy.test/runs/${failed.run.id}`);
    expect(smtp.mails[0]).toMatch(/To: admin@mosvy.test, ngo-lead@hagar.test/);
    expect(smtp.mails[1]).toContain('Subject: [interop] new dead letters: 2');
    expect(smtp.mails[1]).toContain(`${deadLetterId('f2-j2:case:gid-0011')} (f2-j2:case:gid-0011)`);
    expect(smtp.mails[2]).toContain('case-3f1a at hagar (31 days)');

    // A referral already reported overdue is not news on the next run.
    const again = await alertingRunner([
      { overdueReferrals: [overdue('case-3f1a')] },
      { overdueReferrals: [overdue('case-3f1a'), overdue('case-9b20')] },
    ]);
    await again.runner.runOnce({ trigger: 'schedule' });
    again.advance(2 * HOUR);
    await again.runner.runOnce({ trigger: 'schedule' });
    expect(again.webhook.posts.map((post) => post.events.flatMap((e: any) => e.ids))).toEqual([
      ['f1-j2:referral:case-3f1a'],
      ['f1-j2:referral:case-9b20'],
    ]);
  });
});

describe('at most one message per kind per hour (a digest)', () => {
  it('a second failure within the hour waits and goes out in the next message', async () => {
    const failure = (n: number) => ({
      ok: false,
      error: `Step f1-j1 (get Primero cases) failed: outage ${n}`,
    });
    const { smtp, webhook, runner, advance } = await alertingRunner([
      failure(1),
      failure(2),
      failure(3),
      {},
      failure(4),
    ]);
    await runner.runOnce({ trigger: 'schedule' });
    expect(webhook.posts).toHaveLength(1);
    advance(20 * 60_000);
    await runner.runOnce({ trigger: 'schedule' });
    advance(20 * 60_000);
    await runner.runOnce({ trigger: 'schedule' });
    // Within the hour: nothing more sent.
    expect(webhook.posts).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);

    advance(20 * 60_000);
    // The hour is over: a run with nothing to report sends the waiting digest.
    await runner.runOnce({ trigger: 'schedule' });
    expect(webhook.posts).toHaveLength(2);
    expect(webhook.posts[1]!.count).toBe(2);
    expect(webhook.posts[1]!.events.map((event: any) => event.text)).toEqual([
      expect.stringContaining('outage 2'),
      expect.stringContaining('outage 3'),
    ]);
    expect(smtp.mails[1]).toContain('Subject: [interop] failed runs: 2');

    advance(5 * 60_000);
    await runner.runOnce({ trigger: 'schedule' });
    expect(webhook.posts).toHaveLength(2);
  });
});

describe('sending never fails a run', () => {
  it('an unreachable SMTP server and a webhook answering 500: the run succeeds, the failures are logged scrubbed', async () => {
    const webhook = await webhookReceiver(500);
    const config = readConfig({
      // Port 1 on loopback: nothing listens, the connection is refused at once.
      INTEROP_ALERT_SMTP_URL: `smtp://alerts:${SMTP_PASSWORD}@127.0.0.1:1`,
      INTEROP_ALERT_EMAIL_TO: 'admin@mosvy.test',
      INTEROP_ALERT_EMAIL_FROM: 'interop@mosvy.test',
      INTEROP_ALERT_WEBHOOK_URL: webhook.url,
    });
    const store = tempStore();
    const runner = createRunner({
      store,
      runWorkflow: scriptedWorkflow([{ deadLettered: [item('f2-j2:case:gid-0007', AMBIGUOUS)] }]),
      systems: TEST_SYSTEMS,
      secrets: [SMTP_PASSWORD],
      alerts: createAlerter({ store, channels: channelsOf(config.alerts) }),
    });
    const result = await runner.runOnce({ trigger: 'schedule' });
    if (result.status === 'refused') throw new Error('locked');
    expect(result.status).toBe('succeeded');
    const logs = store.getRunLogs(result.run.id).map((line) => line.message);
    expect(logs).toContainEqual(
      expect.stringMatching(/^Alert \(dead-letters\) by email not sent: /),
    );
    expect(logs).toContain('Alert (dead-letters) by webhook not sent: the webhook answered 500');
    expect(logs.join('\n')).not.toContain(SMTP_PASSWORD);
    // Not delivered: the event waits for the next try.
    expect(JSON.parse(store.alertDigest('dead-letters')!.pending)).toHaveLength(1);
  });
});

describe('privacy of every message', () => {
  it('no child data, password or token in any email or webhook body', async () => {
    const { smtp, webhook, runner, advance } = await alertingRunner([
      {
        ok: false,
        error:
          'Step f1-j1 (get Primero cases) failed: Primero sign-in failed for user primero_cp: 401 invalid user name or password',
        failure: { step: 'f1-j1', system: 'primero', refusedSignIn: true },
      },
      {
        deadLettered: [
          item('f2-j2:case:gid-0007', AMBIGUOUS),
          item('f2-j2:case:gid-0011', REFUSED),
        ],
        overdueReferrals: [overdue('case-3f1a')],
      },
    ]);
    await runner.runOnce({ trigger: 'schedule' });
    advance(HOUR);
    await runner.runOnce({ trigger: 'schedule' });
    const bodies = [...smtp.mails, ...webhook.posts.map((post) => JSON.stringify(post))];
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    expectNoLeaks(bodies, [
      SMTP_PASSWORD,
      TEST_SYSTEMS.primero.password,
      TEST_SYSTEMS.oscar.password,
      'hooks/interop-7c2e',
    ]);
  });
});
