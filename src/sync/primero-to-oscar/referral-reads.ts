// f1-j1's referral reads (one GET per case that refers a service to OSCaR), in the order f1
// finishes a window in and within the run's budget: the cases after the first read the budget
// refuses are deferred whole, so the cases done always come before the ones left for the next run.
import type { PrimeroCase, PrimeroReferral } from '../../model/primero.ts';
import type { RunBudget } from '../../workflow/budget.ts';
import { hasReferralToOscar } from '../primero-to-oscar.ts';

export interface ReferralReads {
  /** Cases looked at in full this run, in the order given. */
  done: PrimeroCase[];
  /** Cases left for the next run (the tail of the order). */
  deferred: PrimeroCase[];
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
): Promise<ReferralReads> {
  const referrals: Record<string, PrimeroReferral[]> = {};
  let next = 0;
  let stopAt: number | undefined;
  let outage: { error: unknown } | undefined;
  const lane = async () => {
    while (stopAt === undefined && !outage && next < ordered.length) {
      const index = next++;
      const record = ordered[index]!;
      if (!hasReferralToOscar(record)) continue;
      if (!budget.take('f1-read')) {
        stopAt = index;
        return;
      }
      try {
        referrals[record.id] = await read(record.id);
      } catch (error) {
        outage ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, ordered.length)) }, lane));
  if (outage) throw outage.error;
  const end = stopAt ?? ordered.length;
  return { done: ordered.slice(0, end), deferred: ordered.slice(end), referrals };
}
