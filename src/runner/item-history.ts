// The per-item outcome history: one row per item a run attempted (written, unchanged, failed,
// dead-lettered), with the ids on each side and the reason. It answers "where is this child's
// referral?" (`npx interop trace`, the console's trace page). Ids and reasons only, like the rest
// of the store: the rows are built from the run's summary, which holds no field of either system.
// Bounded: rows older than the retention (INTEROP_HISTORY_DAYS, default 90) are pruned after
// every run.
import type Database from 'better-sqlite3';
import type { FailedItem, StepId } from '../workflow/contract.ts';

export const DEFAULT_HISTORY_DAYS = 90;

/** How an item ended in one run. `dead-lettered`: failed and now needs an administrator. */
export type HistoryOutcome = 'written' | 'unchanged' | 'failed' | 'dead-lettered';

export interface HistoryEntry {
  runId: string;
  /** When the run finished (ISO-8601 UTC). */
  at: string;
  step: StepId;
  /** referral, decision, link, case, client. */
  kind: string;
  key: string;
  outcome: HistoryOutcome;
  reason?: string;
  /** The ids on each side: case_id, primero_id, global_id, organization, slug, referral_id... */
  ids: Record<string, string>;
}

export const ITEM_HISTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS item_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  at TEXT NOT NULL,
  step TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT,
  ids TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS item_history_by_at ON item_history (at);
CREATE INDEX IF NOT EXISTS item_history_by_key ON item_history (key);
CREATE TABLE IF NOT EXISTS item_history_ids (
  entry_id INTEGER NOT NULL REFERENCES item_history (id) ON DELETE CASCADE,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS item_history_ids_by_value ON item_history_ids (value);
CREATE INDEX IF NOT EXISTS item_history_ids_by_entry ON item_history_ids (entry_id);
`;

/**
 * The retention's deletes: the entries past it and their search values. The values are found by
 * entry (item_history_ids_by_entry), so a run's pruning costs what aged out, not what is kept.
 */
export const PRUNE_SQL = {
  values: `DELETE FROM item_history_ids WHERE entry_id IN (SELECT id FROM item_history WHERE at < ?)`,
  entries: 'DELETE FROM item_history WHERE at < ?',
};

export interface ItemHistory {
  /** Appends a run's entries in one transaction. */
  record(entries: readonly HistoryEntry[]): void;
  /** Entries whose ids (any side) or key part equal `id`, oldest first. */
  find(id: string, limit?: number): HistoryEntry[];
  /** Deletes entries older than `before` (ISO-8601); returns how many went. */
  prune(before: string): number;
}

interface Row {
  id: number;
  run_id: string;
  at: string;
  step: StepId;
  kind: string;
  key: string;
  outcome: HistoryOutcome;
  reason: string | null;
  ids: string;
}

/** The values an entry is found by: every id and every `:`-part of its key after step and kind. */
export function searchValues(entry: Pick<HistoryEntry, 'key' | 'ids'>): string[] {
  const values = [...Object.values(entry.ids), ...entry.key.split(':').slice(2)];
  return [...new Set(values.map((value) => value.trim()).filter((value) => value !== ''))];
}

export function itemHistory(db: Database.Database): ItemHistory {
  const insert = db.prepare(
    `INSERT INTO item_history (run_id, at, step, kind, key, outcome, reason, ids)
     VALUES (@runId, @at, @step, @kind, @key, @outcome, @reason, @ids)`,
  );
  const insertValue = db.prepare('INSERT INTO item_history_ids (entry_id, value) VALUES (?, ?)');
  const byValue = db.prepare<[string, number], Row>(
    `SELECT * FROM item_history WHERE id IN
       (SELECT entry_id FROM item_history_ids WHERE value = ?)
     ORDER BY at, id LIMIT ?`,
  );
  const dropValues = db.prepare<[string]>(PRUNE_SQL.values);
  const dropEntries = db.prepare<[string]>(PRUNE_SQL.entries);

  return {
    record: db.transaction((entries: readonly HistoryEntry[]) => {
      for (const entry of entries) {
        const { lastInsertRowid } = insert.run({
          runId: entry.runId,
          at: entry.at,
          step: entry.step,
          kind: entry.kind,
          key: entry.key,
          outcome: entry.outcome,
          reason: entry.reason ?? null,
          ids: JSON.stringify(entry.ids),
        });
        for (const value of searchValues(entry)) insertValue.run(lastInsertRowid, value);
      }
    }),

    find(id, limit = 500) {
      return byValue.all(id.trim(), limit).map((row) => ({
        runId: row.run_id,
        at: row.at,
        step: row.step,
        kind: row.kind,
        key: row.key,
        outcome: row.outcome,
        ...(row.reason !== null ? { reason: row.reason } : {}),
        ids: JSON.parse(row.ids) as Record<string, string>,
      }));
    },

    prune: db.transaction((before: string) => {
      dropValues.run(before);
      return dropEntries.run(before).changes;
    }),
  };
}

/** What a run's summary says about each item, as history entries. */
export function entriesOfRun(input: {
  runId: string;
  at: string;
  succeeded: ReadonlyArray<{
    key: string;
    step: StepId;
    outcome: 'written' | 'unchanged';
    ids?: Record<string, string>;
  }>;
  failed: readonly FailedItem[];
  deadLettered: readonly FailedItem[];
}): HistoryEntry[] {
  const dead = new Set(input.deadLettered.map((item) => item.key));
  const base = { runId: input.runId, at: input.at };
  return [
    ...input.succeeded.map((item) => ({
      ...base,
      step: item.step,
      kind: item.key.split(':')[1] ?? '',
      key: item.key,
      outcome: item.outcome,
      ids: item.ids ?? {},
    })),
    ...input.failed.map((item) => ({
      ...base,
      step: item.step,
      kind: item.kind,
      key: item.key,
      outcome: dead.has(item.key) ? ('dead-lettered' as const) : ('failed' as const),
      reason: item.reason,
      ids: item.ids,
    })),
  ];
}
