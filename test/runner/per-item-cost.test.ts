// Issue 17, item 1: what the store does for one item must not grow with what the store holds. The
// same run (the reliability world: referrals upserted to OSCaR one by one, decisions, links, OSCaR
// children) is made through the runner's runOnce on a SQLite store holding 10 and then 5 000 other
// sent-ledger records, counting the statements on the state items (better-sqlite3's prepared
// statements, wrapped where the store prepares them).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunner } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import { SENT_PREFIX } from '../../src/workflow/carried-items.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import { FAST, worldSystems } from '../reliability/harness.ts';
import { START } from '../reliability/world.ts';

const UPSERT = 'POST /api/v1/organizations/clients/upsert';

interface Cost {
  upserts: number;
  written: number;
  /** Statements that wrote a state item (insert/replace or delete). */
  itemWrites: number;
  /** State-item rows read, whatever statement read them. */
  itemRowsRead: number;
}

const counts = { itemWrites: 0, itemRowsRead: 0 };

/** Wraps every statement the store prepares on state_items with the counters above. */
function countItemStatements(): () => void {
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, source: string) {
    const statement = prepare.call(this, source) as Database.Statement;
    if (!source.includes('state_items')) return statement;
    const run = statement.run.bind(statement);
    const all = statement.all.bind(statement);
    const get = statement.get.bind(statement);
    Object.assign(statement, {
      run: (...args: unknown[]) => {
        counts.itemWrites += 1;
        return run(...args);
      },
      all: (...args: unknown[]) => {
        const rows = all(...args);
        counts.itemRowsRead += rows.length;
        return rows;
      },
      get: (...args: unknown[]) => {
        const row = get(...args);
        if (row !== undefined) counts.itemRowsRead += 1;
        return row;
      },
    });
    return statement;
  } as typeof prepare;
  return () => {
    Database.prototype.prepare = prepare;
  };
}

const homes: string[] = [];
afterAll(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));

/** One first run of the world on a store already holding `held` unrelated ledger records. */
async function costOfRun(held: number): Promise<Cost> {
  const systems = await worldSystems();
  const home = mkdtempSync(join(tmpdir(), 'interop-item-cost-'));
  homes.push(home);
  const restore = countItemStatements();
  const store = openStore(home);
  try {
    const at = new Date().toISOString();
    // One referral awaiting its decision (f1-j2 lists those for the overdue check), and links.
    const awaiting = { key: 'awaiting:held-referral', value: 'held-case held-case ngo', at };
    await store.stateStore().set([
      { key: `${SENT_PREFIX}${awaiting.key}`, value: awaiting },
      ...Array.from({ length: held - 1 }, (_, n) => {
        const key = `link:held-${String(n).padStart(5, '0')}`;
        return { key: `${SENT_PREFIX}${key}`, value: { key, value: `held-${n}`, at } };
      }),
    ]);
    counts.itemWrites = 0;
    counts.itemRowsRead = 0;
    const runner = createRunner({ store, runWorkflow, systems: systems.systems, settings: FAST });
    const result = await runner.runOnce({ trigger: 'manual', since: START });
    if (result.status !== 'succeeded') throw new Error(`run ${result.status}`);
    const written = Object.values(result.summary.steps).reduce((sum, s) => sum + s.written, 0);
    return { upserts: systems.oscar.requestCounts()[UPSERT] ?? 0, written, ...counts };
  } finally {
    store.close();
    restore();
    await systems.close();
  }
}

describe('a ledger record costs the same whatever the ledger holds', () => {
  it('10 and 5 000 held records: the same item writes per upsert, and no read of the records the run does not consult', async () => {
    const small = await costOfRun(10);
    const large = await costOfRun(5_000);
    // The scenario sends several referrals one upsert each: a cost per upsert would show.
    expect(small.upserts).toBeGreaterThanOrEqual(3);
    expect(large.upserts).toBe(small.upserts);
    expect(large.written).toBe(small.written);
    // Writes: the same statements at both sizes, a few per item written (the referral marked
    // unconfirmed before it leaves, then confirmed with its awaiting-decision record), plus the
    // carried state's few rows at the end.
    expect(large.itemWrites).toBe(small.itemWrites);
    expect(small.itemWrites).toBeLessThanOrEqual(3 * small.written + 10);
    // Reads: the steps read the ledger records their items consult (f1-j1 for its selection,
    // f1-j2 for its writes and pruning, and the awaiting record), never the whole ledger: the
    // 4 990 more records held, of children this run does not touch, cost no row read at all.
    expect(small.itemRowsRead).toBeGreaterThan(0);
    expect(large.itemRowsRead).toBe(small.itemRowsRead);
  });
});
