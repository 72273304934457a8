// f1-j2's writes: each selected item ends written, unchanged (OSCaR already has it, per the sent
// ledger) or failed with a reason; in a dry run it ends as a planned write instead. An outage
// (OSCaR unreachable, 5xx, credentials refused) is thrown so the step fails and the window reruns,
// except for a referral upsert OSCaR may have applied without confirming it: see unconfirmed().
import { log } from '../../log.ts';
import { ApiError, surelyUnprocessed } from '../../http/errors.ts';
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
import { journalSent } from '../../workflow/sent-journal.ts';
import { loadSent, saveSentChanges } from '../../workflow/carried-items.ts';
import { runIdOf, takeHandOff } from '../../workflow/hand-off.ts';
import { stepStore } from '../../workflow/state-store.ts';
import { isItemError, reasonOf } from '../../workflow/step-context.ts';
import {
  UNCONFIRMED_SEND,
  decisionSentValue,
  emptyToOscarBatch,
  pruneSent,
  toOscarReferral,
  toOscarStatusUpdate,
} from '../primero-to-oscar.ts';
import type { DecisionForOscar, LinkForOscar, ReferralToOscar } from '../primero-to-oscar.ts';

type Item = ReferralToOscar | DecisionForOscar | LinkForOscar;

/** One step's view of the write: its state, its OSCaR client (signed in lazily) and the ledger. */
interface Delivery {
  state: AfterCasesToOscar;
  oscar: () => OscarClient;
  now: string;
  sent: Map<string, SentRecord>;
}

function delivery(state: AfterCasesToOscar, oscar: () => OscarClient): Delivery {
  return {
    state,
    oscar,
    now: new Date().toISOString(),
    sent: new Map((state.sent ?? []).map((r) => [r.key, r])),
  };
}

/** Ends an operation: the ledger back into the state. */
const done = (d: Delivery): AfterCasesToOscar => ({ ...d.state, sent: [...d.sent.values()] });

/**
 * The step's first operation: the ledger carried from the last successful run, and what f1-j1
 * selected, taken from the run's store (it never travels in a step output: src/workflow/hand-off.ts).
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
  return { ...state, toOscar, sent: await loadSent(store) };
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

/**
 * A referral OSCaR may hold without having confirmed it. Sending it again could create a second
 * referral (apis.md §2.3), so it is never re-sent automatically: the ledger marks it unconfirmed
 * and it goes straight to the dead letters, for an operator to check OSCaR and requeue it.
 */
function unconfirmed(d: Delivery, item: ReferralToOscar): void {
  d.sent.set(item.sentKey, { key: item.sentKey, value: UNCONFIRMED_SEND, at: d.now });
  const failure = recordFailure(
    d.state.report,
    d.state.run.carried,
    {
      key: item.key,
      step: 'f1-j2',
      kind: 'referral',
      ids: item.ids,
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
  recordWritten(d.state.report, 'f1-j2', item.key);
  d.sent.set(item.sentKey, { key: item.sentKey, value, at: d.now });
  log.info(`f1-j2: wrote ${item.key}`);
}

function planned(d: Delivery, action: string, item: Item): void {
  recordPlanned(d.state.report, { step: 'f1-j2', action, ids: item.ids });
}

/** One upsert per referral; a child's referrals one after another (OSCaR matches them by case id). */
export async function deliverReferrals(
  state: AfterCasesToOscar,
  oscar: () => OscarClient,
): Promise<AfterCasesToOscar> {
  const d = delivery(state, oscar);
  const byCase = new Map<string, ReferralToOscar[]>();
  for (const item of d.state.toOscar.referrals) {
    byCase.set(item.ids.case_id, [...(byCase.get(item.ids.case_id) ?? []), item]);
  }
  // An outage stops every child's queue; the step fails only once nothing is in flight any more,
  // so the ledger it hands on is final (no upsert still on the wire behind a failed step).
  let outage: { error: unknown } | undefined;
  await Promise.allSettled(
    [...byCase.values()].map(async (items) => {
      for (const item of items) {
        if (outage) return;
        if (item.unconfirmed) {
          if (!d.state.run.dryRun) {
            unconfirmed(d, item);
            await persist(d, [item.sentKey]);
          }
          continue;
        }
        const before = d.sent.get(item.sentKey);
        let onWire = false;
        try {
          const payload = toOscarReferral(item);
          if (d.state.run.dryRun)
            planned(d, `upsert referral to ${payload.organization_name}`, item);
          else {
            // Write-ahead in the durable store: the request may leave at any moment from here.
            d.sent.set(item.sentKey, { key: item.sentKey, value: UNCONFIRMED_SEND, at: d.now });
            await persist(d, [item.sentKey]);
            await d.oscar().upsertClient(payload, {
              // Write-ahead: from here on OSCaR may hold the referral, whatever happens to us.
              beforeSend: () => {
                onWire = true;
                d.sent.set(item.sentKey, { key: item.sentKey, value: UNCONFIRMED_SEND, at: d.now });
                journalSent(d.state.run.id, d.sent.values());
              },
            });
            written(d, item, item.ids.service_id);
            journalSent(d.state.run.id, d.sent.values());
            await persist(d, [item.sentKey]);
          }
        } catch (error) {
          if (onWire && isUnconfirmedUpsert(error)) {
            unconfirmed(d, item);
            journalSent(d.state.run.id, d.sent.values());
            await persist(d, [item.sentKey]);
            continue;
          }
          // OSCaR refused it or surely never saw it: the ledger is as before the attempt.
          if (!d.state.run.dryRun) {
            if (before) d.sent.set(item.sentKey, before);
            else d.sent.delete(item.sentKey);
            if (onWire) journalSent(d.state.run.id, d.sent.values());
            await persist(d, [item.sentKey]);
          }
          if (!isItemError(error)) {
            outage ??= { error };
            return;
          }
          failed(d, 'referral', item, error);
        }
      }
    }),
  );
  if (outage) throw outage.error;
  return done(d);
}

/** The decisions OSCaR has not been told yet, in one update_statuses; on a 422, one by one. */
export async function deliverDecisions(
  state: AfterCasesToOscar,
  oscar: () => OscarClient,
): Promise<AfterCasesToOscar> {
  const d = delivery(state, oscar);
  const toSend: Array<{ item: DecisionForOscar; update: OscarStatusUpdate }> = [];
  for (const item of d.state.toOscar.decisions) {
    if (d.sent.get(item.sentKey)?.value === decisionSentValue(item)) {
      recordUnchanged(d.state.report, 'f1-j2', item.key);
      continue;
    }
    try {
      toSend.push({ item, update: toOscarStatusUpdate(item) });
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
    const unchanged = d.sent.get(item.sentKey)?.value === item.link.external_id;
    if (unchanged) recordUnchanged(d.state.report, 'f1-j2', item.key);
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
 * and records past retention leave the ledger in the store now.
 */
export async function finishDelivery(state: AfterCasesToOscar): Promise<AfterCasesToOscar> {
  const counts = state.report.steps['f1-j2'];
  log.info(
    `f1-j2: ${counts.written} written, ${counts.unchanged} unchanged, ${counts.failed} failed` +
      (state.run.dryRun ? `, ${state.report.planned.length} planned (dry run)` : ''),
  );
  const ledger = state.sent ?? [];
  const kept = new Set(
    pruneSent(ledger, new Set(state.closedReferralIds), new Date()).map((r) => r.key),
  );
  const pruned = ledger.filter((record) => !kept.has(record.key)).map((record) => record.key);
  if (!state.run.dryRun && pruned.length > 0)
    await saveSentChanges(stepStore(state), { remove: pruned });
  const { sent: _sent, ...rest } = state;
  return { ...rest, toOscar: emptyToOscarBatch() };
}
