import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAndReport } from '../../src/runner/environment.ts';
import { createRunner, keepCursorsForward, parseSince } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { TEST_SYSTEMS, createStubWorkflow, createWorld, failedItem } from './stub-workflow.ts';
import type { StubWorld } from './stub-workflow.ts';

let home: string;
let store: Store;
let world: StubWorld;

const runnerFor = (w: StubWorld, extra: { leaseMs?: number } = {}) =>
  createRunner({
    store,
    runWorkflow: createStubWorkflow(w),
    systems: TEST_SYSTEMS,
    settings: { maxAttempts: 3 },
    ...extra,
  });

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'interop-runner-'));
  store = openStore(home);
  world = createWorld();
});
afterEach(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

describe('cursors are carried from run to run', () => {
  it('refuses the very first run without a stored cursor or --since, and stores no state', async () => {
    const result = await runnerFor(world).runOnce({ trigger: 'manual' });
    expect(result.status).toBe('failed');
    if (result.status === 'refused') throw new Error('unexpected');
    expect(result.summary.error).toMatch(/--since/);
    expect(store.getRun(result.run.id)?.status).toBe('failed');
    expect(store.lastCarriedState()).toBeUndefined();
  });

  it('two runs back to back: the second starts from the cursor the first stored', async () => {
    const runner = runnerFor(world);
    const first = await runner.runOnce({ trigger: 'manual', since: '2024-01-01T00:00:00.000Z' });
    expect(first.status).toBe('succeeded');
    expect(store.lastCarriedState()?.cursors.primero).toBe('2024-06-01T10:00:00.000Z');

    world.now = '2024-06-01T11:00:00.000Z';
    const second = await runner.runOnce({ trigger: 'schedule' });
    expect(second.status).toBe('succeeded');
    expect(world.calls[1]?.since).toBeUndefined();
    expect(world.calls[1]?.carried?.cursors.primero).toBe('2024-06-01T10:00:00.000Z');
    expect(store.lastCarriedState()?.cursors.primero).toBe('2024-06-01T11:00:00.000Z');
  });

  it('a manual run uses the stored cursor exactly like the timer', async () => {
    const runner = runnerFor(world);
    await runner.runOnce({ trigger: 'schedule', since: '2024-01-01T00:00:00Z' });
    await runner.runOnce({ trigger: 'manual' });
    expect(world.calls[1]?.carried?.cursors).toEqual(store.listRuns()[1]?.summary?.to);
    expect(world.calls[1]?.since).toBeUndefined();
    expect(store.listRuns()[0]?.trigger).toBe('manual');
  });

  it('--since backfills without moving the stored cursor backwards', async () => {
    const runner = runnerFor(world);
    await runner.runOnce({ trigger: 'manual', since: '2024-05-01T00:00:00Z' });
    const stored = store.lastCarriedState()!.cursors;
    const backfill = await runner.runOnce({ trigger: 'manual', since: '2023-01-01T00:00:00Z' });
    expect(backfill.status).toBe('succeeded');
    expect(world.calls[1]?.since).toBe('2023-01-01T00:00:00Z');
    expect(store.lastCarriedState()!.cursors).toEqual(stored);
  });

  it('keeps the stored cursor even when a workflow hands back an earlier one', () => {
    const stored = {
      cursors: { primero: '2024-06-01T10:00:00Z', oscar: '2024-06-01 10:00:00' },
      retries: [],
      deadLetters: [],
    };
    const next = {
      cursors: { primero: '2023-01-01T00:00:00Z', oscar: '2024-06-02 00:00:00' },
      retries: [],
      deadLetters: [],
    };
    expect(keepCursorsForward(stored, next).cursors).toEqual({
      primero: '2024-06-01T10:00:00Z',
      oscar: '2024-06-02 00:00:00',
    });
  });

  it('a failed run and a dry run leave the stored state as it was', async () => {
    const runner = runnerFor(world);
    await runner.runOnce({ trigger: 'manual', since: '2024-05-01T00:00:00Z' });
    const before = store.lastCarriedState();
    world.now = '2024-07-01T00:00:00.000Z';
    world.incoming = [failedItem('f2-j2:case:G1')];
    const dry = await runner.runOnce({ trigger: 'manual', dryRun: true });
    expect(dry.status).toBe('succeeded');
    if (dry.status === 'refused') throw new Error('unexpected');
    expect(dry.summary.planned).toEqual([
      { step: 'f2-j2', action: 'update case', ids: { global_id: 'G1' } },
    ]);
    expect(world.written).toEqual([]);
    world.crash = 'Primero answered 503 to GET /api/v2/cases after 4 attempts';
    const crashed = await runner.runOnce({ trigger: 'schedule' });
    expect(crashed.status).toBe('failed');
    expect(store.getRun(store.listRuns()[0]!.id)?.error).toMatch(/503/);
    expect(store.lastCarriedState()).toEqual(before);
    expect(store.lockHolder()).toBeUndefined();
  });

  it('rejects a --since that is not a date-time, or in the future', () => {
    expect(() => parseSince('yesterday')).toThrow(/ISO-8601/);
    expect(() => parseSince('2999-01-01T00:00:00Z')).toThrow(/future/);
    expect(parseSince('2024-05-01')).toBe('2024-05-01T00:00:00.000Z');
  });
});

describe('one run at a time', () => {
  it('refuses a second run while one is in progress, with a clear message', async () => {
    let release!: () => void;
    world.hold = new Promise((resolve) => (release = resolve));
    const runner = runnerFor(world);
    const first = runner.runOnce({ trigger: 'schedule', since: '2024-05-01T00:00:00Z' });
    const otherProcess = openStore(home);
    const second = await createRunner({
      store: otherProcess,
      runWorkflow: createStubWorkflow(createWorld()),
      systems: TEST_SYSTEMS,
    }).runOnce({ trigger: 'manual' });
    otherProcess.close();
    expect(second.status).toBe('refused');
    if (second.status !== 'refused') throw new Error('unexpected');
    expect(second.reason).toMatch(/Another run is in progress \(run [0-9a-f-]+/);
    release();
    expect((await first).status).toBe('succeeded');
    // The refused attempt is stored as refused (nothing attempted); listed by start, newest first.
    expect(store.listRuns().map((run) => run.status)).toEqual(['refused', 'succeeded']);
  });

  it('takes over a lock whose holder process is dead and marks its run interrupted', async () => {
    const deadPid = 2 ** 22 + 12345; // above pid_max defaults: no such process
    const stale = store.acquireLock({ runId: 'run-of-dead-process', pid: deadPid });
    expect(stale.ok).toBe(true);
    store.recordRunStart({ id: 'run-of-dead-process', trigger: 'schedule', pid: deadPid });
    const result = await runnerFor(world).runOnce({
      trigger: 'manual',
      since: '2024-05-01T00:00:00Z',
    });
    expect(result.status).toBe('succeeded');
    expect(store.getRun('run-of-dead-process')?.status).toBe('interrupted');
  });

  it('takes over a lock whose lease has expired', async () => {
    expect(store.acquireLock({ runId: 'hung-run', pid: process.pid, leaseMs: -1 }).ok).toBe(true);
    const result = await runnerFor(world).runOnce({
      trigger: 'manual',
      since: '2024-05-01T00:00:00Z',
    });
    expect(result.status).toBe('succeeded');
  });
});

describe('retry', () => {
  it('re-sends a dead letter after the data is fixed', async () => {
    const runner = runnerFor(world);
    const key = 'f2-j2:case:G-BROKEN';
    world.broken.add(key);
    world.incoming = [failedItem(key, 0)];
    await runner.runOnce({ trigger: 'manual', since: '2024-05-01T00:00:00Z' });
    world.incoming = [];
    await runner.runOnce({ trigger: 'schedule' });
    await runner.runOnce({ trigger: 'schedule' });
    const [letter] = store.listDeadLetters();
    expect(letter?.key).toBe(key);
    expect(letter?.attempts).toBe(3);
    expect(letter?.id).toMatch(/^dl-[0-9a-f]{10}$/);

    // Without a retry, later runs leave the dead letter alone.
    await runner.runOnce({ trigger: 'schedule' });
    expect(world.written).toEqual([]);

    world.broken.delete(key); // an administrator fixed the data
    const retried = await runner.runOnce({ trigger: 'retry', retry: { deadLetterId: letter!.id } });
    expect(retried.status).toBe('succeeded');
    expect(world.calls.at(-1)?.carried?.retries).toEqual([
      expect.objectContaining({ key, attempts: 0 }),
    ]);
    expect(world.written).toEqual([key]);
    expect(store.listDeadLetters()).toEqual([]);
    if (retried.status === 'refused') throw new Error('unexpected');
    expect(retried.run.retryOf).toBe(letter!.id);
    expect(
      store
        .getRunLogs(retried.run.id)
        .map((line) => line.message)
        .join('\n'),
    ).toMatch(/back in the retry list/);
  });

  it('a run id: its failed items are queued again with attempts reset', async () => {
    const runner = runnerFor(world);
    world.broken.add('f2-j2:case:G7');
    world.incoming = [failedItem('f2-j2:case:G7', 0)];
    const failing = await runner.runOnce({ trigger: 'manual', since: '2024-05-01T00:00:00Z' });
    if (failing.status === 'refused') throw new Error('unexpected');
    expect(store.getRunFailedItems(failing.run.id).map((item) => item.key)).toEqual([
      'f2-j2:case:G7',
    ]);
    world.incoming = [];
    world.broken.clear();
    await runner.runOnce({ trigger: 'retry', retry: { runId: failing.run.id } });
    expect(world.calls.at(-1)?.carried?.retries).toEqual([
      expect.objectContaining({ key: 'f2-j2:case:G7', attempts: 0 }),
    ]);
    expect(world.written).toEqual(['f2-j2:case:G7']);
  });

  it('a run id: only its items still open are queued again, never one that succeeded since', async () => {
    const runner = runnerFor(world);
    world.broken = new Set(['f2-j2:case:G1', 'f2-j2:case:G2']);
    world.incoming = [failedItem('f2-j2:case:G1', 0), failedItem('f2-j2:case:G2', 0)];
    const failing = await runner.runOnce({ trigger: 'manual', since: '2024-05-01T00:00:00Z' });
    if (failing.status === 'refused') throw new Error('unexpected');
    // The next run: G1 was fixed and goes through, G2 fails again.
    world.incoming = [];
    world.broken = new Set(['f2-j2:case:G2']);
    await runner.runOnce({ trigger: 'schedule' });
    world.written = [];
    await runner.runOnce({ trigger: 'retry', retry: { runId: failing.run.id } });
    expect(world.calls.at(-1)?.carried?.retries).toEqual([
      expect.objectContaining({ key: 'f2-j2:case:G2', attempts: 0 }),
    ]);
    expect(world.written).toEqual([]);
  });

  it('an unknown dead letter is refused without a run', async () => {
    await expect(
      runnerFor(world).runOnce({ trigger: 'retry', retry: { deadLetterId: 'dl-0000000000' } }),
    ).rejects.toThrow(/No dead letter dl-0000000000/);
    expect(store.listRuns()).toEqual([]);
    expect(store.lockHolder()).toBeUndefined();
  });
});

describe('log lines and privacy', () => {
  it('stores the run log with configured passwords and tokens redacted', async () => {
    world.logLines = [
      'OSCaR signed in as sync@oscar.test',
      `login failed with password ${TEST_SYSTEMS.primero.password}`,
      'retrying with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def',
      `oscar body {"password":"${TEST_SYSTEMS.oscar.password}"}`,
      'access-token=ab12cd34ef56 client=xyz',
    ];
    world.crash = `request failed: token=${TEST_SYSTEMS.oscar.password}`;
    const result = await runnerFor(world).runOnce({
      trigger: 'manual',
      since: '2024-05-01T00:00:00Z',
    });
    if (result.status === 'refused') throw new Error('unexpected');
    const stored = JSON.stringify([store.getRunLogs(result.run.id), store.getRun(result.run.id)]);
    expect(stored).toContain('OSCaR signed in as sync@oscar.test');
    for (const secret of [
      TEST_SYSTEMS.primero.password,
      TEST_SYSTEMS.oscar.password,
      'eyJhbGciOiJIUzI1NiJ9',
      'ab12cd34ef56',
    ]) {
      expect(stored).not.toContain(secret);
    }
    expect(stored).toContain('[redacted]');
  });
});

describe('what the CLI prints', () => {
  it('prints the summary, JSON on request, and exit codes 0 / 1 / 2', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const terminal = {
      out: (text: string) => out.push(text),
      err: { write: (text: string) => err.push(text), isTTY: false },
    };
    const runner = runnerFor(world);
    expect(await runAndReport(runner, { trigger: 'manual' }, { terminal })).toBe(1);
    expect(out.join('\n')).toMatch(/FAILED[\s\S]*error: No start for the window/);
    world.incoming = [failedItem('f2-j2:case:G1', 0)];
    out.length = 0;
    expect(
      await runAndReport(
        runner,
        { trigger: 'manual', since: '2024-05-01T00:00:00Z' },
        { json: true, terminal },
      ),
    ).toBe(0);
    const printed = JSON.parse(out.join('\n'));
    expect(printed).toMatchObject({
      ok: true,
      status: 'succeeded',
      steps: { 'f2-j2': { written: 1 } },
    });
    expect(printed.runId).toBe(store.listRuns()[0]?.id);

    store.acquireLock({ runId: 'someone-else' });
    expect(await runAndReport(runner, { trigger: 'manual' }, { terminal })).toBe(2);
    expect(err.join('')).toMatch(/Another run is in progress/);
  });

  it('reports progress as one plain line per step when not on a terminal', async () => {
    const err: string[] = [];
    world.incoming = [1, 2, 3, 4].map((n) => failedItem(`f2-j2:case:G${n}`, 0));
    const terminal = {
      out: () => undefined,
      err: { write: (text: string) => err.push(text), isTTY: false },
    };
    await runAndReport(
      runnerFor(world),
      { trigger: 'manual', since: '2024-05-01T00:00:00Z' },
      { terminal },
    );
    // One line per step, when it ends, with that step's own items and counts.
    expect(err).toHaveLength(4);
    expect(err[3]).toBe('f2-j2 upsert cases to Primero: done, 4 item(s) (4 fetched, 4 written)\n');
    expect(err.every((line) => !line.includes('\r'))).toBe(true);
  });
});
