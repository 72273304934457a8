// Never lock the API user: Primero locks a user after six failed sign-ins (primeroIMS/primero
// spec/requests/api/v2/tokens_controller_spec.rb, the lockout case; config/initializers/devise.rb
// lockable settings; the emulator's demo/primero/auth.ts LOCK_AFTER_FAILURES), and only a
// successful sign-in resets the count (Devise lockable). A stale password on the hourly schedule
// makes one failed sign-in per run, and after two refused runs the schedule stops signing in until
// `check` succeeds or an administrator resumes it. Counted at the emulator's request counters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlerter } from '../../src/runner/alerts/alerter.ts';
import type { AlertMessage } from '../../src/runner/alerts/message.ts';
import { checkSystems } from '../../src/runner/check.ts';
import { statusView } from '../../src/runner/environment.ts';
import { formatStatus } from '../../src/runner/report.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { scheduledRun } from '../../src/runner/scheduler.ts';
import {
  pausedSystems,
  recordRunSignIns,
  refusedSystems,
  resumeAfterCheck,
} from '../../src/runner/sign-in-brake.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { RunSummary } from '../../src/workflow/contract.ts';
import { startSystems } from '../e2e/helpers.ts';
import type { Systems } from '../e2e/helpers.ts';
import { FAST } from '../reliability/harness.ts';

const PRIMERO_SIGN_IN = 'POST /api/v2/tokens';
const STALE_PASSWORD = 'stale-password-3b9e';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function world(): Promise<{ systems: Systems; store: Store }> {
  const systems = await startSystems();
  const home = mkdtempSync(join(tmpdir(), 'interop-brake-'));
  const store = openStore(home);
  cleanup.push(
    () => systems.close(),
    () => rmSync(home, { recursive: true, force: true }),
    () => store.close(),
  );
  const setup = store.acquireLock({ runId: 'setup' });
  if (!setup.ok) throw new Error('the fresh store is locked');
  store.saveCarriedState(
    {
      cursors: { primero: '2024-01-01T00:00:00.000Z', oscar: '2024-01-01 00:00:00' },
      retries: [],
      deadLetters: [],
    },
    setup.handle,
  );
  store.releaseLock(setup.handle);
  return { systems, store };
}

const primeroSignIns = (systems: Systems) => systems.primero.requestCounts()[PRIMERO_SIGN_IN] ?? 0;

describe('a stale Primero password on the schedule', () => {
  it('one failed sign-in per run, two in all, then no more sign-ins until check succeeds', async () => {
    const { systems, store } = await world();
    const sent: AlertMessage[] = [];
    const alerts = createAlerter({
      store,
      channels: [{ name: 'test', send: async (message) => void sent.push(message) }],
    });
    const stale = {
      ...systems.systems,
      primero: { ...systems.systems.primero, password: STALE_PASSWORD },
    };
    const runner = createRunner({ store, runWorkflow, systems: stale, settings: FAST, alerts });
    const said: string[] = [];
    const tick = () => scheduledRun({ runner, say: (line) => said.push(line) });

    await tick();
    expect(primeroSignIns(systems)).toBe(1);
    expect(pausedSystems(store)).toEqual([]);
    await tick();
    expect(primeroSignIns(systems)).toBe(2);
    await tick();
    expect(primeroSignIns(systems)).toBe(2);

    // The third tick signed in nowhere: stored as refused, with the pause as its reason.
    expect(store.listRuns().map((run) => run.status)).toEqual(['refused', 'failed', 'failed']);
    expect(store.listRuns()[0]!.error).toMatch(/scheduled runs stopped signing in to Primero/);
    expect(said.at(-1)).toMatch(
      /tick skipped: scheduled runs stopped signing in to Primero at .*: Primero refused the sign-in in 2 consecutive run\(s\); fix PRIMERO_USERNAME\/PRIMERO_PASSWORD, then `npx interop check` or `npx interop resume primero`/,
    );
    const view = statusView(store, '0 * * * *');
    expect(view.signInPaused.map((pause) => [pause.system, pause.refusedRuns])).toEqual([
      ['primero', 2],
    ]);
    expect(formatStatus(view)).toContain('PAUSED: scheduled runs stopped signing in to Primero');
    // The alert that says so: the system, the count, and no password.
    const pauseAlert = sent.find((message) => message.kind === 'sign-in-refused');
    expect(pauseAlert?.json.count).toBe(2);
    expect(pauseAlert?.json.events[0]?.ids).toEqual(['primero']);
    expect(JSON.stringify(sent)).not.toContain(STALE_PASSWORD);

    // Fixed in Primero; `check` signs in and lifts the pause; the next tick runs again.
    const checked = await checkSystems(systems.systems);
    expect(resumeAfterCheck(store, checked)).toEqual([
      'ok   Primero: scheduled runs sign in to it again',
    ]);
    expect(pausedSystems(store)).toEqual([]);
    const fixed = createRunner({ store, runWorkflow, systems: systems.systems, settings: FAST });
    await scheduledRun({ runner: fixed, say: (line) => said.push(line) });
    // The emulators' seed holds children that fail on purpose: the run finishes, amber or green.
    expect(store.listRuns()[0]?.status).toMatch(/^succeeded/);
  });
});

describe('what counts as a refused sign-in', () => {
  const summary = (error: string | undefined, ok = false, failure?: RunSummary['failure']) =>
    ({ ok, ...(error ? { error } : {}), ...(failure ? { failure } : {}) }) as RunSummary;

  it("a 401 at sign-in, per system, as the run's failure says; not a 429, an outage or words alone", () => {
    expect(
      refusedSystems(
        summary('Step f1-j2 (cases to OSCaR) failed', false, {
          step: 'f1-j2',
          system: 'oscar',
          refusedSignIn: true,
        }),
      ),
    ).toEqual(['oscar']);
    // A 429 at sign-in: the failure names the system, but no refusal.
    expect(
      refusedSystems(summary('Step f1-j1 failed', false, { step: 'f1-j1', system: 'primero' })),
    ).toEqual([]);
    expect(
      refusedSystems(summary('Step f1-j1 (get Primero cases) failed: Primero did not answer')),
    ).toEqual([]);
    // Error prose that only looks like a refusal (a record's text, an older run) counts nothing.
    expect(
      refusedSystems(
        summary(
          'Step f1-j2 (cases to OSCaR) failed: OSCaR sign-in failed for sync@oscar.test: 401 Invalid login credentials',
        ),
      ),
    ).toEqual([]);
  });

  it('two refused runs in a row pause; a run that failed otherwise neither adds nor clears; a success clears', async () => {
    const { store } = await world();
    const refused = summary('Step f1-j2 (cases to OSCaR) failed', false, {
      step: 'f1-j2',
      system: 'oscar',
      refusedSignIn: true,
    });
    recordRunSignIns(store, refused);
    recordRunSignIns(
      store,
      summary('Step f1-j1 (get Primero cases) failed: Primero did not answer'),
    );
    expect(pausedSystems(store)).toEqual([]);
    expect(recordRunSignIns(store, refused).map((pause) => pause.system)).toEqual(['oscar']);
    expect(pausedSystems(store).map((pause) => pause.system)).toEqual(['oscar']);
    recordRunSignIns(store, summary(undefined, true));
    expect(pausedSystems(store)).toEqual([]);
    recordRunSignIns(store, refused);
    expect(pausedSystems(store)).toEqual([]);
  });
});
