// runWorkflow on the real @openfn/runtime with stand-in jobs: cursors, credentials per step,
// failed runs and retry bookkeeping (behaviour.md "Cursors, retries, nothing lost").
import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { CarriedState, StepId } from '../../src/workflow/contract.ts';
import type { Job } from '../../src/workflow/plan.ts';
import { recordFailure } from '../../src/workflow/outcomes.ts';
import { fn } from '@openfn/language-http';
import { ApiError } from '../../src/http/errors.ts';

const systems = {
  primero: { url: 'http://127.0.0.1:1', username: 'u', password: 'primero-secret' },
  oscar: { url: 'http://127.0.0.1:2', email: 'a@b.c', password: 'oscar-secret' },
};
const pass: Job = [(state) => state];
const jobs = (overrides: Partial<Record<StepId, Job>> = {}): Record<StepId, Job> => ({
  'f1-j1': [
    (state) => ({
      ...state,
      primeroNextCursor: '2025-05-01T00:00:00.000Z',
      toOscar: {},
      closedReferralIds: [],
    }),
  ],
  'f1-j2': [(state) => ({ ...state, sent: [] })],
  'f2-j1': [(state) => ({ ...state, oscarNextCursor: '2025-05-02 00:00:00' })],
  'f2-j2': pass,
  ...overrides,
});
const carried: CarriedState = {
  cursors: { primero: '2025-04-01T00:00:00.000Z', oscar: '2025-04-01 00:00:00' },
  retries: [],
  deadLetters: [],
};

describe('cursors', () => {
  it('refuses the first run without a cursor and says how to give one', async () => {
    const outcome = await runWorkflow({ systems }, jobs());
    expect(outcome.summary.ok).toBe(false);
    expect(outcome.summary.error).toContain('npx interop run --since');
  });

  it('hands on the later cursors after a successful run', async () => {
    const outcome = await runWorkflow({ systems, carried }, jobs());
    expect(outcome.summary.ok).toBe(true);
    expect(outcome.next.cursors).toEqual({
      primero: '2025-05-01T00:00:00.000Z',
      oscar: '2025-05-02 00:00:00',
    });
  });

  it('a backfill starts at the explicit start but never moves the stored cursor backwards', async () => {
    const seen: string[] = [];
    const outcome = await runWorkflow(
      {
        systems,
        carried: {
          ...carried,
          cursors: { primero: '2025-06-01T00:00:00.000Z', oscar: '2025-06-01 00:00:00' },
        },
        since: '2025-01-01T00:00:00Z',
      },
      jobs({
        'f1-j1': [
          (state) => (
            seen.push(state.run.since),
            { ...state, primeroNextCursor: '2025-02-01T00:00:00.000Z' }
          ),
        ],
      }),
    );
    expect(seen).toEqual(['2025-01-01T00:00:00.000Z']);
    expect(outcome.next.cursors.primero).toBe('2025-06-01T00:00:00.000Z');
  });

  it('a failed run leaves cursors and retries as they were and names the step', async () => {
    const outcome = await runWorkflow(
      { systems, carried },
      jobs({
        'f2-j1': [
          () => {
            throw new Error('oscar answered GET /api/v1/organizations/clients with 503');
          },
        ],
      }),
    );
    expect(outcome.summary.ok).toBe(false);
    expect(outcome.summary.error).toMatch(/^Step f2-j1 \(get OSCaR cases\) failed: .*503/);
    expect(outcome.next).toEqual({ ...carried, sent: [] });
  });

  it("carries the failed step and the system whose answer failed it, from the ApiError's own field", async () => {
    const outcome = await runWorkflow(
      { systems, carried },
      jobs({
        // Under the adaptor's `fn`, as every job runs: the runtime keeps the thrown error's fields.
        'f2-j1': [
          fn(async () => {
            // The message names the other system: only the error's `system` field may count.
            throw new ApiError('Primero-side reference in the text; 503', {
              system: 'oscar',
              status: 503,
              method: 'GET',
              path: '/api/v1/organizations/clients',
              retryable: true,
            });
          }),
        ],
      }),
    );
    expect(outcome.summary.failure).toEqual({ step: 'f2-j1', system: 'oscar' });
  });
});

describe('credentials', () => {
  it('gives each step only its own system and keeps them out of every output', async () => {
    const seen: Record<string, unknown> = {};
    const spy = (id: StepId, job: Job): Job => [
      (state) => {
        seen[id] = state.configuration;
        return state;
      },
      ...job,
    ];
    const all = jobs();
    const outcome = await runWorkflow(
      { systems, carried },
      Object.fromEntries(
        Object.entries(all).map(([id, job]) => [id, spy(id as StepId, job)]),
      ) as Record<StepId, Job>,
    );
    expect(seen['f1-j1']).toEqual(systems.primero);
    expect(seen['f1-j2']).toEqual(systems.oscar);
    expect(seen['f2-j1']).toEqual(systems.oscar);
    expect(seen['f2-j2']).toEqual(systems.primero);
    expect(JSON.stringify(outcome)).not.toMatch(/secret/);
  });
});

describe('retries', () => {
  it('carries failed items, and dead-letters them after maxAttempts', async () => {
    const failing: Job = [
      (state) => {
        recordFailure(
          state.report,
          state.run.carried,
          { key: 'k1', step: 'f1-j2', kind: 'referral', ids: { case_id: 'c1' }, reason: 'bad' },
          state.run.startedAt,
        );
        return { ...state, sent: [] };
      },
    ];
    let state: CarriedState = carried;
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const outcome = await runWorkflow(
        { systems, carried: state, settings: { maxAttempts: 2 } },
        jobs({ 'f1-j2': failing }),
      );
      state = outcome.next;
      if (attempt === 1) expect(state.retries.map((item) => item.attempts)).toEqual([1]);
    }
    expect(state.retries).toEqual([]);
    expect(state.deadLetters.map((item) => [item.key, item.attempts])).toEqual([['k1', 2]]);
  });
});
