// f1-j1's referral reads (one GET per case that refers a service to OSCaR), in the order f1
// finishes a window in and within the run's budget: the cases after the first read the budget
// refuses are deferred whole, so the cases done always come before the ones left for the next run.
// A read Primero refuses for one case (case-failures.ts) fails that case alone; the others go on.
// A case f1 already settled at its listed last_updated_at (settled-cases.ts) is looked at without
// a read and without the budget.
import type { PrimeroCase, PrimeroReferral } from '../../model/primero.ts';
import type { RunBudget } from '../../workflow/budget.ts';
import { isCaseReadError } from './case-failures.ts';
import { hasReferralToOscar } from './selection.ts';

export interface ReferralReads {
  /** Cases looked at in full this run, in the order given (without the failed ones). */
  done: PrimeroCase[];
  /** Cases whose referrals Primero refused, with why: each fails alone. */
  failed: Array<{ record: PrimeroCase; error: Error }>;
  /** Cases left for the next run (the tail of the order). */
  deferred: PrimeroCase[];
  /** Cases among `done` whose read was skipped: settled already, nothing to read. */
  skipped: PrimeroCase[];
  referrals: Record<string, PrimeroReferral[]>;
}

/**
 * Reads the referrals of `ordered` cases, `lanes` at a time, each lane taking the next case in
 * turn (a budget check means something only when the read it allows starts at once). An outage
 * stops every lane and is thrown once no read is in flight.
 */
export async function readReferralsInOrder(
  ordered: readonly PrimeroCase[],
  read: (primeroId: string) => Promise<PrimeroReferral[]>,
  budget: RunBudget,
  lanes: number,
  settled: (record: PrimeroCase) => boolean = () => false,
): Promise<ReferralReads> {
  const referrals: Record<string, PrimeroReferral[]> = {};
  const failed: ReferralReads['failed'] = [];
  const skipped = new Set<string>();
  let next = 0;
  let stopAt: number | undefined;
  let outage: { error: unknown } | undefined;
  const lane = async () => {
    while (stopAt === undefined && !outage && next < ordered.length) {
      const index = next++;
      const record = ordered[index]!;
      if (!hasReferralToOscar(record)) continue;
      if (settled(record)) {
        skipped.add(record.id);
        continue;
      }
      if (!budget.take('f1-read')) {
        stopAt = index;
        return;
      }
      try {
        referrals[record.id] = await read(record.id);
      } catch (error) {
        if (isCaseReadError(error)) failed.push({ record, error });
        else outage ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, ordered.length)) }, lane));
  if (outage) throw outage.error;
  const end = stopAt ?? ordered.length;
  const failedIds = new Set(failed.map(({ record }) => record.id));
  const done = ordered.slice(0, end).filter((record) => !failedIds.has(record.id));
  return {
    done,
    failed,
    deferred: ordered.slice(end),
    skipped: done.filter((record) => skipped.has(record.id)),
    referrals,
  };
}
