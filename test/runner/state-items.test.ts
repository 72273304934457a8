// The runner's SQLite store keeps the same facts as OpenFn.org's Collection, the same way: one row
// per cursor set, retry, dead letter and ledger record (src/workflow/carried-items.ts), written
// only where something changed, behind the StateStore interface the steps use.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, STORE_FILE } from '../../src/runner/store.ts';
import { loadCarried, saveCarried } from '../../src/workflow/carried-items.ts';
import type { CarriedState } from '../../src/workflow/contract.ts';

const homes: string[] = [];
const newHome = () => {
  const home = mkdtempSync(join(tmpdir(), 'interop-state-items-'));
  homes.push(home);
  return home;
};
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const rows = (home: string) => {
  const db = new Database(join(home, STORE_FILE), { readonly: true });
  try {
    return db
      .prepare<[], { key: string; updated_at: string }>(
        'SELECT key, updated_at FROM state_items ORDER BY key',
      )
      .all();
  } finally {
    db.close();
  }
};

const carried: CarriedState = {
  cursors: { primero: '2025-01-01T00:00:00.000Z', oscar: '2025-01-01 00:00:00' },
  retries: [
    {
      key: 'f2-j2:case:G_1',
      step: 'f2-j2',
      kind: 'case',
      ids: { global_id: 'G_1' },
      reason: 'bad data',
      attempts: 1,
      firstFailedAt: '2025-01-01T00:00:00Z',
      lastFailedAt: '2025-01-01T00:00:00Z',
    },
  ],
  deadLetters: [],
  sent: [
    { key: 'referral:r1', value: 'svc-1', at: '2025-01-01T00:00:00Z' },
    { key: 'referral:r2', value: 'svc-2', at: '2025-01-01T00:00:00Z' },
  ],
};

describe('the carried state in the runner’s store', () => {
  it('is one row per item and a change rewrites only its own row', async () => {
    const home = newHome();
    const store = openStore(home);
    try {
      const lock = store.acquireLock({ runId: 'r' });
      if (!lock.ok) throw new Error('lock');
      store.saveCarriedState(carried, lock.handle);
      const before = rows(home);
      expect(before.map((row) => row.key)).toEqual([
        'carried:cursors',
        'carried:retries:f2-j2:case:G_1',
        'carried:sent:referral:r1',
        'carried:sent:referral:r2',
      ]);
      expect(store.lastCarriedState()).toEqual(carried);

      await new Promise((resolve) => setTimeout(resolve, 5));
      const next = {
        ...carried,
        sent: [carried.sent![0]!, { ...carried.sent![1]!, value: 'svc-9' }],
      };
      store.saveCarriedState(next, lock.handle);
      const after = rows(home);
      const changed = after.filter(
        (row) => before.find((old) => old.key === row.key)?.updated_at !== row.updated_at,
      );
      expect(changed.map((row) => row.key)).toEqual(['carried:sent:referral:r2']);
      // The steps' interface reads and writes the same rows.
      expect({ deadLetters: [], ...(await loadCarried(store.stateStore())) }).toEqual(next);
      await saveCarried(store.stateStore(), { ...next, retries: [] });
      expect(store.lastCarriedState()?.retries).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('moves a state stored as one document (before rows) into rows, once', () => {
    const home = newHome();
    openStore(home).close();
    const db = new Database(join(home, STORE_FILE));
    db.prepare('INSERT INTO carried_state (id, state, run_id, updated_at) VALUES (1, ?, ?, ?)').run(
      JSON.stringify(carried),
      'old-run',
      '2025-01-01T00:00:00Z',
    );
    db.close();
    const store = openStore(home);
    try {
      expect(store.lastCarriedState()).toEqual(carried);
      expect(rows(home)).toHaveLength(4);
    } finally {
      store.close();
    }
  });
});
