// f1-j1 — get Primero cases (Primero -> OSCaR, step 1).
// Fetches: every case updated in the window (one paged listing), the cases of items carried for
// retry, and the referrals of cases that refer a service to OSCaR.
// Decides: which referrals, decisions and links go to OSCaR (src/sync/primero-to-oscar.ts).
// Writes: nothing; hands `toOscar` and the candidate cursor to f1-j2.
import { fn } from '@openfn/language-http';
import { log } from '../src/log.ts';
import type { PrimeroCase, PrimeroReferral } from '../src/model/primero.ts';
import { hasReferralToOscar, selectForOscar } from '../src/sync/primero-to-oscar.ts';
import {
  caseIdsToRefetch,
  latestUpdate,
  resolvedRetries,
} from '../src/sync/primero-to-oscar/window.ts';
import { recordFetched, recordUnchanged } from '../src/workflow/outcomes.ts';
import { primeroClientFrom, primeroWindowStart } from '../src/workflow/step-context.ts';
import type { AfterGetPrimeroCases, BaseState } from '../src/workflow/state.ts';

interface Fetched extends BaseState {
  window: {
    cases: PrimeroCase[];
    refetched: PrimeroCase[];
    gone: string[];
    referrals: Record<string, PrimeroReferral[]>;
  };
}

export default [
  fn(async (state: BaseState): Promise<Fetched> => {
    const primero = primeroClientFrom(state);
    const from = primeroWindowStart(state);
    const cases = await primero.listCases({ last_updated_at: `${from}..` });
    const refetch = caseIdsToRefetch(state.run.carried.retries, cases);
    const found = await Promise.all(refetch.map((id) => primero.findCases({ id })));
    const refetched = found.flat();
    const gone = refetch.filter((id) => !refetched.some((record) => record.id === id));
    const referring = [...cases, ...refetched].filter(hasReferralToOscar);
    const lists = await Promise.all(referring.map((record) => primero.listReferrals(record.id)));
    const referrals = Object.fromEntries(referring.map((record, i) => [record.id, lists[i] ?? []]));
    recordFetched(state.report, 'f1-j1', cases.length + refetched.length);
    log.info(
      `f1-j1: fetched ${cases.length} cases updated since ${from}, ${refetched.length} more for retry ` +
        `(${gone.length} gone); referrals of ${referring.length} cases referring to OSCaR`,
    );
    return { ...state, window: { cases, refetched, gone, referrals } };
  }),

  fn((state: Fetched): AfterGetPrimeroCases => {
    const { window, run, report } = state;
    const carriedKeys = [...run.carried.retries, ...run.carried.deadLetters].map(
      (item) => item.key,
    );
    const toOscar = selectForOscar(
      [...window.cases, ...window.refetched],
      new Map(Object.entries(window.referrals)),
      {
        windowStart: primeroWindowStart(state),
        retryKeys: new Set(carriedKeys),
        requeuedKeys: new Set(run.carried.retries.map((item) => item.key)),
        deadLetterKeys: new Set(run.carried.deadLetters.map((item) => item.key)),
        sent: new Map((run.carried.sent ?? []).map((record) => [record.key, record])),
      },
    );
    // A carried item whose case no longer asks for it (sent, revoked, deleted) is settled.
    for (const key of resolvedRetries(run.carried.retries, window, toOscar))
      recordUnchanged(report, 'f1-j2', key);
    const closedReferralIds = Object.values(window.referrals)
      .flat()
      .filter((referral) => referral.status !== 'in_progress')
      .map((referral) => referral.id);
    const primeroNextCursor = latestUpdate(window.cases);
    log.info(
      `f1-j1: selected ${toOscar.referrals.length} referrals, ${toOscar.decisions.length} decisions, ` +
        `${toOscar.links.length} links for OSCaR; next Primero cursor ${primeroNextCursor ?? '(unchanged)'}`,
    );
    const { window: _window, ...rest } = state;
    return {
      ...rest,
      toOscar,
      closedReferralIds,
      ...(primeroNextCursor ? { primeroNextCursor } : {}),
    };
  }),
];
