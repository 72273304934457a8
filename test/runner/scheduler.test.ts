import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunner } from '../../src/runner/run-once.ts';
import { startSchedule, validateCron } from '../../src/runner/scheduler.ts';
import type { Schedule } from '../../src/runner/scheduler.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { TEST_SYSTEMS, createStubWorkflow, createWorld } from './stub-workflow.ts';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function fixture(): { store: Store; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'interop-schedule-'));
  const store = openStore(home);
  cleanup.push(
    () => rmSync(home, { recursive: true, force: true }),
    () => store.close(),
  );
  return { store, home };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for an event of the timer, however long a loaded machine takes to tick (the test's own
 * timeout is the only bound): no time window that fails under load. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(50);
}

describe('the schedule', () => {
  it('fires on a fast cron, and skips a tick while a run is still going', async () => {
    const { store } = fixture();
    const setup = store.acquireLock({ runId: 'setup' });
    if (!setup.ok) throw new Error('the fresh store is locked');
    store.saveCarriedState(
      { cursors: { primero: '2024-06-01T00:00:00Z' }, retries: [], deadLetters: [] },
      setup.handle,
    );
    store.releaseLock(setup.handle);
    const world = createWorld();
    let release: (() => void) | undefined;
    world.hold = new Promise((resolve) => (release = resolve));
    const said: string[] = [];
    const runner = createRunner({
      store,
      runWorkflow: createStubWorkflow(world),
      systems: TEST_SYSTEMS,
    });
    const schedule: Schedule = startSchedule({
      runner,
      cron: '* * * * * *',
      say: (line) => said.push(line),
    });
    cleanup.push(() => schedule.stop());
    expect(schedule.nextRun()).toBeInstanceOf(Date);
    expect(store.schedulerInfo()?.alive).toBe(true);

    await until(() => said.some((line) => line.includes('tick skipped')));
    expect(said.join('\n')).toMatch(/tick skipped: the previous run is still in progress/);
    expect(store.listRuns()).toHaveLength(1);
    expect(store.listRuns()[0]?.trigger).toBe('schedule');

    world.hold = undefined;
    release?.();
    await until(() => store.listRuns().filter((run) => run.status === 'succeeded').length >= 2);
    expect(
      store.listRuns().filter((run) => run.status === 'succeeded').length,
    ).toBeGreaterThanOrEqual(2);
    expect(said.join('\n')).toMatch(/run [0-9a-f-]+ succeeded/);
    await schedule.stop();
    expect(store.schedulerInfo()).toBeUndefined();
  });

  it('says so when another process holds the lock at a tick', async () => {
    const { store } = fixture();
    store.acquireLock({ runId: 'cli-run' });
    const said: string[] = [];
    const runner = createRunner({
      store,
      runWorkflow: createStubWorkflow(createWorld()),
      systems: TEST_SYSTEMS,
    });
    const schedule = startSchedule({ runner, cron: '* * * * * *', say: (line) => said.push(line) });
    cleanup.push(() => schedule.stop());
    await until(() => said.length > 0);
    expect(said[0]).toMatch(/tick skipped: Another run is in progress \(run cli-run/);
    expect(store.listRuns()[0]).toMatchObject({ status: 'refused', trigger: 'schedule' });
  });

  it('rejects a pattern that never fires (31 February), naming it', () => {
    expect(() => validateCron('0 0 31 2 *', '--cron')).toThrow(
      /--cron "0 0 31 2 \*" never fires \(no such date, e.g. 31 February\)/,
    );
    expect(() => validateCron('0 0 29 2 *')).not.toThrow(); // leap years have it
  });

  it('rejects a cron pattern it cannot parse, naming it', () => {
    expect(() => validateCron('every hour')).toThrow(/"every hour" is not a cron pattern/);
    expect(() => validateCron('0 * * * *')).not.toThrow();
  });
});
