// One lifecycle for an item (issue 18 item 2): an open dead letter that a backfill or a retry of
// another dead letter meets again stays one dead letter. It never re-enters the retry list at
// attempt 1 while it stays open (the console then counted the same items twice: "6 waiting for
// retry" and "6 dead letters"), and it is not announced again as newly dead-lettered.
import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { CarriedState, FailedItem, StepId } from '../../src/workflow/contract.ts';
import type { Job } from '../../src/workflow/plan.ts';
import { recordFailure } from '../../src/workflow/outcomes.ts';
import type { BaseState } from '../../src/workflow/state.ts';

const systems = {
  primero: { url: 'http://127.0.0.1:1', username: 'u', password: 'primero-secret' },
  oscar: { url: 'http://127.0.0.1:2', email: 'a@b.c', password: 'oscar-secret' },
};

const letter = (n: number, attempts = 5): FailedItem => ({
  key: `f2-j2:case:gid-000${n}`,
  step: 'f2-j2',
  kind: 'case',
  ids: { global_id: `gid-000${n}`, organization: 'ngo-a', client_id: String(n) },
  reason: 'birth date is not a date: correct it in OSCaR',
  attempts,
  firstFailedAt: '2025-03-01T00:00:00.000Z',
  lastFailedAt: '2025-03-05T00:00:00.000Z',
});
const six = [1, 2, 3, 4, 5, 6].map((n) => letter(n));

/** Stand-in jobs: the window holds the six children, and each fails again. */
const failingAgain: Job = [
  (state) => {
    const base = state as BaseState;
    for (const item of six) {
      const { attempts: _a, firstFailedAt: _f, lastFailedAt: _l, ...failure } = item;
      recordFailure(base.report, base.run.carried, failure, '2025-04-02T00:00:00.000Z');
    }
    return state;
  },
];
const jobs: Record<StepId, Job> = {
  'f1-j1': [
    (state) => ({
      ...state,
      primeroNextCursor: '2025-04-02T00:00:00.000Z',
      toOscar: {},
      closedReferralIds: [],
    }),
  ],
  'f1-j2': [(state) => ({ ...state, sent: [] })],
  'f2-j1': [(state) => ({ ...state, oscarNextCursor: '2025-04-02 00:00:00' })],
  'f2-j2': failingAgain,
};
const cursors = { primero: '2025-04-01T00:00:00.000Z', oscar: '2025-04-01 00:00:00' };

const keys = (items: readonly FailedItem[]) => items.map((item) => item.key).sort();

describe('one lifecycle for an item', () => {
  it('a backfill meeting six open dead letters keeps six dead letters and queues none of them', async () => {
    const carried: CarriedState = { cursors, retries: [], deadLetters: six };
    const { summary, next } = await runWorkflow(
      { systems, carried, since: '2025-03-01T00:00:00Z' },
      jobs,
    );
    expect(summary.ok).toBe(true);
    expect(next.retries).toEqual([]);
    expect(keys(next.deadLetters)).toEqual(keys(six));
    // Still one dead letter each, its count going on and the latest failure recorded.
    expect(next.deadLetters.map((item) => item.attempts)).toEqual([6, 6, 6, 6, 6, 6]);
    expect(next.deadLetters[0]?.lastFailedAt).toBe('2025-04-02T00:00:00.000Z');
    // Not news: no "new dead letters" alert for letters that were already open.
    expect(summary.deadLettered).toEqual([]);
  });

  it('retrying one dead letter leaves the other five dead letters where they are', async () => {
    const requeued = { ...six[0]!, attempts: 0 };
    const carried: CarriedState = { cursors, retries: [requeued], deadLetters: six.slice(1) };
    const { next } = await runWorkflow({ systems, carried }, jobs);
    expect(next.retries.map((item) => [item.key, item.attempts])).toEqual([[requeued.key, 1]]);
    expect(keys(next.deadLetters)).toEqual(keys(six.slice(1)));
    // Counted once: no item is both waiting for retry and a dead letter.
    const queued = new Set(next.retries.map((item) => item.key));
    expect(next.deadLetters.filter((item) => queued.has(item.key))).toEqual([]);
  });

  it('a store the old lifecycle left with items both queued and dead is healed by the next run', async () => {
    const carried: CarriedState = {
      cursors,
      retries: six.map((item) => ({ ...item, attempts: 1 })),
      deadLetters: six,
    };
    const quiet: Record<StepId, Job> = { ...jobs, 'f2-j2': [(state) => state] };
    const { next } = await runWorkflow({ systems, carried }, quiet);
    expect(next.retries).toEqual([]);
    expect(keys(next.deadLetters)).toEqual(keys(six));
  });
});
