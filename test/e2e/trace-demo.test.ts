// The trace on the real sync (src/workflow/run.ts through the runner) against both emulators with
// the demo seed: every item a run moved is in the per-item history, found by its ids.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SEED_START } from '../../demo/index.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { STORE_FILE, openStore } from '../../src/runner/store.ts';
import { traceChild } from '../../src/runner/trace.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import { startSystems } from './helpers.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('trace after a real run', () => {
  it('each referral written to OSCaR is found by its case id, with its outcome and ids', async () => {
    const systems = await startSystems();
    cleanup.push(() => systems.close());
    const home = mkdtempSync(join(tmpdir(), 'interop-trace-e2e-'));
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    const store = openStore(home);
    cleanup.push(() => store.close());
    const runner = createRunner({
      store,
      runWorkflow,
      systems: { ...systems.systems, primero: { ...systems.systems.primero, basicAuth: true } },
    });
    const result = await runner.runOnce({ trigger: 'manual', since: DEMO_SEED_START });
    expect(result.status).toMatch(/^succeeded/);
    if (result.status === 'refused') throw new Error(result.reason);
    const written = result.summary.kinds?.['f1-j2:referral']?.written ?? 0;
    expect(written).toBeGreaterThan(0);

    // A referral the run wrote, as the history holds it (read straight from the SQLite file).
    const db = new Database(join(home, STORE_FILE), { readonly: true });
    cleanup.push(() => db.close());
    const row = db
      .prepare<[], { key: string; ids: string }>(
        "SELECT key, ids FROM item_history WHERE kind = 'referral' AND outcome = 'written' LIMIT 1",
      )
      .get();
    expect(row).toBeDefined();
    const ids = JSON.parse(row!.ids) as Record<string, string>;
    expect(Object.keys(ids)).toEqual(expect.arrayContaining(['case_id', 'referral_id']));
    // Found by the case id and by the referral id, with the outcome and the ids on each side.
    for (const id of [ids.case_id!, ids.referral_id!]) {
      const entry = traceChild(store, id).entries.find((found) => found.key === row!.key);
      expect(entry).toMatchObject({ step: 'f1-j2', outcome: 'written', ids });
    }
    // Every outcome of the run is in the history: as many rows as items it attempted.
    const kinds = Object.values(result.summary.kinds ?? {});
    const attempted = kinds.reduce((sum, k) => sum + k.written + k.unchanged + k.failed, 0);
    const stored = db
      .prepare<[string], { n: number }>('SELECT count(*) AS n FROM item_history WHERE run_id = ?')
      .get(result.run.id)!.n;
    expect(stored).toBe(attempted);
  });
});
