// The sent ledger: what OSCaR has already received (docs/sync-rules.md, "Sent ledger"). Every
// "already sent" check of f1 is here, so selection, the global-id check and the writes agree on it.
// How the ledger is stored is src/workflow/carried-items.ts; this module only reads and prunes it.
import type { SentRecord } from '../../workflow/contract.ts';
import type { DecisionForOscar, LinkForOscar } from '../../model/to-oscar.ts';
import { ApiError, surelyUnprocessed } from '../../http/errors.ts';
import { oscarStatusForServiceRow } from '../../mapping/index.ts';

/** The ledger by key. */
export type SentLedger = ReadonlyMap<string, SentRecord>;

export const sentLedgerOf = (records: readonly SentRecord[]): Map<string, SentRecord> =>
  new Map(records.map((record) => [record.key, record]));

/**
 * Sent-ledger value of a referral whose upsert OSCaR did not confirm (no answer, 500/502/504):
 * OSCaR may hold it, and re-sending would create a second referral (apis.md §2.3).
 */
export const UNCONFIRMED_SEND = 'unconfirmed';

/** How far a referral got: never sent, confirmed by OSCaR, or sent without a confirmation. */
export function referralSendState(
  sent: SentLedger,
  sentKey: string,
): 'unsent' | 'confirmed' | 'unconfirmed' {
  const record = sent.get(sentKey);
  if (!record) return 'unsent';
  return record.value === UNCONFIRMED_SEND ? 'unconfirmed' : 'confirmed';
}

/** The value the ledger stores for a decision: what OSCaR was told. */
export const decisionSentValue = (decision: DecisionForOscar) =>
  oscarStatusForServiceRow(decision.rowStatus);

/** OSCaR was told this decision already: sending it again changes nothing. */
export const decisionAlreadySent = (sent: SentLedger, decision: DecisionForOscar) =>
  sent.get(decision.sentKey)?.value === decisionSentValue(decision);

/** OSCaR holds this link already (the same case id for the global id). */
export const linkAlreadySent = (sent: SentLedger, link: LinkForOscar) =>
  sent.get(link.sentKey)?.value === link.link.external_id;

/**
 * Whether OSCaR may have applied an upsert it did not confirm: no answer (dropped, timed out), a
 * 5xx other than 503, or a success whose body could not be read. 429/503 and refused connections
 * are surely unprocessed (the transport repeats them; exhausted, they fail the step and the next
 * run sends again); 4xx are OSCaR refusing the item.
 */
export function isUnconfirmedUpsert(error: unknown): boolean {
  if (!(error instanceof ApiError) || surelyUnprocessed(error)) return false;
  const status = error.status;
  return status === undefined || status >= 500 || (status >= 200 && status < 300);
}

/** Sent-ledger records older than this are pruned (a backfill further back may resend). */
const SENT_RETENTION_DAYS = 400;

/**
 * The records still within the ledger's retention: one past it counts as never sent. The steps
 * read only the records they consult, so a record expires when it is next consulted (and f1-j2
 * removes it then); one never consulted again stays in the store, inert.
 */
export function retainedSent(
  records: readonly SentRecord[],
  now: Date,
  retentionDays = SENT_RETENTION_DAYS,
): { kept: SentRecord[]; expired: string[] } {
  const oldest = now.getTime() - retentionDays * 24 * 60 * 60 * 1000;
  const kept: SentRecord[] = [];
  const expired: string[] = [];
  for (const record of records)
    if (Date.parse(record.at) < oldest) expired.push(record.key);
    else kept.push(record);
  return { kept, expired };
}

/** The ledger key of a Primero referral sent to OSCaR. */
export const referralSentKey = (referralId: string) => `referral:${referralId}`;

/**
 * The ledger to carry on: this run's records win, records of referrals Primero no longer has
 * in progress are dropped (they can never be selected again), and old ones expire.
 */
export function pruneSent(
  sent: readonly SentRecord[],
  closedReferralIds: ReadonlySet<string>,
  now: Date,
  retentionDays = SENT_RETENTION_DAYS,
): SentRecord[] {
  const byKey = new Map<string, SentRecord>();
  for (const record of sent) byKey.set(record.key, record);
  return retainedSent([...byKey.values()], now, retentionDays).kept.filter((record) => {
    // A decided referral needs neither its sent record nor its awaiting-decision record.
    const prefix = ['referral:', 'awaiting:'].find((p) => record.key.startsWith(p));
    const referralId = prefix ? record.key.slice(prefix.length) : undefined;
    return referralId === undefined || !closedReferralIds.has(referralId);
  });
}
