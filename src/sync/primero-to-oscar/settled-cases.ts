// Cases f1 already settled (docs/sync-rules.md), so that a case listed again unchanged costs no
// referral read. f1-j1 lists every case updated since the cursor less the re-read margin, and each
// run after a busy one would otherwise read again the referrals of every case it just sent.
// Per Primero case f1 keeps the `last_updated_at` at which it last settled the case: its referrals
// were read and every referral selected from them is confirmed in the sent ledger (or none was
// selected). The item is written by f1-j2's last operation, once the ledger holds the outcomes: a
// run that fails or is killed before then leaves the case unsettled and the next run reads it.
// Primero stamps a case's last_updated_at when a referral is created, rejected, done or revoked
// (primeroIMS/primero app/models/referral.rb `perform`, `reject!`, `done!`, `revoke!`), so a new
// referral always brings its case back unsettled.
import type { PrimeroCase } from '../../model/primero.ts';
import type { ReferralToOscar } from '../../model/to-oscar.ts';
import type { CarriedState, FailedItem, SentRecord } from '../../workflow/contract.ts';
import type { StateStore } from '../../workflow/state-store.ts';
import { assertKey } from '../../workflow/state-store.ts';
import { referralSendState, sentLedgerOf } from './sent-ledger.ts';

/** Store items `seen:f1:<primero id>`, the case's last_updated_at when f1 last settled it. */
export const SETTLED_PREFIX = 'seen:f1:';

const keyOf = (primeroId: string): string | undefined => {
  try {
    return assertKey(`${SETTLED_PREFIX}${primeroId}`);
  } catch {
    // An id no key can hold is never settled: the case is read every time it is listed.
    return undefined;
  }
};

/** A case read this run that f1-j2 settles if its referrals all landed (ids and times only). */
export interface SettleCandidate {
  primero_id: string;
  /** The case's last_updated_at as listed. */
  at: string;
  /** Ledger keys of the referrals selected from this case. */
  sentKeys: string[];
}

/** Per Primero id, the last_updated_at at which f1 settled the case (a plain object: it is state). */
export type SettledAt = Readonly<Record<string, string>>;

/** The last_updated_at at which each of these cases was settled, by Primero id. */
export async function settledAt(
  store: StateStore,
  cases: readonly PrimeroCase[],
): Promise<SettledAt> {
  const keys = cases.flatMap((record) => keyOf(record.id) ?? []);
  const held: Record<string, string> = {};
  if (keys.length === 0) return held;
  for (const item of await store.get(keys, SETTLED_PREFIX))
    if (typeof item.value === 'string') held[item.key.slice(SETTLED_PREFIX.length)] = item.value;
  return held;
}

/** Primero ids of cases with an f1 item carried for retry or dead-lettered: always read. */
export function carriedCaseIds(
  carried: Pick<CarriedState, 'retries' | 'deadLetters'>,
): Set<string> {
  return new Set(
    [...carried.retries, ...carried.deadLetters]
      .filter((item) => item.step === 'f1-j1' || item.step === 'f1-j2')
      .flatMap((item) => item.ids.primero_id ?? []),
  );
}

/**
 * Whether the referral read of `record` can be skipped: it was settled at exactly this
 * last_updated_at, no item of it is carried, and the operator gave no explicit start.
 */
export function alreadySettled(
  record: PrimeroCase,
  held: SettledAt,
  rules: { explicitStart: boolean; carried: ReadonlySet<string> },
): boolean {
  if (rules.explicitStart || rules.carried.has(record.id)) return false;
  const at = held[record.id];
  return at !== undefined && at === record.last_updated_at;
}

/** The cases read this run whose settled value would change, with the referrals they selected. */
export function settleCandidates(
  read: readonly PrimeroCase[],
  held: SettledAt,
  selected: readonly ReferralToOscar[],
): SettleCandidate[] {
  const sentKeys = new Map<string, string[]>();
  for (const item of selected)
    sentKeys.set(item.ids.primero_id, [...(sentKeys.get(item.ids.primero_id) ?? []), item.sentKey]);
  return read
    .filter((record) => held[record.id] !== record.last_updated_at)
    .map((record) => ({
      primero_id: record.id,
      at: record.last_updated_at,
      sentKeys: sentKeys.get(record.id) ?? [],
    }));
}

/**
 * The candidates settled once f1-j2 is done: every referral selected from the case confirmed in
 * the ledger (an unconfirmed, failed or deferred one is not), and no f1 item of the case failed
 * this run or carried from an earlier one.
 */
export function settledCases(
  candidates: readonly SettleCandidate[],
  ledger: readonly SentRecord[],
  failed: readonly FailedItem[],
  carried: Pick<CarriedState, 'retries' | 'deadLetters'>,
): SettleCandidate[] {
  const sent = sentLedgerOf(ledger);
  const open = carriedCaseIds({
    retries: [...carried.retries, ...failed],
    deadLetters: carried.deadLetters,
  });
  return candidates.filter(
    (candidate) =>
      !open.has(candidate.primero_id) &&
      candidate.sentKeys.every((key) => referralSendState(sent, key) === 'confirmed'),
  );
}

/** Writes one item per settled case (the candidates already differ from what is stored). */
export async function rememberSettled(
  store: StateStore,
  settled: readonly SettleCandidate[],
): Promise<void> {
  const items = settled.flatMap((candidate) => {
    const key = keyOf(candidate.primero_id);
    return key === undefined ? [] : [{ key, value: candidate.at }];
  });
  if (items.length > 0) await store.set(items);
}
