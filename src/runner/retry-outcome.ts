// What became of each item a retry put back in the list: landed (written, or found already
// there), failed again (with the reason; dead-lettered again when it reached the limit), or still
// waiting (this run did not meet it: it stays in the retry list for the next run). A retry run
// that "succeeded" says nothing about the item the administrator retried; this does.
import type { FailedItem, RunSummary, SucceededItem } from '../workflow/contract.ts';
import { deadLetterId } from './store.ts';

export type RetriedOutcome = 'landed' | 'failed again' | 'dead-lettered again' | 'still waiting';

export interface RetriedItem {
  key: string;
  /** The dead-letter id it had or would have (`dl-…`), to quote. */
  id: string;
  outcome: RetriedOutcome;
  reason?: string;
}

export function retriedOutcomes(
  retried: readonly Pick<FailedItem, 'key'>[],
  summary: Pick<RunSummary, 'failed' | 'deadLettered' | 'dryRun'>,
  succeeded: readonly SucceededItem[],
): RetriedItem[] {
  const landed = new Set(succeeded.map((item) => item.key));
  const failed = new Map(summary.failed.map((item) => [item.key, item]));
  const dead = new Set(summary.deadLettered.map((item) => item.key));
  return retried.map(({ key }) => {
    const id = deadLetterId(key);
    const failure = failed.get(key);
    if (failure)
      return {
        key,
        id,
        outcome: dead.has(key) ? 'dead-lettered again' : 'failed again',
        reason: failure.reason,
      };
    if (landed.has(key)) return { key, id, outcome: 'landed' };
    return {
      key,
      id,
      outcome: 'still waiting',
      reason: 'not met by this run; it stays in the retry list for the next run',
    };
  });
}

export function formatRetried(items: readonly RetriedItem[]): string[] {
  return items.map(
    (item) =>
      `Retried ${item.id} (${item.key}): ${item.outcome}${item.reason ? ` - ${item.reason}` : ''}`,
  );
}
