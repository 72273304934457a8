// Guarantee 6: one run at a time. A second run while one is going is refused cleanly (nothing
// attempted, a message saying which run holds the lock), whether it comes from the same process,
// another store handle (the console's process) or the CLI; the timer and a console Run at the same
// moment produce exactly one run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRunner } from '../../src/runner/run-once.ts';
import type { RunOnceResult, RunWorkflow } from '../../src/runner/run-once.ts';
import { startSchedule } from '../../src/runner/scheduler.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import { systemsEnv, type Systems } from '../e2e/helpers.ts';
import { FAST, expectNoLeaks, seen, worldSystems } from './harness.ts';
import { START } from './world.ts';

const ROOT = join(import.meta.dirname, '../..');
const UPSERT = 'POST /api/v1/organizations/clients/upsert';
const REFUSED =
  /^Another run is in progress \(run [0-9a-f-]{36}, started .* by process \d+ on .*\); only one run at a time\./;

let systems: Systems | undefined;
const stores: Store[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  await systems?.close();
  systems = undefined;
});
afterAll(() => expectNoLeaks(seen));

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'interop-lock-'));
  homes.push(dir);
  return dir;
}

function runnerAt(dir: string, s: Systems, sync: RunWorkflow = runWorkflow) {
  const store = openStore(dir);
  stores.push(store);
  return createRunner({ store, runWorkflow: sync, systems: s.systems, settings: FAST });
}

/** A sync that, once its run holds the lock, waits until the test releases it: the second run
 * meets the first for certain, however slow the machine (no time window). */
function heldWorkflow() {
  let entered!: () => void;
  let release!: () => void;
  const hasLock = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const held: RunWorkflow = async (options) => {
    entered();
    await released;
    return runWorkflow(options);
  };
  return { held, hasLock, release };
}

describe('a second run while one is going', () => {
  it('from another process (store handle) is refused; the systems see one run', async () => {
    systems = await worldSystems();
    const dir = home();
    const first = heldWorkflow();
    const cli = runnerAt(dir, systems, first.held);
    const console_ = runnerAt(dir, systems);
    const running = cli.runOnce({ trigger: 'manual', since: START });
    await first.hasLock;
    const second = await console_.runOnce({ trigger: 'console', since: START });
    first.release();
    const results = [await running, second];
    const refused = results.filter((r) => r.status === 'refused');
    expect(refused).toHaveLength(1);
    expect(results.filter((r) => r.status === 'succeeded')).toHaveLength(1);
    expect((refused[0] as Extract<RunOnceResult, { status: 'refused' }>).reason).toMatch(REFUSED);
    expect(systems.oscar.requestCounts()[UPSERT]).toBe(3);
    // One run happened; the refused attempt is stored as refused (nothing attempted).
    expect(cli.store.listRuns().filter((run) => run.status !== 'refused')).toHaveLength(1);
  });

  it('from the CLI is refused with exit code 2 and a JSON reason', async () => {
    systems = await worldSystems();
    // The running run holds the lock until the CLI has answered, however long it takes to start.
    const first = heldWorkflow();
    const dir = home();
    const running = runnerAt(dir, systems, first.held).runOnce({
      trigger: 'schedule',
      since: START,
    });
    await first.hasLock;
    const child = spawn(process.execPath, [join(ROOT, 'bin/interop.js'), 'run', '--json'], {
      cwd: dir,
      env: {
        ...process.env,
        INTEROP_HOME: dir,
        ...systemsEnv(systems),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    first.release();
    seen.push(stdout, stderr);
    expect(await running).toMatchObject({ status: 'succeeded' });
    expect(code, stderr).toBe(2);
    const answer = JSON.parse(stdout);
    expect(answer.status).toBe('refused');
    expect(answer.reason).toMatch(REFUSED);
    expect(systems.oscar.requestCounts()[UPSERT]).toBe(3);
  }, 30_000);
});

describe('the timer and a console Run at the same moment', () => {
  it('make exactly one run: the tick during the console run is skipped', async () => {
    systems = await worldSystems();
    const dir = home();
    // The first run of a deployment needs a start; give the store its cursor first.
    await runnerAt(dir, systems).runOnce({ trigger: 'manual', since: START });
    // The console's run holds the lock until the every-second timer has ticked during it.
    const consoleSync = heldWorkflow();
    const timerRunner = runnerAt(dir, systems);
    const consoleRunner = runnerAt(dir, systems, consoleSync.held);
    const said: string[] = [];
    const results: RunOnceResult[] = [];
    let tickSkipped!: () => void;
    const skipped = new Promise<void>((resolve) => (tickSkipped = resolve));
    const consoleStarted = consoleRunner.runOnce({ trigger: 'console' });
    await consoleSync.hasLock;
    const schedule = startSchedule({
      runner: timerRunner,
      cron: '* * * * * *',
      say: (line) => {
        said.push(line);
        if (/skipped/.test(line)) tickSkipped();
      },
      onRunFinished: (result) => results.push(result),
      heartbeatMs: 60_000,
    });
    try {
      await skipped;
      consoleSync.release();
      const consoleRun = await consoleStarted;
      await schedule.stop();
      results.push(consoleRun);
    } finally {
      await schedule.stop();
    }
    seen.push(...said);
    // Refused attempts (stored with start = end) ran nothing: only runs that ran can overlap.
    const runs = timerRunner.store
      .listRuns()
      .filter((run) => run.trigger !== 'manual' && run.status !== 'refused');
    // Whatever the timer did, no two runs were ever in progress at once.
    const spans = runs
      .map((run) => [Date.parse(run.startedAt), Date.parse(run.finishedAt ?? run.startedAt)])
      .sort((x, y) => x[0]! - y[0]!);
    for (let i = 1; i < spans.length; i += 1)
      expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]!);
    expect(
      results.some((r) => r.status === 'refused') || said.some((line) => /skipped/.test(line)),
    ).toBe(true);
    expect(runs.filter((run) => run.trigger === 'console')).toHaveLength(1);
  }, 20_000);
});
