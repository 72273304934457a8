// One run of the real sync, in its own process, so that its peak RSS is the sync's and not the
// emulators' (they live in the bench process). Started by bench/run.ts with an IPC channel: it
// receives a WorkerRequest, runs the runner's runOnce (store in `home`) and answers a WorkerResult.
import { openStore } from '../src/runner/store.ts';
import { createRunner } from '../src/runner/run-once.ts';
import { runWorkflow } from '../src/workflow/run.ts';
import { useJobSource } from '../src/workflow/plan.ts';
import { bundledJobs } from '../src/cli/jobs.ts';
import type { CarriedState, StepCounts, StepId, SystemsConfig } from '../src/workflow/contract.ts';

export interface WorkerRequest {
  home: string;
  systems: SystemsConfig;
  /** Explicit start of the first run; later runs continue from the stored cursors. */
  since?: string;
  concurrency: number;
  /** The run's time budget (the budget scenario). */
  maxRunSeconds?: number;
}

export interface WorkerResult {
  status: 'succeeded' | 'failed' | 'refused';
  error?: string;
  wallMs: number;
  /** Peak resident set size of this process (the sync), MB. */
  peakRssMb: number;
  /** RSS before the run started (Node and the modules loaded), MB. */
  baselineRssMb: number;
  /**
   * Peak RSS so far when each step had finished (the step's output copied on), MB. The step where
   * it rises is where the peak was reached.
   */
  peakRssAfterStepMb?: Partial<Record<StepId, number>>;
  from?: CarriedState['cursors'];
  to?: CarriedState['cursors'];
  steps?: Record<StepId, StepCounts>;
  failedItems?: number;
  /** The first few failure reasons (ids and reasons only), to explain a failed target. */
  failureReasons?: string[];
  /** The run's budget line when it stopped at its budget (the next run continues). */
  budget?: string;
}

// The jobs imported by name, as the CLI does: the worker runs compiled (bench/run.ts), where the
// job files cannot be loaded by path.
useJobSource(bundledJobs);

const megabytes = (kilobytes: number) => Math.round((kilobytes / 1024) * 10) / 10;
const peakRssMbNow = () => megabytes(process.resourceUsage().maxRSS);

async function runOnce(request: WorkerRequest): Promise<WorkerResult> {
  const store = openStore(request.home);
  try {
    const runner = createRunner({
      store,
      runWorkflow,
      systems: request.systems,
      settings: {
        concurrency: request.concurrency,
        ...(request.maxRunSeconds ? { maxRunSeconds: request.maxRunSeconds } : {}),
      },
    });
    const baselineRssMb = megabytes(process.memoryUsage().rss / 1024);
    const started = performance.now();
    const peakRssAfterStepMb: Partial<Record<StepId, number>> = {};
    const result = await runner.runOnce({
      // Once per step, when it ends: progress comes per item, and reading the peak per item
      // cost the measured run a noticeable share of its CPU.
      onProgress: ({ step, phase }) => {
        if (phase === 'done') peakRssAfterStepMb[step] = peakRssMbNow();
      },
      trigger: 'manual',
      ...(request.since ? { since: request.since } : {}),
    });
    const wallMs = performance.now() - started;
    const peakRssMb = peakRssMbNow();
    if (result.status === 'refused')
      return { status: 'refused', error: result.reason, wallMs, peakRssMb, baselineRssMb };
    const { summary } = result;
    const reasons = [
      ...new Set(summary.failed.map((item) => `${item.step} ${item.kind}: ${item.reason}`)),
    ];
    return {
      // The bench reports failed items itself: an amber run counts as a run that finished.
      status: result.status === 'failed' ? 'failed' : 'succeeded',
      ...(summary.error ? { error: summary.error } : {}),
      wallMs,
      peakRssMb,
      baselineRssMb,
      peakRssAfterStepMb,
      from: summary.from,
      to: summary.to,
      steps: summary.steps,
      failedItems: summary.failed.length,
      failureReasons: reasons.slice(0, 5),
      ...(summary.budget ? { budget: summary.budget.message } : {}),
    };
  } finally {
    store.close();
  }
}

process.once('message', (message) => {
  runOnce(message as WorkerRequest).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      const text = error instanceof Error ? error.message : String(error);
      process.send?.(
        {
          status: 'failed',
          error: text,
          wallMs: 0,
          peakRssMb: 0,
          baselineRssMb: 0,
        } satisfies WorkerResult,
        () => process.exit(1),
      );
    },
  );
});
