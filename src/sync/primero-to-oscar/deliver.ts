// f1-j2's writes: each selected item ends written, unchanged (OSCaR already has it, per the sent
// ledger) or failed with a reason; in a dry run it ends as a planned write instead. An outage
// (OSCaR unreachable, 5xx, credentials refused) is thrown so the step fails and the window reruns,
// except for a referral upsert OSCaR may have applied without confirming it: see unconfirmed().
import { log } from '../../log.ts';
import type { OscarClient } from '../../clients/oscar.ts';
import type { OscarStatusUpdate } from '../../model/oscar.ts';
import type { FailedItem, SentRecord } from '../../workflow/contract.ts';
import {
  recordFailure,
  recordPlanned,
  recordUnchanged,
  recordWritten,
} from '../../workflow/outcomes.ts';
import type { AfterCasesToOscar, AfterGetPrimeroCases } from '../../workflow/state.ts';
import { budgetOf } from '../../workflow/budget.ts';
import { deferReferrals } from './deferral.ts';
import { listSent, loadSentRecords, saveSentChanges } from '../../workflow/carried-items.ts';
import type { StateStore } from '../../workflow/state-store.ts';
import { runIdOf, takeHandOff } from '../../workflow/hand-off.ts';
import { stepStore } from '../../workflow/state-store.ts';
import { isItemError, reasonOf } from '../../workflow/step-context.ts';
import { emptyToOscarBatch } from '../../model/to-oscar.ts';
import type { DecisionForOscar, LinkForOscar, ReferralToOscar } from '../../model/to-oscar.ts';
import { toOscarReferral, toOscarStatusUpdate } from './payloads.ts';
import {
  UNCONFIRMED_SEND,
  decisionAlreadySent,
  isUnconfirmedUpsert,
  linkAlreadySent,
  pruneSent,
  referralSentKey,
  retainedSent,
  sentLedgerOf,
} from './sent-ledger.ts';
import { LOST_ON_UPDATE, decisionOfKnownChild, referralOfKnownChild } from './known-child.ts';
import { globalIdsNeedingHolders, holdersFromListing } from './oscar-holders.ts';
import { AWAITING_PREFIX, awaitingRecord, overdueReferrals } from './awaiting-decision.ts';
import { DEFAULT_SETTINGS } from '../../workflow/lifecycle.ts';
import type { OscarHolders } from './oscar-holders.ts';
import {
  deadLetterSentKeys,
  landedReferrals,
  referralsInDoubt,
  unconfirmedIdsOf,
} from './unconfirmed.ts';
import type { UnconfirmedReferral } from './unconfirmed.ts';
import type { OscarUpsertPayload } from '../../model/oscar.ts';
import { rememberSettled, settledCases } from './settled-cases.ts';
import type { SettleCandidate } from './settled-cases.ts';

/**
 * f1-j2's state between its operations: the holders it read and the cases it settles if their
 * referrals land, both dropped by finishDelivery.
 */
type WithHolders = AfterCasesToOscar & {
  oscarHolders?: OscarHolders;
  settling?: SettleCandidate[];
};

type Item = ReferralToOscar | DecisionForOscar | LinkForOscar;

/**
 * One step's view of the write: its state, its OSCaR client (signed in lazily), the ledger, and
 * the NGOs holding the batch's known children (read once, when an item first needs them).
 */
interface Delivery {
  state: AfterCasesToOscar;
  oscar: () => OscarClient;
  now: string;
  sent: Map<string, SentRecord>;
  holders: () => Promise<OscarHolders>;
  read?: OscarHolders;
}

function delivery(state: AfterCasesToOscar, oscar: () => OscarClient): Delivery {
  let reading: Promise<OscarHolders> | undefined;
  const d: Delivery = {
    state,
    oscar,
    now: new Date().toISOString(),
    sent: sentLedgerOf(state.sent ?? []),
    holders: () =>
      (reading ??= (async () => {
        const known = (state as WithHolders).oscarHolders;
        if (known) return known;
        d.read = await readOscarHolders(state, oscar);
        return d.read;
      })()),
  };
  return d;
}

/** Ends an operation: the ledger (and the holders, once read) back into the state. */
const done = (d: Delivery): AfterCasesToOscar => ({
  ...d.state,
  sent: [...d.sent.values()],
  ...(d.read ? { oscarHolders: d.read } : {}),
});

/**
 * The step's first operation: what f1-j1 selected, taken from the run's store (it never travels in
 * a step output: src/workflow/hand-off.ts), and the ledger records the step consults.
 */
export async function startDelivery(state: AfterGetPrimeroCases): Promise<AfterCasesToOscar> {
  const store = stepStore(state);
  const runId = runIdOf(state);
  const { referrals, decisions, links } = state.toOscarHandOff;
  const toOscar = {
    referrals: await takeHandOff<ReferralToOscar>(store, runId, referrals),
    decisions: await takeHandOff<DecisionForOscar>(store, runId, decisions),
    links: await takeHandOff<LinkForOscar>(store, runId, links),
  };
  // An empty hand-off holds nothing to take: no request to the store (a Collection on OpenFn.org).
  const settling =
    state.settlingHandOff && state.settlingHandOff.count > 0
      ? await takeHandOff<SettleCandidate>(store, runId, state.settlingHandOff)
      : [];
  const { settlingHandOff: _ref, ...rest } = state;
  const sent = await deliveryLedger(store, rest, toOscar, settling);
  const next: WithHolders = { ...rest, toOscar, sent, settling };
  return next;
}

/**
 * The ledger records f1-j2 consults, not the whole ledger: those of the items selected, of the
 * referral dead letters (in doubt), of the cases it may settle and of the referrals Primero showed
 * closed (to prune them), and every awaiting-decision record (the overdue check). A record past
 * retention counts as never sent and is removed now (not in a dry run).
 */
async function deliveryLedger(
  store: StateStore,
  state: Omit<AfterGetPrimeroCases, 'settlingHandOff'>,
  toOscar: AfterCasesToOscar['toOscar'],
  settling: readonly SettleCandidate[],
): Promise<SentRecord[]> {
  const keys = [
    ...[...toOscar.referrals, ...toOscar.decisions, ...toOscar.links].map((item) => item.sentKey),
    ...settling.flatMap((candidate) => candidate.sentKeys),
    ...deadLetterSentKeys(state.run.carried),
    ...state.closedReferralIds.map(referralSentKey),
  ];
  const consulted = [
    ...(await loadSentRecords(store, keys)),
    ...(await listSent(store, AWAITING_PREFIX)),
  ];
  const { kept, expired } = retainedSent(consulted, new Date());
  if (!state.run.dryRun && expired.length > 0) await saveSentChanges(store, { remove: expired });
  return kept;
}

/**
 * Writes the ledger records of `keys` as they stand now to the run's store, at once, so that a
 * run failing later keeps them (on OpenFn.org nothing of a failed run survives but the store).
 */
async function persist(d: Delivery, keys: readonly string[]): Promise<void> {
  if (d.state.run.dryRun || keys.length === 0) return;
  const set = keys.flatMap((key) => d.sent.get(key) ?? []);
  const remove = keys.filter((key) => !d.sent.has(key));
  await saveSentChanges(stepStore(d.state), { set, remove });
}

function failed(d: Delivery, kind: FailedItem['kind'], item: Item, error: unknown): void {
  if (!isItemError(error)) throw error;
  const failure = recordFailure(
    d.state.report,
    d.state.run.carried,
    { key: item.key, step: 'f1-j2', kind, ids: item.ids, reason: reasonOf(error) },
    d.now,
  );
  log.warn(`f1-j2: ${kind} ${item.key} failed (attempt ${failure.attempts}): ${failure.reason}`);
}

// Kept where callers found it: the rule itself is the sent ledger's (sent-ledger.ts).
export { isUnconfirmedUpsert } from './sent-ledger.ts';

/**
 * A referral OSCaR may hold without having confirmed it. Sending it again could create a second
 * referral (apis.md §2.3), so it is never re-sent automatically: the ledger marks it unconfirmed
 * and it goes straight to the dead letters, for an operator to check OSCaR and requeue it.
 */
function unconfirmed(d: Delivery, item: ReferralToOscar, payload?: OscarUpsertPayload): void {
  d.sent.set(item.sentKey, { key: item.sentKey, value: UNCONFIRMED_SEND, at: d.now });
  const failure = recordFailure(
    d.state.report,
    d.state.run.carried,
    {
      key: item.key,
      step: 'f1-j2',
      kind: 'referral',
      // Where it went and what it asked for: a later run looks for it there (unconfirmed.ts).
      ids: unconfirmedIdsOf(item, payload),
      reason:
        `OSCaR did not confirm the referral of case ${item.ids.case_id} (service ${item.ids.service_id}): ` +
        'it may have been saved. Check OSCaR for it; if missing, run ' +
        `\`npx interop retry ${item.key}\``,
    },
    d.now,
    { atLeastAttempts: d.state.run.settings.maxAttempts },
  );
  log.warn(`f1-j2: referral ${item.key} unconfirmed by OSCaR, dead-lettered: ${failure.reason}`);
}

function written(d: Delivery, item: Item, value: string): void {
  recordWritten(d.state.report, 'f1-j2', item.key, item.ids);
  d.sent.set(item.sentKey, { key: item.sentKey, value, at: d.now });
  log.info(`f1-j2: wrote ${item.key}`);
}

function planned(d: Delivery, action: string, item: Item): void {
  recordPlanned(d.state.report, { step: 'f1-j2', action, ids: item.ids });
}

/**
 * The NGOs holding each child this batch refers or decides about, from one full OSCaR listing
 * (OSCaR has no look-up by global id). Read at most once per step, when an item first needs it.
 */
async function readOscarHolders(
  state: AfterCasesToOscar,
  oscar: () => OscarClient,
): Promise<OscarHolders> {
  const sent = sentLedgerOf(state.sent ?? []);
  const pending = {
    ...state.toOscar,
    decisions: state.toOscar.decisions.filter((item) => !decisionAlreadySent(sent, item)),
  };
  const wanted = globalIdsNeedingHolders(pending);
  if (wanted.length === 0) return {};
  // Only the wanted children are parsed: the listing may hold every client OSCaR has.
  const listing = await oscar().listClients({ globalIds: new Set(wanted) });
  log.info(`f1-j2: read OSCaR's listing for the NGOs holding ${wanted.length} known children`);
  return holdersFromListing(listing, wanted);
}

/**
 * One upsert per referral; a child's referrals one after another (OSCaR matches them by case id).
 * `concurrency` lanes take the children in f1-j1's order, each upsert only if the run's budget
 * allows it: the children left are deferred (deferral.ts), not failed.
 */
export async function deliverReferrals(
  state: AfterCasesToOscar,
  oscar: () => OscarClient,
): Promise<AfterCasesToOscar> {
  const d = delivery(state, oscar);
  const settled = await settleLanded(d);
  const byCase = new Map<string, ReferralToOscar[]>();
  for (const item of d.state.toOscar.referrals) {
    if (settled.has(item.key)) continue;
    byCase.set(item.ids.case_id, [...(byCase.get(item.ids.case_id) ?? []), item]);
  }
  const queues = [...byCase.values()];
  const budget = budgetOf(d.state.run, d.state.report);
  const deferred: ReferralToOscar[] = [];
  let next = 0;
  // An outage stops every child's queue; the step fails only once nothing is in flight any more,
  // so the ledger it hands on is final (no upsert still on the wire behind a failed step).
  let outage: { error: unknown } | undefined;
  const lane = async () => {
    while (!outage && next < queues.length) {
      const items = queues[next++]!;
      for (const [index, item] of items.entries()) {
        if (outage) return;
        if (item.unconfirmed) {
          if (!d.state.run.dryRun) {
            unconfirmed(d, item);
            await persist(d, [item.sentKey]);
          }
          continue;
        }
        if (!budget.take('f1-write')) {
          deferred.push(...items.slice(index));
          break;
        }
        const problem = await deliverReferral(d, item);
        if (problem) {
          outage ??= problem;
          return;
        }
      }
    }
  };
  await Promise.all(
    Array.from(
      { length: Math.max(1, Math.min(d.state.run.settings.concurrency, queues.length)) },
      lane,
    ),
  );
  if (outage) throw outage.error;
  deferReferrals(d.state, deferred);
  return done(d);
}

/**
 * Referrals in doubt (unconfirmed.ts) that OSCaR's listing shows: recorded as written, as if OSCaR
 * had confirmed them then, so they leave the dead letters and are awaited like any other. The
 * listing is read only when something is in doubt. Returns the keys settled.
 */
async function settleLanded(d: Delivery): Promise<Set<string>> {
  if (d.state.run.dryRun) return new Set();
  const doubts = referralsInDoubt(d.state.run.carried, d.state.toOscar.referrals, d.sent);
  if (doubts.length === 0) return new Set();
  const listing = await d.oscar().listClients();
  // Whether a listed referral is one of these or an earlier one of the same row is counted
  // against every referral record: read them all, only when something is in doubt.
  const referrals = await listSent(stepStore(d.state), referralSentKey(''));
  const ledger = new Map([...sentLedgerOf(retainedSent(referrals, new Date()).kept), ...d.sent]);
  const landed = landedReferrals(doubts, listing, ledger);
  await persist(
    d,
    landed.flatMap((doubt) => settle(d, doubt)),
  );
  log.info(
    `f1-j2: ${doubts.length} unconfirmed referrals checked against OSCaR's listing, ` +
      `${landed.length} found there`,
  );
  return new Set(landed.map((doubt) => doubt.key));
}

/** Returns the ledger keys it set. */
function settle(d: Delivery, doubt: UnconfirmedReferral): string[] {
  recordWritten(d.state.report, 'f1-j2', doubt.key);
  d.sent.set(doubt.sentKey, { key: doubt.sentKey, value: doubt.ids.service_id, at: d.now });
  const awaiting = awaitingRecord(doubt, doubt.organisation, d.now);
  d.sent.set(awaiting.key, awaiting);
  log.info(`f1-j2: referral ${doubt.key} unconfirmed earlier is listed by OSCaR: settled`);
  return [doubt.sentKey, awaiting.key];
}

/** Sends one referral and records how it ended; an outage is returned for the caller to stop. */
async function deliverReferral(
  d: Delivery,
  item: ReferralToOscar,
): Promise<{ error: unknown } | undefined> {
  const before = d.sent.get(item.sentKey);
  let onWire = false;
  let payload: OscarUpsertPayload | undefined;
  try {
    payload = toOscarReferral(item);
    const globalId = (item.case.oscar_number ?? '').trim();
    // A child OSCaR knows: only to an NGO holding it, with OSCaR's own values carried.
    const known =
      globalId === ''
        ? undefined
        : referralOfKnownChild(payload, globalId, (await d.holders())[globalId]);
    if (known) payload = known.payload;
    if (d.state.run.dryRun) planned(d, `upsert referral to ${payload.organization_name}`, item);
    else {
      // Write-ahead in the durable store, this one record: the request may leave at any moment
      // from here, and OSCaR may then hold the referral whatever happens to us.
      d.sent.set(item.sentKey, { key: item.sentKey, value: UNCONFIRMED_SEND, at: d.now });
      await persist(d, [item.sentKey]);
      await d.oscar().upsertClient(payload, {
        beforeSend: () => {
          onWire = true;
        },
      });
      written(d, item, item.ids.service_id);
      const awaiting = awaitingRecord(item, payload.organization_name, d.now);
      d.sent.set(awaiting.key, awaiting);
      await persist(d, [item.sentKey, awaiting.key]);
      if (known)
        log.info(
          `f1-j2: referral ${item.key} of ${globalId}: OSCaR cleared ${LOST_ON_UPDATE.join(' and ')} ` +
            `of the client at ${known.updated} (its API cannot keep them)`,
        );
    }
  } catch (error) {
    if (onWire && isUnconfirmedUpsert(error)) {
      unconfirmed(d, item, payload);
      await persist(d, [item.sentKey]);
      return undefined;
    }
    // OSCaR refused it or surely never saw it: the ledger is as before the attempt.
    if (!d.state.run.dryRun) {
      if (before) d.sent.set(item.sentKey, before);
      else d.sent.delete(item.sentKey);
      await persist(d, [item.sentKey]);
    }
    if (!isItemError(error)) return { error };
    failed(d, 'referral', item, error);
  }
  return undefined;
}

/** The decisions OSCaR has not been told yet, in one update_statuses; on a 422, one by one. */
export async function deliverDecisions(
  state: AfterCasesToOscar,
  oscar: () => OscarClient,
): Promise<AfterCasesToOscar> {
  const d = delivery(state, oscar);
  const toSend: Array<{ item: DecisionForOscar; update: OscarStatusUpdate }> = [];
  const unsent = d.state.toOscar.decisions.filter((item) => {
    const unchanged = decisionAlreadySent(d.sent, item);
    if (unchanged) recordUnchanged(d.state.report, 'f1-j2', item.key, item.ids);
    return !unchanged;
  });
  // OSCaR finds the referral in the first NGO holding the child: who holds it decides.
  const holders = unsent.length > 0 ? await d.holders() : {};
  for (const item of unsent) {
    try {
      const update = toOscarStatusUpdate(item);
      toSend.push({
        item,
        update: decisionOfKnownChild(item, update, holders[item.ids.global_id]),
      });
    } catch (error) {
      failed(d, 'decision', item, error);
    }
  }
  if (toSend.length === 0) return done(d);
  if (d.state.run.dryRun) {
    toSend.forEach(({ item, update }) => planned(d, `set status ${update.referral_status}`, item));
    return done(d);
  }
  try {
    await d.oscar().updateStatuses(toSend.map(({ update }) => update));
    toSend.forEach(({ item, update }) => written(d, item, update.referral_status));
    await persist(
      d,
      toSend.map(({ item }) => item.sentKey),
    );
  } catch (error) {
    if (!isItemError(error)) throw error;
    // OSCaR applies the items before a bad one and stops: resend one by one (a status set twice
    // is the same status), so one bad item neither blocks nor half-applies the others.
    for (const { item, update } of toSend) {
      try {
        await d.oscar().updateStatuses([update]);
        written(d, item, update.referral_status);
        await persist(d, [item.sentKey]);
      } catch (itemError) {
        failed(d, 'decision', item, itemError);
      }
    }
  }
  return done(d);
}

/** The links OSCaR does not have yet, in one update_links. */
export async function deliverLinks(
  state: AfterCasesToOscar,
  oscar: () => OscarClient,
): Promise<AfterCasesToOscar> {
  const d = delivery(state, oscar);
  const toSend = d.state.toOscar.links.filter((item) => {
    const unchanged = linkAlreadySent(d.sent, item);
    if (unchanged) recordUnchanged(d.state.report, 'f1-j2', item.key, item.ids);
    return !unchanged;
  });
  if (toSend.length === 0) return done(d);
  if (d.state.run.dryRun) {
    toSend.forEach((item) => planned(d, 'link client to Primero case', item));
    return done(d);
  }
  try {
    await d.oscar().updateLinks(toSend.map((item) => item.link));
    toSend.forEach((item) => written(d, item, item.link.external_id));
    await persist(
      d,
      toSend.map((item) => item.sentKey),
    );
  } catch (error) {
    toSend.forEach((item) => failed(d, 'link', item, error));
  }
  return done(d);
}

/**
 * The step's output: no child data and no ledger handed further. Records of referrals seen closed
 * leave the ledger in the store now (records past retention went when the step read them).
 */
export async function finishDelivery(state: AfterCasesToOscar): Promise<AfterCasesToOscar> {
  const counts = state.report.steps['f1-j2'];
  log.info(
    `f1-j2: ${counts.written} written, ${counts.unchanged} unchanged, ${counts.failed} failed` +
      (state.run.dryRun ? `, ${state.report.planned.length} planned (dry run)` : ''),
  );
  const now = new Date();
  const ledger = state.sent ?? [];
  const sent = pruneSent(ledger, new Set(state.closedReferralIds), now);
  const kept = new Set(sent.map((r) => r.key));
  const pruned = ledger.filter((record) => !kept.has(record.key)).map((record) => record.key);
  if (!state.run.dryRun && pruned.length > 0)
    await saveSentChanges(stepStore(state), { remove: pruned });
  await settleCases(state as WithHolders);
  const days = state.run.settings.decisionOverdueDays ?? DEFAULT_SETTINGS.decisionOverdueDays!;
  const overdue = overdueReferrals(sent, now, days);
  state.report.overdueReferrals = overdue;
  if (overdue.length > 0)
    log.warn(
      `f1-j2: ${overdue.length} referrals sent to OSCaR more than ${days} days ago await an NGO decision: ` +
        overdue.map((o) => `${o.ids.case_id}/${o.ids.referral_id} at ${o.organisation}`).join(', '),
    );
  // The holders carry child details and the ledger stays in the store: neither leaves the step.
  const {
    oscarHolders: _holders,
    sent: _sent,
    settling: _settling,
    ...rest
  } = state as WithHolders;
  return { ...rest, toOscar: emptyToOscarBatch() };
}

/**
 * The cases whose referrals all landed are settled at the last_updated_at f1-j1 listed: the next
 * run skips their referral reads while they stay unchanged (settled-cases.ts). Written last, once
 * the ledger holds every outcome of the step; nothing in a dry run.
 */
async function settleCases(state: WithHolders): Promise<void> {
  const candidates = state.settling ?? [];
  if (state.run.dryRun || candidates.length === 0) return;
  const settled = settledCases(
    candidates,
    state.sent ?? [],
    state.report.failed,
    state.run.carried,
  );
  await rememberSettled(stepStore(state), settled);
  log.info(`f1-j2: ${settled.length} of ${candidates.length} cases read settled`);
}
