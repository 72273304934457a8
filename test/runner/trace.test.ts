// "Where is this child's referral?" (issue 18 item 5): the per-item history a run leaves in the
// store, found by any id on either side, bounded by the retention setting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunner } from '../../src/runner/run-once.ts';
import type { RunWorkflow } from '../../src/runner/run-once.ts';
import Database from 'better-sqlite3';
import { PRUNE_SQL } from '../../src/runner/item-history.ts';
import { openStore, STORE_FILE } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { formatTrace, traceChild } from '../../src/runner/trace.ts';
import { whereToAct } from '../../src/runner/where-to-act.ts';
import type { FailedItem, SucceededItem } from '../../src/workflow/contract.ts';
import { reporting } from './reporting-workflow.ts';
import { TEST_SYSTEMS } from './stub-workflow.ts';

let home: string;
let store: Store;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'interop-trace-'));
  store = openStore(home);
});
afterEach(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

const referral: SucceededItem = {
  key: 'f1-j2:referral:case-7f3a:svc-1',
  step: 'f1-j2',
  outcome: 'written',
  ids: { case_id: 'case-7f3a', primero_id: 'p-100', service_id: 'svc-1', referral_id: 'ref-55' },
};
// OSCaR -> Primero: known by the global id, naming the case on the Primero side.
const backFromOscar: FailedItem = {
  key: 'f2-j2:case:gid-0042',
  step: 'f2-j2',
  kind: 'case',
  ids: { global_id: 'gid-0042', case_id: 'case-7f3a', organization: 'ngo-a', client_id: '17' },
  reason:
    'birth date 2031-02-30 is not a date: correct it in OSCaR (organisation ngo-a, client 17)',
  attempts: 1,
  firstFailedAt: '2025-01-01T00:00:00.000Z',
  lastFailedAt: '2025-01-01T00:00:00.000Z',
};
const otherChild: SucceededItem = {
  key: 'f1-j2:link:case-0000',
  step: 'f1-j2',
  outcome: 'unchanged',
  ids: { case_id: 'case-0000', global_id: 'gid-0000' },
};

const runOnce = (workflow: RunWorkflow, historyDays?: number) =>
  createRunner({
    store,
    runWorkflow: workflow,
    systems: TEST_SYSTEMS,
    ...(historyDays !== undefined ? { historyDays } : {}),
  }).runOnce({ trigger: 'manual', since: '2025-01-01T00:00:00Z' });

describe('where to act', () => {
  it('names the organisation and client for OSCaR items, the case for Primero items', () => {
    expect(
      whereToAct({ step: 'f2-j2', ids: { global_id: 'g1', organization: 'ngo-b', slug: 'ab12' } }),
    ).toBe('OSCaR (organisation ngo-b, client ab12)');
    expect(whereToAct({ step: 'f2-j1', ids: { position: '20' } })).toBe(
      'OSCaR (position 20 of the listing)',
    );
    expect(whereToAct({ step: 'f2-j1', ids: { global_id: 'g1' } })).toBe('OSCaR (global id g1)');
    expect(whereToAct({ step: 'f1-j2', ids: { case_id: 'case-1', service_id: 's' } })).toBe(
      'Primero (case case-1)',
    );
  });
});

describe('trace', () => {
  it('finds every run that touched a child by case id, global id or referral id, with the ids on each side', async () => {
    await runOnce(reporting({ succeeded: [referral, otherChild] }));
    await runOnce(reporting({ failed: [backFromOscar] }));

    const byCase = traceChild(store, 'case-7f3a');
    expect(byCase.runs).toBe(2);
    expect(byCase.entries.map((entry) => [entry.step, entry.kind, entry.outcome])).toEqual([
      ['f1-j2', 'referral', 'written'],
      ['f2-j2', 'case', 'failed'],
    ]);
    expect(byCase.entries[1]).toMatchObject({
      ids: backFromOscar.ids,
      reason: backFromOscar.reason,
    });
    // The same child from the other side, and by its referral: the case id links both sides.
    expect(traceChild(store, 'gid-0042').entries.map((entry) => entry.key)).toEqual([
      referral.key,
      backFromOscar.key,
    ]);
    expect(traceChild(store, 'ref-55').entries.map((entry) => entry.key)).toEqual([
      referral.key,
      backFromOscar.key,
    ]);
    expect(traceChild(store, 'case-0000').entries.map((entry) => entry.key)).toEqual([
      otherChild.key,
    ]);

    const text = formatTrace(byCase);
    expect(text).toContain('case-7f3a: 2 item outcome(s) in 2 run(s)');
    expect(text).toContain('organization=ngo-a client_id=17');
    // Where to act: the system that holds the value, and where in it.
    expect(text).toContain('[in OSCaR (organisation ngo-a, client 17)]');
    expect(formatTrace(traceChild(store, 'nobody'))).toMatch(/^No item with id nobody/);
  });

  it('the stored run summary leaves the per-item list out (it lives in the history)', async () => {
    await runOnce(reporting({ succeeded: [referral] }));
    expect(store.listRuns()[0]?.summary).not.toHaveProperty('succeeded');
  });

  it('keeps INTEROP_HISTORY_DAYS: older entries are pruned at the end of each run', async () => {
    store.itemHistory.record([
      {
        runId: 'old-run',
        at: new Date(Date.now() - 31 * 86_400_000).toISOString(),
        step: 'f1-j2',
        kind: 'referral',
        key: 'f1-j2:referral:case-old:svc-1',
        outcome: 'written',
        ids: { case_id: 'case-old' },
      },
    ]);
    await runOnce(reporting({ succeeded: [referral] }), 60);
    expect(traceChild(store, 'case-old').entries).toHaveLength(1);
    await runOnce(reporting({ succeeded: [referral] }), 30);
    expect(traceChild(store, 'case-old').entries).toHaveLength(0);
    expect(traceChild(store, 'case-7f3a').entries).toHaveLength(2);
    // The pruned entry's search values went with it.
    const db = new Database(join(home, STORE_FILE), { readonly: true });
    try {
      const orphans = db
        .prepare(
          'SELECT COUNT(*) AS n FROM item_history_ids WHERE entry_id NOT IN (SELECT id FROM item_history)',
        )
        .get() as { n: number };
      expect(orphans.n).toBe(0);
      // Found through the index by entry, not by reading every value of every entry kept: after
      // 90 days some entries age out at every run, and the history holds hundreds of thousands.
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${PRUNE_SQL.values}`).all('2025-01-01') as Array<{
        detail: string;
      }>;
      expect(plan.map((step) => step.detail).join('\n')).toMatch(
        /SEARCH item_history_ids USING (COVERING )?INDEX item_history_ids_by_entry/,
      );
    } finally {
      db.close();
    }
  });
});
