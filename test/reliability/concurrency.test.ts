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
import type { RunOnceResult } from '../../src/runner/run-once.ts';
import { startSchedule } from '../../src/runner/scheduler.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { Systems } from '../e2e/helpers.ts';
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

function runnerAt(dir: string, s: Systems) {
  const store = openStore(dir);
  stores.push(store);
  return createRunner({ store, runWorkflow, systems: s.systems, settings: FAST });
}

/** Slow answers, so a run lasts long enough for the others to meet it. */
async function slowWorld(latencyMs = 15): Promise<Systems> {
  const s = await worldSystems();
  s.primero.setFaults({ latencyMs });
  s.oscar.setFaults({ latencyMs });
  return s;
}

describe('a second run while one is going', () => {
  it('from another process (store handle) is refused; the systems see one run', async () => {
    systems = await slowWorld();
    const dir = home();
    const cli = runnerAt(dir, systems);
    const console_ = runnerAt(dir, systems);
    const [a, b] = await Promise.all([
      cli.runOnce({ trigger: 'manual', since: START }),
      console_.runOnce({ trigger: 'console', since: START }),
    ]);
    const results = [a, b];
    const refused = results.filter((r) => r.status === 'refused');
    expect(refused).toHaveLength(1);
    expect(results.filter((r) => r.status === 'succeeded')).toHaveLength(1);
    expect((refused[0] as Extract<RunOnceResult, { status: 'refused' }>).reason).toMatch(REFUSED);
    expect(systems.oscar.requestCounts()[UPSERT]).toBe(3);
    expect(cli.store.listRuns()).toHaveLength(1);
  });

  it('from the CLI is refused with exit code 2 and a JSON reason', async () => {
    systems = await worldSystems();
    // The running run waits 4 s for OSCaR's listing: long enough for the CLI to start.
    systems.oscar.setFaults({
      rules: [{ route: 'GET /api/v1/organizations/clients', delayMs: 4000, times: 1 }],
    });
    const dir = home();
    const store = openStore(dir);
    stores.push(store);
    const running = createRunner({
      store,
      runWorkflow,
      systems: systems.systems,
      settings: { ...FAST, http: { ...FAST.http, timeoutMs: 10_000 } },
    }).runOnce({ trigger: 'schedule', since: START });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the lock is taken
    const child = spawn(process.execPath, [join(ROOT, 'bin/interop.js'), 'run', '--json'], {
      cwd: dir,
      env: {
        ...process.env,
        INTEROP_HOME: dir,
        PRIMERO_URL: systems.primero.url,
        PRIMERO_USERNAME: systems.systems.primero.username,
        PRIMERO_PASSWORD: systems.systems.primero.password,
        OSCAR_URL: systems.oscar.url,
        OSCAR_EMAIL: systems.systems.oscar.email,
        OSCAR_PASSWORD: systems.systems.oscar.password,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
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
    // The console's run lasts over a second, so the every-second timer ticks during it.
    systems.primero.setFaults({ rules: [{ route: 'GET /api/v2/cases', delayMs: 1500, times: 1 }] });
    const timerRunner = runnerAt(dir, systems);
    const consoleRunner = runnerAt(dir, systems);
    const said: string[] = [];
    const results: RunOnceResult[] = [];
    const schedule = startSchedule({
      runner: timerRunner,
      cron: '* * * * * *',
      say: (line) => said.push(line),
      onRunFinished: (result) => results.push(result),
      heartbeatMs: 60_000,
    });
    try {
      const consoleRun = await consoleRunner.runOnce({ trigger: 'console' });
      await schedule.stop();
      results.push(consoleRun);
    } finally {
      await schedule.stop();
    }
    seen.push(...said);
    const runs = timerRunner.store.listRuns().filter((run) => run.trigger !== 'manual');
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
