// A run's log is written in batches (src/runner/store.ts): a commit per line was the largest CPU
// cost of a long run after its requests. What must still hold: a warning or an error is on disk at
// once, with the lines before it; the routine lines follow at the batch's size or time, at a
// step's end (run-once.ts), when something reads the log, and when the store closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** The store, and what another process reading the same file would see of a run's log. */
function openWithReader(): { store: Store; onDisk: (runId: string) => string[] } {
  const home = mkdtempSync(join(tmpdir(), 'interop-log-'));
  homes.push(home);
  const store = openStore(home);
  const onDisk = (runId: string) => {
    const raw = new Database(join(home, 'interop.sqlite'), { readonly: true });
    try {
      return raw
        .prepare<[string], { message: string }>(
          'SELECT message FROM run_logs WHERE run_id = ? ORDER BY id',
        )
        .all(runId)
        .map((row) => row.message);
    } finally {
      raw.close();
    }
  };
  return { store, onDisk };
}

describe('the run log, written in batches', () => {
  it('keeps routine lines for the batch, writes a warning at once with the lines before it', () => {
    const { store, onDisk } = openWithReader();
    const run = store.recordRunStart({ trigger: 'manual' });
    store.appendLog(run.id, 'debug', 'GET /api/v2/cases - 200 in 20 ms');
    store.appendLog(run.id, 'info', 'f1-j1: fetched 3 cases');
    expect(onDisk(run.id)).toEqual([]);

    store.appendLog(run.id, 'warn', 'f2-j2: case-1 failed (attempt 1): ambiguous match');
    expect(onDisk(run.id)).toEqual([
      'GET /api/v2/cases - 200 in 20 ms',
      'f1-j1: fetched 3 cases',
      'f2-j2: case-1 failed (attempt 1): ambiguous match',
    ]);
    store.close();
  });

  it('writes what waits when a step ends, when the log is read and when the store closes', () => {
    const { store, onDisk } = openWithReader();
    const run = store.recordRunStart({ trigger: 'manual' });
    store.appendLog(run.id, 'info', 'f1-j1: fetched 3 cases');
    store.flushLogs();
    expect(onDisk(run.id)).toEqual(['f1-j1: fetched 3 cases']);

    store.appendLog(run.id, 'info', 'f1-j2: sent 1 referral');
    expect(store.getRunLogs(run.id).map((line) => line.message)).toEqual([
      'f1-j1: fetched 3 cases',
      'f1-j2: sent 1 referral',
    ]);

    store.appendLog(run.id, 'info', 'f2-j1: fetched 2 OSCaR clients');
    store.close();
    expect(onDisk(run.id)).toEqual([
      'f1-j1: fetched 3 cases',
      'f1-j2: sent 1 referral',
      'f2-j1: fetched 2 OSCaR clients',
    ]);
  });

  it('writes a full batch without waiting', () => {
    const { store, onDisk } = openWithReader();
    const run = store.recordRunStart({ trigger: 'manual' });
    for (let line = 0; line < 200; line += 1) store.appendLog(run.id, 'debug', `line ${line}`);
    expect(onDisk(run.id)).toHaveLength(200);
    store.close();
  });
});
