// A stand-in for src/workflow/run.ts that honours the contract the runner relies on: it refuses
// without a start, covers [since ?? stored cursor, now], keeps the later cursor, retries carried
// items, and dead-letters an item after maxAttempts. Tests script what it meets through `world`.
import { STEP_IDS } from '../../src/workflow/contract.ts';
import type {
  CarriedState,
  FailedItem,
  RunOutcome,
  RunSummary,
  RunWorkflowOptions,
  StepCounts,
  StepId,
  SystemsConfig,
} from '../../src/workflow/contract.ts';

export const TEST_SYSTEMS: SystemsConfig = {
  primero: { url: 'http://127.0.0.1:1', username: 'primero_cp', password: 'Primero-Secret-4821' },
  oscar: { url: 'http://127.0.0.1:2', email: 'sync@oscar.test', password: 'Oscar-Secret-9377' },
};

export interface StubWorld {
  /** The clock the stub's systems report (the next cursor). */
  now: string;
  /** Items (by key) whose data is broken: they fail each time they are tried. */
  broken: Set<string>;
  /** Items new in the window, tried once each run they are seen. */
  incoming: FailedItem[];
  /** Written item keys, in order: a duplicate shows up twice. */
  written: string[];
  /** What each call received. */
  calls: RunWorkflowOptions[];
  /** Lines the workflow logs during a run. */
  logLines: string[];
  /** Throw instead of returning an outcome. */
  crash?: string;
  /** Resolve only when this promise does (a long run). */
  hold?: Promise<void>;
  /** Called when the stub enters a step (the SIGKILL test blocks in f2-j2). */
  onStep?: (step: StepId) => Promise<void> | void;
}

export function createWorld(overrides: Partial<StubWorld> = {}): StubWorld {
  return {
    now: '2024-06-01T10:00:00.000Z',
    broken: new Set(),
    incoming: [],
    written: [],
    calls: [],
    logLines: [],
    ...overrides,
  };
}

export function failedItem(key: string, attempts = 1): FailedItem {
  return {
    key,
    step: 'f2-j2',
    kind: 'case',
    ids: { global_id: key.split(':').pop() ?? key },
    reason: 'ambiguous match: two Primero cases carry this oscar_number',
    attempts,
    firstFailedAt: '2024-05-01T00:00:00.000Z',
    lastFailedAt: '2024-05-01T00:00:00.000Z',
  };
}

const zero = (): StepCounts => ({ fetched: 0, written: 0, unchanged: 0, failed: 0, skipped: 0 });
const later = (a: string | undefined, b: string) => (a !== undefined && a > b ? a : b);

export function createStubWorkflow(world: StubWorld) {
  return async function runWorkflow(options: RunWorkflowOptions): Promise<RunOutcome> {
    world.calls.push(options);
    const startedAt = new Date().toISOString();
    const carried: CarriedState = options.carried ?? { cursors: {}, retries: [], deadLetters: [] };
    const steps = Object.fromEntries(STEP_IDS.map((step) => [step, zero()])) as Record<
      StepId,
      StepCounts
    >;
    const from = options.since
      ? { primero: options.since, oscar: options.since.slice(0, 19).replace('T', ' ') }
      : carried.cursors;
    const summary: RunSummary = {
      ok: true,
      dryRun: options.dryRun ?? false,
      startedAt,
      finishedAt: startedAt,
      from,
      to: from,
      steps,
      failed: [],
      deadLettered: [],
      planned: [],
    };
    if (!from.primero) {
      return {
        summary: {
          ...summary,
          ok: false,
          error: 'No start for the window: give --since <ISO date-time> on the first run',
        },
        next: carried,
      };
    }
    for (const line of world.logLines) options.logSink?.('info', line);
    if (world.crash) throw new Error(world.crash);
    if (world.hold) await world.hold;

    const retries: FailedItem[] = [];
    const deadLetters = [...carried.deadLetters];
    const maxAttempts = options.settings?.maxAttempts ?? 3;
    const tried = [
      ...carried.retries,
      ...world.incoming.filter((item) => !carried.retries.some((r) => r.key === item.key)),
    ];
    for (const step of STEP_IDS) {
      await world.onStep?.(step);
      options.onProgress?.({
        step,
        phase: 'running',
        done: 0,
        total: step === 'f2-j2' ? tried.length : 0,
      });
      if (step !== 'f2-j2') {
        options.onProgress?.({ step, phase: 'done', done: 0, total: 0, counts: steps[step] });
        continue;
      }
      for (const [index, item] of tried.entries()) {
        steps['f2-j2'].fetched += 1;
        if (world.broken.has(item.key)) {
          const failed = { ...item, attempts: item.attempts + 1, lastFailedAt: startedAt };
          steps['f2-j2'].failed += 1;
          summary.failed.push(failed);
          if (failed.attempts >= maxAttempts) {
            summary.deadLettered.push(failed);
            deadLetters.push(failed);
          } else retries.push(failed);
        } else if (options.dryRun) {
          summary.planned.push({ step, action: 'update case', ids: item.ids });
        } else {
          world.written.push(item.key);
          steps['f2-j2'].written += 1;
          (summary.succeeded ??= []).push({
            key: item.key,
            step,
            outcome: 'written',
            ids: item.ids,
          });
        }
        options.onProgress?.({ step, phase: 'running', done: index + 1, total: tried.length });
      }
      const done = tried.length;
      options.onProgress?.({ step, phase: 'done', done, total: done, counts: steps[step] });
    }
    const to = {
      primero: later(carried.cursors.primero, world.now),
      oscar: later(carried.cursors.oscar, world.now.slice(0, 19).replace('T', ' ')),
    };
    summary.to = to;
    summary.finishedAt = new Date().toISOString();
    if (options.dryRun) return { summary, next: carried };
    return { summary, next: { cursors: to, retries, deadLetters } };
  };
}
