// The run's summary: counts per step and outcome, failed items' ids and reasons, planned writes in
// a dry run. This is all the runner and the console ever see of a run: no field of either system.
import type { BudgetStop, CarriedState, FailedItem, RunSummary } from './contract.ts';
import { emptyReport } from './outcomes.ts';
import type { Report } from './outcomes.ts';

export function buildSummary(input: {
  ok: boolean;
  dryRun: boolean;
  startedAt: string;
  from: CarriedState['cursors'];
  to: CarriedState['cursors'];
  report?: Report;
  deadLettered?: FailedItem[];
  error?: string;
  budget?: BudgetStop;
}): RunSummary {
  const report = input.report ?? emptyReport();
  return {
    ok: input.ok,
    dryRun: input.dryRun,
    startedAt: input.startedAt,
    finishedAt: new Date().toISOString(),
    from: input.from,
    to: input.to,
    steps: report.steps,
    kinds: report.kinds,
    failed: report.failed,
    deadLettered: input.deadLettered ?? [],
    ...(report.succeeded?.length ? { succeeded: report.succeeded } : {}),
    planned: report.planned,
    ...(report.overdueReferrals ? { overdueReferrals: report.overdueReferrals } : {}),
    ...(input.error !== undefined ? { error: input.error } : {}),
    ...(input.budget ? { budget: input.budget } : {}),
  };
}
