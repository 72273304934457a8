// f1-j1's fetch: every case updated in the window (one paged listing), the cases of items carried
// for retry, and the referrals of the cases that refer a service to OSCaR, within the run's budget.
// A case Primero answers about in an unexpected shape, or whose referrals it refuses, fails alone
// (case-failures.ts); only an outage of Primero fails the step.
import { log } from '../../log.ts';
import type { PrimeroClient, UnreadablePrimeroCase } from '../../clients/primero.ts';
import type { PrimeroCase, PrimeroReferral } from '../../model/primero.ts';
import { budgetOf, progressOf } from '../../workflow/budget.ts';
import { primeroWindow } from '../../workflow/checkpoint.ts';
import { loadSentRecords } from '../../workflow/carried-items.ts';
import type { SentRecord } from '../../workflow/contract.ts';
import type { FailureInput } from '../../workflow/outcomes.ts';
import { recordFailure, recordFetched } from '../../workflow/outcomes.ts';
import type { BaseState } from '../../workflow/state.ts';
import { stepStore } from '../../workflow/state-store.ts';
import { referralReadFailure, unreadableCaseFailure } from './case-failures.ts';
import { readReferralsInOrder } from './referral-reads.ts';
import { concernsOscar, hasReferralToOscar, sentKeysConsulted } from './selection.ts';
import { retainedSent } from './sent-ledger.ts';
import { alreadySettled, carriedCaseIds, settledAt } from './settled-cases.ts';
import type { SettledAt } from './settled-cases.ts';
import { caseIdsToRefetch, caseKeyOf, goneCases, latestUpdate, windowOrder } from './window.ts';

/** What f1-j1 read; the child data in it never leaves the step (to-oscar-hand-off.ts). */
export interface PrimeroWindowRead {
  /** The window's cases read in full this run. */
  cases: PrimeroCase[];
  /** Cases of carried items, fetched again by id. */
  refetched: PrimeroCase[];
  /** Primero ids of carried cases Primero no longer has. */
  gone: string[];
  referrals: Record<string, PrimeroReferral[]>;
  /** Greatest last_updated_at of every case listed (kept or not). */
  latest?: string;
  /** Cases whose referrals were read this run, and when f1 last settled each (settled-cases.ts). */
  settling: { read: PrimeroCase[]; held: SettledAt };
  /** The first listing page's `Date` header: when the listing began on Primero's clock. */
  listingDate?: string;
}

/** f1-j1's state after its fetch. */
export interface WindowRead extends BaseState {
  /**
   * The sent-ledger records the window's selection consults (selection.ts sentKeysConsulted),
   * read from the run's store; dropped before the step's output.
   */
  ledger: SentRecord[];
  window: PrimeroWindowRead;
}

export async function readWindow(
  state: BaseState,
  primero: () => PrimeroClient,
): Promise<WindowRead> {
  const window = primeroWindow(state.run);
  // One paged listing of the window, read page by page; only cases that concern OSCaR are kept.
  const cases: PrimeroCase[] = [];
  const listed = { count: 0, latest: undefined as string | undefined };
  // The first page's Date header ('' when it had none): the candidate cursor (primero-reread.ts).
  let listingDate: string | undefined;
  const unreadable: UnreadablePrimeroCase[] = [];
  await primero().scanCases({ last_updated_at: `${window.listFrom}..` }, (page) => {
    listed.count += page.cases.length;
    listed.latest = latestUpdate(page.cases, listed.latest);
    listingDate ??= page.date ?? '';
    cases.push(...page.cases.filter(concernsOscar));
    unreadable.push(...page.unreadable);
  });
  const refetch = caseIdsToRefetch(state.run.carried.retries, cases);
  const found = await Promise.all(refetch.map((id) => primero().listCasesReadable({ id })));
  const refetched = found.flatMap((result) => result.cases);
  unreadable.push(...found.flatMap((result) => result.unreadable));
  const gone = goneCases(refetch, { cases: refetched, unreadable });
  // Retries first, then the window in (last_updated_at, id) order, resumed where the last run
  // stopped at its budget; cases the budget leaves are deferred whole, never half-read.
  const windowCases = windowOrder(cases, window.resumeAt);
  // A case settled at the last_updated_at listed now needs no referral read; a backfill and the
  // cases of carried items are read whatever is held.
  const held = await settledAt(stepStore(state), windowCases.filter(hasReferralToOscar));
  const rules = {
    explicitStart: state.run.since !== undefined,
    carried: carriedCaseIds(state.run.carried),
  };
  const reads = await readReferralsInOrder(
    [...refetched, ...windowCases],
    (id) => primero().listReferrals(id),
    budgetOf(state.run, state.report),
    state.run.settings.concurrency,
    (record) => alreadySettled(record, held, rules),
  );
  const progress = progressOf(state.report);
  progress.f1.windowStart = window.selectFrom;
  progress.f1.total += refetched.length + windowCases.length;
  progress.f1.deferred += reads.deferred.length;
  const deferred = new Set(reads.deferred.map((record) => record.id));
  const firstDeferred = windowCases.find((record) => deferred.has(record.id));
  if (firstDeferred) progress.f1.resume = caseKeyOf(firstDeferred);
  if (reads.deferred.length > 0)
    log.info(
      `f1-j1: budget spent after ${reads.done.length + reads.failed.length} of ` +
        `${reads.done.length + reads.failed.length + reads.deferred.length} cases; ` +
        `${reads.deferred.length} deferred to the next run`,
    );
  recordFetched(state.report, 'f1-j1', listed.count + refetched.length + unreadable.length);
  // A case of an unexpected shape, or whose referrals Primero refused, fails alone; it is fetched
  // again while it is retried.
  failCases(state, [
    ...unreadable.map(unreadableCaseFailure),
    ...reads.failed.map(({ record, error }) => referralReadFailure(record, error)),
  ]);
  log.info(
    `f1-j1: fetched ${listed.count} cases updated since ${window.listFrom} (${cases.length} concern OSCaR), ` +
      `${refetched.length} more for retry (${gone.length} gone, ${unreadable.length} unreadable); ` +
      `referrals of ${Object.keys(reads.referrals).length} cases referring to OSCaR` +
      (reads.failed.length > 0 ? ` (${reads.failed.length} refused)` : '') +
      `, ${reads.skipped.length} settled already and not read`,
  );
  const done = new Set(reads.done.map((record) => record.id));
  const read = {
    cases: windowCases.filter((record) => done.has(record.id)),
    refetched: refetched.filter((record) => done.has(record.id)),
  };
  // Only the ledger records this window's selection consults: the cost follows the window.
  const consulted = sentKeysConsulted([...read.cases, ...read.refetched], reads.referrals);
  const ledger = retainedSent(await loadSentRecords(stepStore(state), consulted), new Date()).kept;
  return {
    ...state,
    ledger,
    window: {
      ...read,
      gone,
      referrals: reads.referrals,
      ...(listed.latest ? { latest: listed.latest } : {}),
      settling: {
        // Only cases done: a read in flight when the budget stopped belongs to a deferred case.
        read: reads.done.filter((record) => record.id in reads.referrals),
        held,
      },
      ...(listingDate ? { listingDate } : {}),
    },
  };
}

function failCases(state: BaseState, failures: readonly FailureInput[]): void {
  const now = new Date().toISOString();
  for (const failure of failures) {
    const item = recordFailure(state.report, state.run.carried, failure, now);
    log.warn(`f1-j1: ${item.key} failed (attempt ${item.attempts}): ${item.reason}`);
  }
}
