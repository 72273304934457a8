// Runs started from the console, followed while they execute so the page can show live progress.
// The stored run record is the history; this is only the few seconds-to-minutes of "now running".
import { randomUUID } from 'node:crypto';
import type { Progress, RunSummary, StepId } from '../workflow/contract.ts';
import type { ConsoleBackend, RunRequest, StartedRunResult } from './backend.ts';

/** One step as the live page shows it: running with items done of total, or done. */
export interface StepProgress {
  phase: 'running' | 'done';
  done: number;
  total: number;
}

export interface LiveRun {
  id: string;
  request: RunRequest;
  state: 'running' | 'finished' | 'refused';
  startedAt: string;
  /** The stored run, once the runner has recorded it. */
  runId?: string;
  /** Latest progress per step; a step not in it is still waiting. */
  progress: Partial<Record<StepId, StepProgress>>;
  summary?: RunSummary;
  /** With a retry: what became of each retried item. */
  retried?: StartedRunResult['retried'];
  error?: string;
}

/** Live runs are forgotten after this long; their history stays in the store. */
const KEEP_FINISHED_MS = 60 * 60_000;

export class LiveRuns {
  private readonly runs = new Map<string, LiveRun>();

  constructor(private readonly backend: ConsoleBackend) {}

  /** Starts a run and returns at once; the run goes on in the background. */
  start(request: RunRequest): LiveRun {
    this.forgetOld();
    const live: LiveRun = {
      id: randomUUID(),
      request,
      state: 'running',
      startedAt: new Date().toISOString(),
      progress: {},
    };
    this.runs.set(live.id, live);
    this.backend
      .startRun(request, {
        onStarted: (runId) => {
          live.runId = runId;
        },
        onProgress: (progress: Progress) => {
          live.progress[progress.step] = {
            phase: progress.phase ?? 'running',
            done: progress.done,
            total: progress.total,
          };
        },
      })
      .then(
        (result) => {
          if (result.runId) live.runId = result.runId;
          if (result.summary) live.summary = result.summary;
          if (result.retried) live.retried = result.retried;
          if (result.error) live.error = result.error;
          live.state = result.runId || result.summary ? 'finished' : 'refused';
        },
        (error: unknown) => {
          live.error = error instanceof Error ? error.message : String(error);
          live.state = live.runId ? 'finished' : 'refused';
        },
      );
    return live;
  }

  get(id: string): LiveRun | undefined {
    return this.runs.get(id);
  }

  /** Resolves when every run started here has finished (used when the server closes). */
  async settled(pollMs = 50): Promise<void> {
    while ([...this.runs.values()].some((run) => run.state === 'running')) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private forgetOld(): void {
    const cutoff = Date.now() - KEEP_FINISHED_MS;
    for (const [id, run] of this.runs) {
      if (run.state !== 'running' && Date.parse(run.startedAt) < cutoff) this.runs.delete(id);
    }
  }
}
