// f1-j1 — get Primero cases (Primero -> OSCaR, step 1).
// Fetches: every case updated in the window (one paged listing), the cases of items carried for
// retry, the referrals of cases that refer a service to OSCaR, and, for each child whose OSCaR
// global id is about to be sent, every Primero case holding that id (two = ambiguous).
// Decides: which referrals, decisions and links go to OSCaR (src/sync/primero-to-oscar.ts).
// Writes: nothing in either system; puts `toOscar` (child data) in the run's store for f1-j2 and
// hands on only its counts and the candidate cursor (src/workflow/hand-off.ts).
// Within the run's budget: cases are read in (last_updated_at, id) order from the checkpoint, and
// the ones the budget leaves are deferred whole to the next run (src/workflow/checkpoint.ts).
import { fn } from '@openfn/language-http';
import { log } from '../src/log.ts';
import { findCasesForBatch } from '../src/sync/case-lookup.ts';
import type { PrimeroCase, PrimeroReferral } from '../src/model/primero.ts';
import { REFERRAL_IN_PROGRESS } from '../src/mapping/index.ts';
import type { UnreadablePrimeroCase } from '../src/clients/primero.ts';
import {
  ambiguousGlobalIdFailures,
  concernsOscar,
  globalIdsToCheck,
  hasReferralToOscar,
  selectForOscar,
  unreadableCaseFailure,
} from '../src/sync/primero-to-oscar.ts';
import {
  caseIdsToRefetch,
  latestUpdate,
  resolvedRetries,
} from '../src/sync/primero-to-oscar/window.ts';
import { readReferralsInOrder } from '../src/sync/primero-to-oscar/referral-reads.ts';
import { budgetOf, progressOf } from '../src/workflow/budget.ts';
import { compareCaseKeys, primeroWindow } from '../src/workflow/checkpoint.ts';
import { recordFailure, recordFetched, recordUnchanged } from '../src/workflow/outcomes.ts';
import { lazyPrimeroClient } from '../src/workflow/step-context.ts';
import { putHandOff, runIdOf } from '../src/workflow/hand-off.ts';
import { stepStore } from '../src/workflow/state-store.ts';
import { loadSent } from '../src/workflow/carried-items.ts';
import type { SentRecord } from '../src/workflow/contract.ts';
import { emptyToOscarBatch } from '../src/sync/primero-to-oscar.ts';
import type { AfterGetPrimeroCases, BaseState } from '../src/workflow/state.ts';

interface Fetched extends BaseState {
  /** The sent ledger, read from the run's store; dropped before the step's output. */
  ledger: SentRecord[];
  window: {
    cases: PrimeroCase[];
    refetched: PrimeroCase[];
    gone: string[];
    referrals: Record<string, PrimeroReferral[]>;
    /** Greatest last_updated_at of every case listed (kept or not): the candidate cursor. */
    latest?: string;
  };
}

type Selected = Omit<AfterGetPrimeroCases, 'toOscarHandOff'> & Pick<Fetched, 'window' | 'ledger'>;

export default [
  fn(async (state: BaseState): Promise<Fetched> => {
    const primero = lazyPrimeroClient(state)();
    const window = primeroWindow(state.run);
    const from = window.listFrom;
    // One paged listing of the window, read page by page; only cases that concern OSCaR are kept.
    const cases: PrimeroCase[] = [];
    const listed = {
      count: 0,
      latest: undefined as string | undefined,
      unreadable: [] as UnreadablePrimeroCase[],
    };
    await primero.scanCases({ last_updated_at: `${from}..` }, (page) => {
      listed.count += page.cases.length;
      listed.latest = latestUpdate(page.cases, listed.latest);
      cases.push(...page.cases.filter(concernsOscar));
      listed.unreadable.push(...page.unreadable);
    });
    const refetch = caseIdsToRefetch(state.run.carried.retries, cases);
    const found = await Promise.all(refetch.map((id) => primero.listCasesReadable({ id })));
    const refetched = found.flatMap((result) => result.cases);
    const unreadable: UnreadablePrimeroCase[] = [
      ...listed.unreadable,
      ...found.flatMap((result) => result.unreadable),
    ];
    const gone = refetch.filter(
      (id) =>
        !refetched.some((record) => record.id === id) && !unreadable.some((bad) => bad.id === id),
    );
    // Retries first, then the window in (last_updated_at, id) order, resumed where the last run
    // stopped at its budget; cases the budget leaves are deferred whole, never half-read.
    const keyOf = (record: PrimeroCase) => ({ at: record.last_updated_at, id: record.id });
    const resumeAt = window.resumeAt;
    const windowCases = cases
      .filter((record) => !resumeAt || compareCaseKeys(keyOf(record), resumeAt) >= 0)
      .sort((a, b) => compareCaseKeys(keyOf(a), keyOf(b)));
    const reads = await readReferralsInOrder(
      [...refetched, ...windowCases],
      (id) => primero.listReferrals(id),
      budgetOf(state.run, state.report),
      state.run.settings.concurrency,
    );
    const referrals = reads.referrals;
    const referring = reads.done.filter(hasReferralToOscar);
    const progress = progressOf(state.report);
    progress.f1.windowStart = window.selectFrom;
    progress.f1.total += refetched.length + windowCases.length;
    progress.f1.deferred += reads.deferred.length;
    const deferredWindow = new Set(reads.deferred.map((record) => record.id));
    const firstDeferred = windowCases.find((record) => deferredWindow.has(record.id));
    if (firstDeferred) progress.f1.resume = keyOf(firstDeferred);
    if (reads.deferred.length > 0)
      log.info(
        `f1-j1: budget spent after ${reads.done.length} of ${reads.done.length + reads.deferred.length} cases; ` +
          `${reads.deferred.length} deferred to the next run`,
      );
    const done = new Set(reads.done.map((record) => record.id));
    recordFetched(state.report, 'f1-j1', listed.count + refetched.length + unreadable.length);
    // A case of an unexpected shape fails alone; it is fetched again while it is retried.
    const now = new Date().toISOString();
    for (const bad of unreadable) {
      const failure = recordFailure(
        state.report,
        state.run.carried,
        unreadableCaseFailure(bad),
        now,
      );
      log.warn(`f1-j1: ${failure.key} failed (attempt ${failure.attempts}): ${failure.reason}`);
    }
    log.info(
      `f1-j1: fetched ${listed.count} cases updated since ${from} (${cases.length} concern OSCaR), ${refetched.length} more for retry ` +
        `(${gone.length} gone, ${unreadable.length} unreadable); referrals of ${referring.length} cases referring to OSCaR`,
    );
    return {
      ...state,
      ledger: await loadSent(stepStore(state)),
      window: {
        cases: windowCases.filter((record) => done.has(record.id)),
        refetched: refetched.filter((record) => done.has(record.id)),
        gone,
        referrals,
        ...(listed.latest ? { latest: listed.latest } : {}),
      },
    };
  }),

  fn((state: Fetched): Selected => {
    const { window, run, report } = state;
    const carriedKeys = [...run.carried.retries, ...run.carried.deadLetters].map(
      (item) => item.key,
    );
    const toOscar = selectForOscar(
      [...window.cases, ...window.refetched],
      new Map(Object.entries(window.referrals)),
      {
        windowStart: primeroWindow(run).selectFrom,
        retryKeys: new Set(carriedKeys),
        requeuedKeys: new Set(run.carried.retries.map((item) => item.key)),
        deadLetterKeys: new Set(run.carried.deadLetters.map((item) => item.key)),
        sent: new Map(state.ledger.map((record) => [record.key, record])),
      },
    );
    // A carried item whose case no longer asks for it (sent, revoked, deleted) is settled.
    for (const key of resolvedRetries(run.carried.retries, window, toOscar))
      recordUnchanged(report, 'f1-j2', key);
    const closedReferralIds = Object.values(window.referrals)
      .flat()
      .filter((referral) => referral.status !== REFERRAL_IN_PROGRESS)
      .map((referral) => referral.id);
    const primeroNextCursor = window.latest;
    return {
      ...state,
      toOscar,
      closedReferralIds,
      ...(primeroNextCursor ? { primeroNextCursor } : {}),
    };
  }),

  // A global id two Primero cases hold cannot say which child OSCaR means: the original jobs
  // linked (and later updated) whichever case came first. Such items fail until one is merged.
  fn(async (state: Selected): Promise<AfterGetPrimeroCases> => {
    const { toOscar, report, run } = state;
    const primero = lazyPrimeroClient(state)();
    const globalIds = globalIdsToCheck(toOscar, state.ledger);
    const find = await findCasesForBatch({ oscarNumbers: globalIds }, primero, 'f1-j1');
    const holders = new Map<string, string[]>();
    await Promise.all(
      globalIds.map(async (globalId) => {
        const found = await find({ oscar_number: globalId });
        holders.set(globalId, [
          ...found.cases.map((c) => c.id),
          ...found.unreadable.map((c) => c.id ?? '?'),
        ]);
      }),
    );
    const ambiguous = ambiguousGlobalIdFailures(toOscar, holders);
    const now = new Date().toISOString();
    for (const failure of ambiguous.failures) {
      const item = recordFailure(report, run.carried, failure, now);
      log.warn(`f1-j2: ${item.key} failed (attempt ${item.attempts}): ${item.reason}`);
    }
    log.info(
      `f1-j1: selected ${ambiguous.batch.referrals.length} referrals, ${ambiguous.batch.decisions.length} decisions, ` +
        `${ambiguous.batch.links.length} links for OSCaR (${ambiguous.failures.length} ambiguous); ` +
        `next Primero cursor ${state.primeroNextCursor ?? '(unchanged)'}`,
    );
    const { window: _window, ledger: _ledger, ...rest } = state;
    const store = stepStore(state);
    const runId = runIdOf(state);
    const { referrals, decisions, links } = ambiguous.batch;
    const toOscarHandOff = {
      referrals: await putHandOff(store, runId, 'toOscar.referrals', referrals),
      decisions: await putHandOff(store, runId, 'toOscar.decisions', decisions),
      links: await putHandOff(store, runId, 'toOscar.links', links),
    };
    return { ...rest, toOscar: emptyToOscarBatch(), toOscarHandOff };
  }),
];
