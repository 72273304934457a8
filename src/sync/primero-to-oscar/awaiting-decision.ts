// Referrals sent to OSCaR and not yet answered by an NGO. OSCaR lets an NGO decline a referral
// without creating a client, and then no listing shows the decision (docs/oscar-api-defects.md):
// the only sign is time. Each confirmed referral leaves an `awaiting:` record in the sent ledger
// (ids only); it goes when Primero shows the referral decided (pruneSent), and one older than the
// allowed days is reported as overdue in the run summary.
import type { OverdueReferral, SentRecord } from '../../workflow/contract.ts';
import type { ReferralToOscar } from '../../model/to-oscar.ts';

export const AWAITING_PREFIX = 'awaiting:';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The ledger record of a referral OSCaR confirmed: `<primero id> <case id> <organisation>`. */
export function awaitingRecord(
  item: Pick<ReferralToOscar, 'ids'>,
  organisation: string,
  at: string,
): SentRecord {
  return {
    key: `${AWAITING_PREFIX}${item.ids.referral_id}`,
    value: [item.ids.primero_id, item.ids.case_id, organisation].join(' '),
    at,
  };
}

/** Referrals waiting longer than `days` (whole days, rounded down), longest first. */
export function overdueReferrals(
  sent: readonly SentRecord[],
  now: Date,
  days: number,
): OverdueReferral[] {
  const overdue: OverdueReferral[] = [];
  for (const record of sent) {
    if (!record.key.startsWith(AWAITING_PREFIX)) continue;
    const waitedMs = now.getTime() - Date.parse(record.at);
    if (!(waitedMs > days * DAY_MS)) continue;
    const [primeroId = '', caseId = '', organisation = ''] = record.value.split(' ');
    const referralId = record.key.slice(AWAITING_PREFIX.length);
    overdue.push({
      key: `f1-j2:overdue:${caseId}:${referralId}`,
      ids: { case_id: caseId, primero_id: primeroId, referral_id: referralId },
      organisation,
      sentAt: record.at,
      daysWaiting: Math.floor(waitedMs / DAY_MS),
    });
  }
  return overdue.sort((a, b) => b.daysWaiting - a.daysWaiting);
}
