// The timer: runs the workflow on a cron pattern (hourly at minute 00 unless told otherwise), never
// two runs at once. A tick that comes while a run is still going is skipped and said so, whether
// that run is ours (in this process) or another process's (the store's lock).
import { Cron } from 'croner';
import { cronProblem } from '../config/cron.ts';
import { recordRefusal } from './run-once.ts';
import type { Runner, RunOnceOptions, RunOnceResult } from './run-once.ts';
import { outcomeText } from './verdict.ts';
import { pauseMessage, pausedSystems } from './sign-in-brake.ts';

export interface ScheduleOptions {
  runner: Runner;
  /** croner pattern; 5 fields, or 6 with seconds first (tests use `*\/2 * * * * *`). */
  cron: string;
  /** Where the scheduler says what it does (one line per event). */
  say: (line: string) => void;
  /** Extra options for each run (progress reporting). */
  runOptions?: Omit<RunOnceOptions, 'trigger' | 'since' | 'dryRun' | 'retry'>;
  /** Called after each run the scheduler started (tests, the console). */
  onRunFinished?: (result: RunOnceResult) => void;
  /** How often the scheduler tells the store it is alive (so `status` shows the next run). */
  heartbeatMs?: number;
}

export interface Schedule {
  nextRun(): Date | undefined;
  /** True while a run started by this schedule is going. */
  isRunning(): boolean;
  /** Stops the timer and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/** Throws a message naming the pattern when croner cannot parse it or it never fires. */
export function validateCron(pattern: string, source = 'cron pattern'): void {
  const problem = cronProblem(pattern, source);
  if (problem !== undefined) throw new Error(problem);
}

/**
 * One tick's work: a run, unless a system's sign-in is paused (every run signs in to both, so
 * none starts); alert digests whose hour has passed go out either way. Says what happened.
 */
export async function scheduledRun(
  options: Pick<ScheduleOptions, 'runner' | 'say' | 'runOptions' | 'onRunFinished'>,
  at = new Date().toISOString(),
): Promise<void> {
  const { runner, say } = options;
  try {
    const paused = pausedSystems(runner.store);
    if (paused.length > 0) {
      for (const pause of paused) say(`${at} tick skipped: ${pauseMessage(pause)}`);
      recordRefusal(runner.store, { trigger: 'schedule' }, paused.map(pauseMessage).join(' '));
      await runner.flushAlerts((line) => say(`${at} ${line}`));
      return;
    }
    const result = await runner.runOnce({ ...options.runOptions, trigger: 'schedule' });
    if (result.status === 'refused') say(`${at} tick skipped: ${result.reason}`);
    else say(`${at} ${runLine(result)}`);
    options.onRunFinished?.(result);
  } catch (error) {
    say(`${at} run could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** "run <id> failed: <reason>" or "run <id> succeeded with 2 failed items (1 dead-lettered)". */
function runLine(result: Exclude<RunOnceResult, { status: 'refused' }>): string {
  const { summary } = result;
  // An amber run's outcome already counts its failed items.
  const items = [
    summary.failed.length > 0 && result.status !== 'succeeded-with-failures'
      ? `${summary.failed.length} failed item(s)`
      : '',
    summary.deadLettered.length > 0 ? `${summary.deadLettered.length} dead-lettered` : '',
  ].filter(Boolean);
  const error = summary.error ? `: ${summary.error}` : '';
  return `run ${result.run.id} ${outcomeText(result.run)}${items.length > 0 ? ` (${items.join(', ')})` : ''}${error}`;
}

export function startSchedule(options: ScheduleOptions): Schedule {
  const { runner, say } = options;
  validateCron(options.cron);
  const store = runner.store;
  let current: Promise<void> | undefined;

  const nextRun = () => job.nextRun() ?? undefined;
  const heartbeat = () => {
    const next = nextRun();
    store.recordScheduler({
      cron: options.cron,
      ...(next ? { nextRunAt: next.toISOString() } : {}),
    });
  };

  const tick = () => {
    const at = new Date().toISOString();
    if (current) {
      say(`${at} tick skipped: the previous run is still in progress`);
      return;
    }
    current = (async () => {
      try {
        await scheduledRun(options, at);
      } finally {
        current = undefined;
        heartbeat();
        const next = nextRun();
        if (next) say(`next run due at ${next.toISOString()}`);
      }
    })();
  };

  // No croner `protect`: we want to say that a tick was skipped, not drop it silently.
  const job = new Cron(options.cron, tick);
  heartbeat();
  const alive = setInterval(heartbeat, options.heartbeatMs ?? 60_000);
  alive.unref();

  return {
    nextRun,
    isRunning: () => current !== undefined,
    async stop() {
      job.stop();
      clearInterval(alive);
      if (current) await current;
      store.clearScheduler();
    },
  };
}
