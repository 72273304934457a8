// Which referrals, decisions and links a window of Primero cases asks OSCaR for (docs/sync-rules.md,
// "Which referrals go to OSCaR", "Decisions and links"). Whether OSCaR has them already is the sent
// ledger's answer (sent-ledger.ts).
import { caseKey } from './case-failures.ts';
import type { PrimeroCase, PrimeroReferral, ServiceRow } from '../../model/primero.ts';
import { SERVICE_RESPONSE_TYPES } from '../../model/primero.ts';
import { REFERRAL_IN_PROGRESS, isDecidedServiceRowStatus } from '../../mapping/index.ts';
import type {
  DecisionForOscar,
  LinkForOscar,
  ReferralToOscar,
  ToOscarBatch,
} from '../../model/to-oscar.ts';
import { emptyToOscarBatch } from '../../model/to-oscar.ts';
import type { CarriedState } from '../../workflow/contract.ts';
import type { SentLedger } from './sent-ledger.ts';
import { referralSendState, referralSentKey } from './sent-ledger.ts';

const rowsOf = (record: PrimeroCase): ServiceRow[] => record.services_section ?? [];

export const isReferralToOscarRow = (row: ServiceRow) =>
  row.service_response_type === SERVICE_RESPONSE_TYPES.referralToOscar;

/** Only these cases need their referrals fetched (GET /cases/:id/referrals). */
export const hasReferralToOscar = (record: PrimeroCase) =>
  rowsOf(record).some(isReferralToOscarRow);

/**
 * A case f1 can have anything to send for: a referral to OSCaR, a decision on an OSCaR referral,
 * or a link (it holds an OSCaR global id). Others are dropped as the listing is read, so memory
 * follows what concerns OSCaR, not the size of Primero's backlog.
 */
export const concernsOscar = (record: PrimeroCase) =>
  (typeof record.oscar_number === 'string' && record.oscar_number.trim() !== '') ||
  rowsOf(record).some(
    (row) =>
      row.service_response_type === SERVICE_RESPONSE_TYPES.referralToOscar ||
      row.service_response_type === SERVICE_RESPONSE_TYPES.referralFromOscar,
  );

export const referralKey = (record: PrimeroCase, row: ServiceRow) =>
  `f1-j2:referral:${record.case_id}:${row.unique_id}`;
export const decisionKey = (record: PrimeroCase, row: ServiceRow) =>
  `f1-j2:decision:${record.case_id}:${row.unique_id}`;
export const linkKey = (record: PrimeroCase) => `f1-j2:link:${record.case_id}`;

export interface SelectionRules {
  /** Lower bound of this run's window: only referrals created since then are new. */
  windowStart: string;
  /** Keys of items carried for retry (or dead-lettered): selected whatever their age. */
  retryKeys: ReadonlySet<string>;
  /** The sent ledger: what OSCaR already received. */
  sent: SentLedger;
  /**
   * Keys in the retry list (not the dead letters). An unconfirmed referral in it was requeued by
   * an operator (`npx interop retry`) after checking OSCaR: it is sent again.
   */
  requeuedKeys?: ReadonlySet<string>;
  /** Keys of the dead letters: an unconfirmed referral there waits for an operator. */
  deadLetterKeys?: ReadonlySet<string>;
}

/** The rules of this run: its window start, what it carries, and the ledger as the store holds it. */
export function selectionRulesOf(
  windowStart: string,
  carried: Pick<CarriedState, 'retries' | 'deadLetters'>,
  sent: SentLedger,
): SelectionRules {
  const retryKeys = carried.retries.map((item) => item.key);
  const deadLetterKeys = carried.deadLetters.map((item) => item.key);
  return {
    windowStart,
    retryKeys: new Set([...retryKeys, ...deadLetterKeys]),
    requeuedKeys: new Set(retryKeys),
    deadLetterKeys: new Set(deadLetterKeys),
    sent,
  };
}

/**
 * Referrals to OSCaR: a Primero referral `in_progress` whose `service_record_id` is a
 * `referral_to_oscar` row of that case, created in this window (or carried for retry), and not
 * sent before. One item per (case, service row).
 */
export function referralsToOscar(
  record: PrimeroCase,
  referrals: readonly PrimeroReferral[],
  rules: SelectionRules,
): ReferralToOscar[] {
  const rows = new Map(
    rowsOf(record)
      .filter(isReferralToOscarRow)
      .map((row) => [row.unique_id, row]),
  );
  const windowStart = Date.parse(rules.windowStart);
  const items = new Map<string, ReferralToOscar>();
  for (const referral of referrals) {
    const row = referral.service_record_id ? rows.get(referral.service_record_id) : undefined;
    if (!row || !isOpenReferral(referral)) continue;
    const key = referralKey(record, row);
    const sentKey = referralSentKey(referral.id);
    const sendState = referralSendState(rules.sent, sentKey);
    if (sendState === 'confirmed') continue;
    // An unconfirmed referral among the dead letters waits for an operator; one not yet a dead
    // letter (the run that lost the answer failed later) is reported again.
    if (sendState === 'unconfirmed' && rules.deadLetterKeys?.has(key)) continue;
    const unconfirmed = sendState === 'unconfirmed' && !rules.requeuedKeys?.has(key);
    const createdAt = Date.parse(referral.created_at ?? '');
    const inWindow = Number.isNaN(createdAt) || createdAt >= windowStart;
    // A case carried because f1-j1 could not read it was never judged: its referrals count as of
    // the window it failed in, which the cursor has left since (the sent ledger stops a resend).
    if (!inWindow && !rules.retryKeys.has(key) && !rules.retryKeys.has(caseKey(record.id)))
      continue;
    // Two in-progress referrals of one row: the latest is the one the case worker means.
    const earlier = items.get(key);
    if (earlier && (earlier.referral.created_at ?? '') > (referral.created_at ?? '')) continue;
    items.set(key, {
      key,
      ids: {
        case_id: record.case_id,
        primero_id: record.id,
        service_id: row.unique_id,
        referral_id: referral.id,
      },
      sentKey,
      case: record,
      row,
      referral,
      ...(unconfirmed ? { unconfirmed: true as const } : {}),
    });
  }
  return [...items.values()];
}

/** A referral still waiting in Primero: only these are sent, and their ledger records kept. */
const isOpenReferral = (referral: PrimeroReferral) => referral.status === REFERRAL_IN_PROGRESS;

/**
 * Primero referrals seen no longer in progress (decided, revoked, done): their ledger records can
 * go, they can never be selected again (sent-ledger.ts pruneSent).
 */
export function closedReferralIds(
  referralsByCase: Readonly<Record<string, readonly PrimeroReferral[]>>,
): string[] {
  return Object.values(referralsByCase)
    .flat()
    .filter((referral) => !isOpenReferral(referral))
    .map((referral) => referral.id);
}

/**
 * Decisions for OSCaR: `referral_from_oscar` rows decided accepted/rejected that carry a numeric
 * OSCaR referral id. Whether it was sent already is decided by the sender (ledger).
 */
export function decisionsForOscar(record: PrimeroCase): DecisionForOscar[] {
  const decisions: DecisionForOscar[] = [];
  for (const row of rowsOf(record)) {
    if (row.service_response_type !== SERVICE_RESPONSE_TYPES.referralFromOscar) continue;
    const status = row.referral_status_edf41f2;
    if (!isDecidedServiceRowStatus(status)) continue;
    const oscarReferralId = (row.oscar_referral_id_a4ac8a5 ?? '').trim();
    if (!/^\d+$/.test(oscarReferralId)) continue;
    const globalId = record.oscar_number ?? '';
    decisions.push({
      key: decisionKey(record, row),
      ids: {
        case_id: record.case_id,
        primero_id: record.id,
        service_id: row.unique_id,
        oscar_referral_id: oscarReferralId,
        global_id: globalId,
      },
      sentKey: `decision:${globalId}:${oscarReferralId}`,
      rowStatus: status,
    });
  }
  return decisions;
}

/** Links: a case with an `oscar_number` and no `referral_to_oscar` row. */
export function linkForOscar(record: PrimeroCase): LinkForOscar | undefined {
  const globalId = (record.oscar_number ?? '').trim();
  if (globalId === '' || hasReferralToOscar(record)) return undefined;
  return {
    key: linkKey(record),
    ids: { case_id: record.case_id, primero_id: record.id, global_id: globalId },
    sentKey: `link:${globalId}`,
    link: {
      global_id: globalId,
      external_id: record.case_id,
      external_id_display: record.case_id_display ?? '',
    },
  };
}

/**
 * The sent-ledger keys selecting from these cases consults (selectForOscar, and the global-id
 * check's links): each referral read, each decision, the link. f1-j1 reads only these records.
 */
export function sentKeysConsulted(
  cases: readonly PrimeroCase[],
  referralsByCase: Readonly<Record<string, readonly PrimeroReferral[]>>,
): string[] {
  const keys: string[] = [];
  for (const record of cases) {
    for (const referral of referralsByCase[record.id] ?? [])
      keys.push(referralSentKey(referral.id));
    for (const decision of decisionsForOscar(record)) keys.push(decision.sentKey);
    const link = linkForOscar(record);
    if (link) keys.push(link.sentKey);
  }
  return keys;
}

/** Everything a window of cases (with their referrals) asks OSCaR for. */
export function selectForOscar(
  cases: readonly PrimeroCase[],
  referralsByCase: ReadonlyMap<string, readonly PrimeroReferral[]>,
  rules: SelectionRules,
): ToOscarBatch {
  const batch = emptyToOscarBatch();
  for (const record of cases) {
    batch.referrals.push(...referralsToOscar(record, referralsByCase.get(record.id) ?? [], rules));
    batch.decisions.push(...decisionsForOscar(record));
    const link = linkForOscar(record);
    if (link) batch.links.push(link);
  }
  return batch;
}
