// A global id two Primero cases hold cannot say which child OSCaR means (docs/sync-rules.md,
// "Decisions and links"): the original jobs linked (and later updated) whichever case came first.
// Such links and referrals fail until a case worker merges the cases.
import type { ReadableCases } from '../../clients/primero.ts';
import type { SentRecord } from '../../workflow/contract.ts';
import type { FailureInput } from '../../workflow/outcomes.ts';
import type { ToOscarBatch } from '../../model/to-oscar.ts';
import { linkAlreadySent, sentLedgerOf } from './sent-ledger.ts';

/**
 * OSCaR global ids this batch is about to send as a child's identity: links OSCaR does not have
 * yet and referrals of children who already have one. Each must belong to one Primero case.
 */
export function globalIdsToCheck(batch: ToOscarBatch, sent: readonly SentRecord[]): string[] {
  const ledger = sentLedgerOf(sent);
  const ids = [
    ...batch.links
      .filter((item) => !linkAlreadySent(ledger, item))
      .map((item) => item.ids.global_id),
    ...batch.referrals
      .filter((item) => !item.unconfirmed)
      .map((item) => (item.case.oscar_number ?? '').trim()),
  ];
  return [...new Set(ids.filter((id) => id !== ''))];
}

/**
 * Takes out of the batch the links and referrals whose global id several Primero cases hold, as
 * failures: sent, they would tie the OSCaR child to whichever case came first.
 */
export function ambiguousGlobalIdFailures(
  batch: ToOscarBatch,
  holders: ReadonlyMap<string, readonly string[]>,
): { batch: ToOscarBatch; failures: FailureInput[] } {
  const shared = (globalId: string | undefined) => {
    const ids = holders.get((globalId ?? '').trim());
    return ids && ids.length > 1 ? ids : undefined;
  };
  const failures: FailureInput[] = [];
  const reason = (globalId: string, ids: readonly string[]) =>
    `ambiguous match: ${ids.length} Primero cases have oscar_number ${globalId} (ids ${ids.join(', ')}): ` +
    'merge them or correct the duplicate in Primero; nothing is sent to OSCaR for them until then';
  const links = batch.links.filter((item) => {
    const ids = shared(item.ids.global_id);
    if (ids)
      failures.push({
        key: item.key,
        step: 'f1-j2',
        kind: 'link',
        ids: item.ids,
        reason: reason(item.ids.global_id, ids),
      });
    return !ids;
  });
  const referrals = batch.referrals.filter((item) => {
    const globalId = item.case.oscar_number ?? '';
    const ids = item.unconfirmed ? undefined : shared(globalId);
    if (ids)
      failures.push({
        key: item.key,
        step: 'f1-j2',
        kind: 'referral',
        ids: item.ids,
        reason: reason(globalId, ids),
      });
    return !ids;
  });
  return { batch: { ...batch, links, referrals }, failures };
}

/**
 * The Primero cases holding one global id, as ids: the readable ones and those of an unexpected
 * shape (which hold it as far as anyone can tell); `?` stands for one Primero gave without an id.
 */
export const holderIds = (found: ReadableCases): string[] => [
  ...found.cases.map((record) => record.id),
  ...found.unreadable.map((record) => record.id ?? '?'),
];
