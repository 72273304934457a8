// Primero -> OSCaR (f1): which referrals, decisions and links a window of Primero cases asks for,
// and the OSCaR requests they become. Pure functions: the jobs fetch, these decide, the jobs write.
import type { PrimeroCase, PrimeroReferral, ServiceRow } from '../model/primero.ts';
import { SERVICE_RESPONSE_TYPES } from '../model/primero.ts';
import type { OscarLink, OscarStatusUpdate, OscarUpsertPayload } from '../model/oscar.ts';
import type { SentRecord } from '../workflow/contract.ts';
import type { FailureInput } from '../workflow/outcomes.ts';
import type { UnreadablePrimeroCase } from '../clients/primero.ts';
import {
  MappingError,
  repairDateOfBirth,
  isKnownOrg,
  orgForAgency,
  oscarServiceNameFor,
  oscarStatusForServiceRow,
  riskLevelToOscar,
  toOscarLocationCode,
  REFERRAL_IN_PROGRESS,
  isDecidedServiceRowStatus,
} from '../mapping/index.ts';
import type { ServiceRowStatus } from '../mapping/index.ts';

/** A Primero referral of one service row to an OSCaR NGO, to become one upsert. */
export interface ReferralToOscar {
  key: string;
  ids: { case_id: string; primero_id: string; service_id: string; referral_id: string };
  /** Ledger key: the Primero referral itself, so a second referral of the same row is new. */
  sentKey: string;
  case: PrimeroCase;
  row: ServiceRow;
  referral: PrimeroReferral;
  /**
   * An earlier upsert of this referral got no confirmation (it may have landed) and no operator
   * has asked to send it again: it is reported as a dead letter, never re-sent automatically.
   */
  unconfirmed?: true;
}

/**
 * Sent-ledger value of a referral whose upsert OSCaR did not confirm (no answer, 500/502/504):
 * OSCaR may hold it, and re-sending would create a second referral (apis.md §2.3).
 */
export const UNCONFIRMED_SEND = 'unconfirmed';

/** A MoSVY decision (accepted/rejected) on a referral that came from OSCaR. */
export interface DecisionForOscar {
  key: string;
  ids: {
    case_id: string;
    primero_id: string;
    service_id: string;
    oscar_referral_id: string;
    global_id: string;
  };
  sentKey: string;
  rowStatus: ServiceRowStatus;
}

/** OSCaR learns the Primero case id of a child it already knows. */
export interface LinkForOscar {
  key: string;
  ids: { case_id: string; primero_id: string; global_id: string };
  sentKey: string;
  link: OscarLink;
}

/** What f1-j1 hands to f1-j2. */
export interface ToOscarBatch {
  referrals: ReferralToOscar[];
  decisions: DecisionForOscar[];
  links: LinkForOscar[];
}

export const emptyToOscarBatch = (): ToOscarBatch => ({ referrals: [], decisions: [], links: [] });

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
  sent: ReadonlyMap<string, SentRecord>;
  /**
   * Keys in the retry list (not the dead letters). An unconfirmed referral in it was requeued by
   * an operator (`npx interop retry`) after checking OSCaR: it is sent again.
   */
  requeuedKeys?: ReadonlySet<string>;
  /** Keys of the dead letters: an unconfirmed referral there waits for an operator. */
  deadLetterKeys?: ReadonlySet<string>;
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
    if (!row || referral.status !== REFERRAL_IN_PROGRESS) continue;
    const key = referralKey(record, row);
    const sentKey = `referral:${referral.id}`;
    const ledger = rules.sent.get(sentKey);
    let unconfirmed = false;
    if (ledger) {
      if (ledger.value !== UNCONFIRMED_SEND || rules.deadLetterKeys?.has(key)) continue;
      // Not yet a dead letter (the run that lost the answer failed later): report it again.
      unconfirmed = !rules.requeuedKeys?.has(key);
    }
    const createdAt = Date.parse(referral.created_at ?? '');
    const inWindow = Number.isNaN(createdAt) || createdAt >= windowStart;
    if (!inWindow && !rules.retryKeys.has(key)) continue;
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

/**
 * The upsert body for one referral: exactly one service, only fields OSCaR permits. Throws
 * MappingError (the item's reason) for data OSCaR would refuse or that cannot be mapped.
 */
export function toOscarReferral(
  item: Pick<ReferralToOscar, 'case' | 'row' | 'referral'>,
): OscarUpsertPayload {
  const { case: record, row, referral } = item;
  const agency = (row.service_implementing_agency ?? '').trim();
  if (agency === '') {
    throw new MappingError(
      `service row ${row.unique_id} has no service_implementing_agency: choose the receiving NGO in Primero`,
    );
  }
  const org = orgForAgency(agency);
  if (!isKnownOrg(org)) {
    throw new MappingError(
      `unknown agency ${agency} on service row ${row.unique_id}: add ${org} to src/mapping/agencies.json if it is an OSCaR organisation`,
    );
  }
  const location = toOscarLocationCode(record.location_current);
  const payload: OscarUpsertPayload = {
    external_id: record.case_id,
    external_id_display: record.case_id_display ?? '',
    mosvy_number: record.mosvy_number ?? '',
    given_name: record.name_first ?? '',
    family_name: record.name_last ?? '',
    gender: record.sex ?? '',
    date_of_birth: birthDateFor(record),
    location_current_village_code: location,
    address_current_village_code: location,
    reason_for_referral: referral.notes ?? '',
    organization_name: org,
    external_case_worker_name: record.owned_by ?? '',
    // OSCaR requires a phone on every referral; the partners agreed on this placeholder.
    external_case_worker_mobile: record.owned_by_phone || '000000000',
    level_of_risk: riskLevelToOscar(record.risk_level),
    is_referred: true,
    services: [{ uuid: row.unique_id, name: oscarServiceNameFor(row.service_subtype?.[0]) }],
  };
  // Without global_id OSCaR refuses a second referral of a child it has accepted (apis.md §2.3).
  if (record.oscar_number) payload.global_id = record.oscar_number;
  return payload;
}

/**
 * The child's date of birth for OSCaR: the known doubled-digit typo repaired (`22012-01-01`),
 * an impossible date an item error (the message never repeats the date).
 */
function birthDateFor(record: PrimeroCase): string {
  try {
    return repairDateOfBirth((record.date_of_birth ?? '').replace(/\//g, '-')) ?? '';
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    throw new MappingError(
      `date_of_birth of case ${record.case_id}: ${error.message}: correct it in Primero`,
    );
  }
}

/** A Primero case of an unexpected shape: it fails alone and is fetched again while retried. */
export function unreadableCaseFailure(bad: UnreadablePrimeroCase): FailureInput {
  const id = bad.id ?? 'without-id';
  return {
    key: `f1-j1:case:${id}`,
    step: 'f1-j1',
    kind: 'case',
    ids: bad.id ? { primero_id: bad.id } : {},
    reason: `${bad.reason}: correct the case in Primero; it is read again next run`,
  };
}

/**
 * OSCaR global ids this batch is about to send as a child's identity: links OSCaR does not have
 * yet and referrals of children who already have one. Each must belong to one Primero case.
 */
export function globalIdsToCheck(batch: ToOscarBatch, sent: readonly SentRecord[]): string[] {
  const ledger = new Map(sent.map((record) => [record.key, record.value]));
  const ids = [
    ...batch.links
      .filter((item) => ledger.get(item.sentKey) !== item.link.external_id)
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

/** The update_statuses item of a decision; throws MappingError when OSCaR could not apply it. */
export function toOscarStatusUpdate(decision: DecisionForOscar): OscarStatusUpdate {
  if (decision.ids.global_id === '') {
    throw new MappingError(
      `case ${decision.ids.case_id} has no oscar_number: OSCaR cannot find the client of referral ${decision.ids.oscar_referral_id}`,
    );
  }
  return {
    client_global_id: decision.ids.global_id,
    referral_id: Number(decision.ids.oscar_referral_id),
    referral_status: oscarStatusForServiceRow(decision.rowStatus),
  };
}

/** The value the ledger stores for a decision: what OSCaR was told. */
export const decisionSentValue = (decision: DecisionForOscar) =>
  oscarStatusForServiceRow(decision.rowStatus);

/** Sent-ledger records older than this are pruned (a backfill further back may resend). */
export const SENT_RETENTION_DAYS = 400;

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
  const oldest = now.getTime() - retentionDays * 24 * 60 * 60 * 1000;
  const byKey = new Map<string, SentRecord>();
  for (const record of sent) byKey.set(record.key, record);
  return [...byKey.values()].filter((record) => {
    if (Date.parse(record.at) < oldest) return false;
    // A decided referral needs neither its sent record nor its awaiting-decision record.
    const prefix = ['referral:', 'awaiting:'].find((p) => record.key.startsWith(p));
    const referralId = prefix ? record.key.slice(prefix.length) : undefined;
    return referralId === undefined || !closedReferralIds.has(referralId);
  });
}
