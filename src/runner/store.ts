// The runner's embedded store (SQLite through better-sqlite3): the carried state of the last
// successful run (cursors, retries, dead letters), every run with its summary, its log lines and
// failed items, the one-run-at-a-time lock and the scheduler's heartbeat.
//
// Several processes use it at once (the scheduler, a CLI command, the console): WAL lets readers
// work while a run writes, busy_timeout makes writers wait instead of failing, and every change that
// spans rows is one transaction, so a process killed half-way leaves either all of it or none.
//
// What it holds is already free of child data: the workflow's summary carries ids, counts and
// reasons only, and log lines arrive scrubbed (the runner redacts secrets once more before them).
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { LogLevel } from '../log.ts';
import { processIdentity, processRunning } from './process-identity.ts';
import type { CarriedState, FailedItem, RunSummary } from '../workflow/contract.ts';
import {
  CARRIED_PREFIX,
  FIELDS_WITHOUT_LEDGER,
  carriedChanges,
  carriedFromItems,
  carriedPrefixes,
  savedFields,
} from '../workflow/carried-items.ts';
import type { StateStore, StoredItem } from '../workflow/state-store.ts';
import { assertKey } from '../workflow/state-store.ts';
import { NO_START_MESSAGE } from '../time.ts';
import { ITEM_HISTORY_SCHEMA, itemHistory } from './item-history.ts';
import type { ItemHistory } from './item-history.ts';

export const STORE_FILE = 'interop.sqlite';

/** Who started a run: the CLI `run`, the timer, the admin console, or `retry`. */
export type RunTrigger = 'manual' | 'schedule' | 'console' | 'retry';
/**
 * `succeeded-with-failures`: the run finished but some items failed (amber; they are retried or
 * dead-lettered); `refused`: nothing was attempted (mapping tables, sign-in pause, another run
 * holding the lock, a configuration the run cannot use, no start for a first run);
 * `interrupted`: the process stopped (killed, crashed, power loss) before the run finished.
 */
export type RunStatus =
  'running' | 'succeeded' | 'succeeded-with-failures' | 'failed' | 'refused' | 'interrupted';

export interface RunRecord {
  id: string;
  trigger: RunTrigger;
  status: RunStatus;
  dryRun: boolean;
  /** The explicit start the operator gave (backfill), if any. */
  since?: string;
  /** For retry runs: the run or dead letter that was retried. */
  retryOf?: string;
  pid: number;
  startedAt: string;
  finishedAt?: string;
  /** The workflow's summary (ids, counts and reasons only); absent while running or if interrupted. */
  summary?: RunSummary;
  /** Why the run failed or was interrupted. */
  error?: string;
}

export interface LogLine {
  at: string;
  level: LogLevel;
  message: string;
}

/** A dead letter as the store lists it: the failed item plus a short id an administrator can type. */
export interface DeadLetter extends FailedItem {
  id: string;
}

export interface LockHandle {
  holder: string;
  runId: string;
}

export interface LockInfo {
  runId: string;
  pid: number;
  host: string;
  acquiredAt: string;
  leaseUntil: string;
}

export type LockResult = { ok: true; handle: LockHandle } | { ok: false; heldBy: LockInfo };

export interface SchedulerInfo {
  pid: number;
  host: string;
  cron: string;
  nextRunAt?: string;
  updatedAt: string;
  /** False when the recorded scheduler process is gone (or has not reported for a long time). */
  alive: boolean;
}

export interface Store {
  /** The SQLite file. */
  readonly path: string;

  /** Records a run as `running`. Call it while holding the lock. */
  recordRunStart(input: {
    id?: string;
    trigger: RunTrigger;
    since?: string;
    dryRun?: boolean;
    retryOf?: string;
    pid?: number;
  }): RunRecord;
  /**
   * Records a run that was refused before it attempted anything, as finished with status
   * `refused` and the reason; no lock needed (it changes nothing but its own row).
   */
  recordRefusedRun(input: {
    trigger: RunTrigger;
    reason: string;
    since?: string;
    dryRun?: boolean;
    retryOf?: string;
  }): RunRecord;
  /**
   * Appends one (already scrubbed) log line to a run. Lines are written in batches; a warning or
   * an error is written at once, with the lines before it.
   */
  appendLog(runId: string, level: LogLevel, message: string): void;
  /** Writes the log lines still waiting (at the end of each step: what a step said outlives a kill). */
  flushLogs(): void;
  /**
   * Finishes a run in one transaction: status from summary.ok, the summary, its failed items and,
   * when given, the new carried state. runOnce gives the whole next state only for a successful run
   * (like OpenFn.org, which keeps the final state of the last successful run); for a failed one only
   * the stored state with the workflow's updated ledger of writes OSCaR already received.
   */
  finishRun(runId: string, outcome: { summary: RunSummary; next?: CarriedState }): RunRecord;

  /**
   * The final carried state of the last successful run; undefined before the first one. Without
   * the ledger (`{ ledger: false }`) it reads no ledger row: a run reads those by key.
   */
  lastCarriedState(options?: { ledger?: boolean }): CarriedState | undefined;
  /** Replaces the carried state (used by retry bookkeeping; needs the lock). */
  saveCarriedState(state: CarriedState, lock: LockHandle): void;
  /**
   * The same facts as a StateStore (src/workflow/state-store.ts): the carried state one row per
   * cursor set, retry, dead letter and ledger record (table state_items), as OpenFn.org keeps
   * them in Collections.
   */
  stateStore(): StateStore;

  /** Most recent first. */
  listRuns(options?: { limit?: number; offset?: number }): RunRecord[];
  /** By full id or a unique prefix of at least 6 characters. */
  getRun(idOrPrefix: string): RunRecord | undefined;
  getRunLogs(runId: string): LogLine[];
  /** The items that failed in that run (ids and reasons). */
  getRunFailedItems(runId: string): FailedItem[];

  /** Dead letters of the current carried state. */
  listDeadLetters(): DeadLetter[];
  /** By id (`dl-…`) or the item's full key. */
  getDeadLetter(idOrKey: string): DeadLetter | undefined;
  /**
   * Moves a dead letter back into the retry list with attempts reset, so the next run retries it.
   * Needs the lock: a run finishing meanwhile would otherwise overwrite the change.
   */
  requeueDeadLetter(idOrKey: string, lock: LockHandle): FailedItem;
  /**
   * Puts items back into the retry list (attempts reset): dead letters among them are requeued, the
   * others added unless already queued. Returns how many entered the list. Needs the lock.
   */
  requeueItems(items: FailedItem[], lock: LockHandle): number;

  /**
   * Takes the one-run-at-a-time lock. A lock whose holder process is dead (same host) or whose
   * lease has expired is stale and taken over; runs it left `running` become `interrupted`.
   */
  acquireLock(input: { runId: string; leaseMs?: number; pid?: number }): LockResult;
  /** Extends the lease; false when the lock was taken over meanwhile. */
  renewLock(lock: LockHandle, leaseMs?: number): boolean;
  releaseLock(lock: LockHandle): void;
  /** The live holder of the lock, if any. */
  lockHolder(): LockInfo | undefined;

  /** The scheduler's heartbeat, so `status` can say when the next run is due. */
  recordScheduler(info: { cron: string; nextRunAt?: string; pid?: number }): void;
  clearScheduler(pid?: number): void;
  schedulerInfo(): SchedulerInfo | undefined;

  /** Per-item outcomes of the runs, for `trace` (src/runner/item-history.ts). */
  readonly itemHistory: ItemHistory;

  /** Alert digests (src/alerts/digest.ts): per kind, when one was last sent and what waits. */
  alertDigest(kind: string): AlertDigestRow | undefined;
  saveAlertDigest(kind: string, row: AlertDigestRow): void;

  /** Per system, the runs refused at sign-in since the last accepted one (src/runner/sign-in-brake.ts). */
  signInBrakes(): SignInBrakeRow[];
  saveSignInBrake(row: SignInBrakeRow): void;

  close(): void;
}

export interface AlertDigestRow {
  lastSentAt?: string;
  /** JSON of the events collected since then. */
  pending: string;
}

export interface SignInBrakeRow {
  system: string;
  refusedRuns: number;
  /** When the schedule stopped signing in to this system; absent while it still does. */
  pausedAt?: string;
  reason?: string;
}

/** A run left `running` by a dead process: reported, never silently dropped. */
export const INTERRUPTED_REASON =
  'the process stopped before the run finished (killed or crashed); nothing of it was committed to ' +
  'the carried state, so the next run covers the same window again';

export const DEFAULT_LEASE_MS = 5 * 60_000;
const SCHEDULER_SILENCE_MS = 3 * 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL,
  dry_run INTEGER NOT NULL DEFAULT 0,
  since TEXT,
  retry_of TEXT,
  pid INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  summary TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_at DESC);
CREATE TABLE IF NOT EXISTS run_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs (id),
  at TEXT NOT NULL,
  level TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS run_logs_by_run ON run_logs (run_id, id);
CREATE TABLE IF NOT EXISTS failed_items (
  run_id TEXT NOT NULL REFERENCES runs (id),
  key TEXT NOT NULL,
  item TEXT NOT NULL,
  dead_lettered INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS state_items (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS carried_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  state TEXT NOT NULL,
  run_id TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_lock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  holder TEXT NOT NULL,
  run_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  lease_until TEXT NOT NULL,
  identity TEXT
);
CREATE TABLE IF NOT EXISTS scheduler (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  cron TEXT NOT NULL,
  next_run_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_digest (
  kind TEXT PRIMARY KEY,
  last_sent_at TEXT,
  pending TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sign_in_brake (
  system TEXT PRIMARY KEY,
  refused_runs INTEGER NOT NULL,
  paused_at TEXT,
  reason TEXT
);
`;

interface RunRow {
  id: string;
  trigger: RunTrigger;
  status: RunStatus;
  dry_run: number;
  since: string | null;
  retry_of: string | null;
  pid: number;
  started_at: string;
  finished_at: string | null;
  summary: string | null;
  error: string | null;
}

interface LockRow {
  holder: string;
  run_id: string;
  pid: number;
  host: string;
  acquired_at: string;
  lease_until: string;
  /** processIdentity() of the holder: tells it from a later process given the same pid. */
  identity: string | null;
}

const now = () => new Date().toISOString();

/** Short, stable id of a dead letter, derived from the item's key. */
export function deadLetterId(key: string): string {
  return `dl-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}

/** Whether a process of this host is still running; a zombie (killed, not yet reaped) is not. */
export function processAlive(pid: number): boolean {
  return processRunning(pid);
}

/** The stored status of a finished run: amber when items failed in a run that finished. */
export function finishedStatus(
  summary: Pick<RunSummary, 'ok' | 'failed' | 'refused'>,
): Extract<RunStatus, 'succeeded' | 'succeeded-with-failures' | 'failed' | 'refused'> {
  if (summary.refused) return 'refused';
  if (!summary.ok) return 'failed';
  return summary.failed.length > 0 ? 'succeeded-with-failures' : 'succeeded';
}

/**
 * Runs stored before the amber and refused statuses existed: a success with failed items becomes
 * `succeeded-with-failures`, a first run stopped for want of a start (stored as failed then)
 * becomes `refused`. Idempotent.
 */
/** The words a first run without a start was stored with before the message had one home. */
const FORMER_NO_START_MESSAGE =
  'No cursor yet: give an explicit start, e.g. `npx interop run --since 2025-01-01T00:00:00Z`';

function migrateRunStatuses(db: Database.Database): void {
  db.prepare(
    `UPDATE runs SET status = 'succeeded-with-failures'
     WHERE status = 'succeeded' AND summary IS NOT NULL
       AND json_array_length(summary, '$.failed') > 0`,
  ).run();
  db.prepare(`UPDATE runs SET status = 'refused' WHERE status = 'failed' AND error IN (?, ?)`).run(
    NO_START_MESSAGE,
    FORMER_NO_START_MESSAGE,
  );
}

/** Stores made before the lock recorded its holder's identity get the column. */
function migrateLockTable(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(run_lock)').all();
  if (!columns.some((column) => column.name === 'identity'))
    db.exec('ALTER TABLE run_lock ADD COLUMN identity TEXT');
}

function toRun(row: RunRow): RunRecord {
  const run: RunRecord = {
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    dryRun: row.dry_run === 1,
    pid: row.pid,
    startedAt: row.started_at,
  };
  if (row.since) run.since = row.since;
  if (row.retry_of) run.retryOf = row.retry_of;
  if (row.finished_at) run.finishedAt = row.finished_at;
  if (row.summary) run.summary = JSON.parse(row.summary) as RunSummary;
  if (row.error) run.error = row.error;
  return run;
}

const emptyCarried = (): CarriedState => ({ cursors: {}, retries: [], deadLetters: [] });

/** Log lines written together (openStore's appendLog). */
const LOG_BATCH_LINES = 200;
const LOG_BATCH_MS = 100;

/** Each open store's log flush, run at the process's exit so no buffered line is lost then. */
const pendingLogFlushes = new Set<() => void>();
process.once('exit', () => {
  for (const flush of pendingLogFlushes) flush();
});

/** Opens (creating if needed) the store under `home`, e.g. `./.interop/interop.sqlite`. */
export function openStore(home: string): Store {
  mkdirSync(home, { recursive: true });
  const path = join(home, STORE_FILE);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  // NORMAL under WAL: a committed transaction survives a killed process (not a power cut mid-fsync).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  db.exec(ITEM_HISTORY_SCHEMA);
  migrateLockTable(db);
  migrateRunStatuses(db);

  const statements = {
    insertRun: db.prepare(
      `INSERT INTO runs (id, trigger, status, dry_run, since, retry_of, pid, started_at)
       VALUES (@id, @trigger, 'running', @dryRun, @since, @retryOf, @pid, @startedAt)`,
    ),
    runById: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
    runsByPrefix: db.prepare<[string], RunRow>(
      "SELECT * FROM runs WHERE id LIKE ? || '%' ORDER BY started_at DESC LIMIT 2",
    ),
    listRuns: db.prepare<[number, number], RunRow>(
      'SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?',
    ),
    finishRun: db.prepare(
      `UPDATE runs SET status = @status, finished_at = @finishedAt, summary = @summary, error = @error
       WHERE id = @id AND status = 'running'`,
    ),
    interruptRunning: db.prepare(
      `UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE status = 'running'`,
    ),
    insertRefused: db.prepare(
      `INSERT INTO runs (id, trigger, status, dry_run, since, retry_of, pid, started_at, finished_at, error)
       VALUES (@id, @trigger, 'refused', @dryRun, @since, @retryOf, @pid, @at, @at, @reason)`,
    ),
    insertLog: db.prepare('INSERT INTO run_logs (run_id, at, level, message) VALUES (?, ?, ?, ?)'),
    logsOfRun: db.prepare<[string], LogLine>(
      'SELECT at, level, message FROM run_logs WHERE run_id = ? ORDER BY id',
    ),
    insertFailed: db.prepare(
      'INSERT OR REPLACE INTO failed_items (run_id, key, item, dead_lettered) VALUES (?, ?, ?, ?)',
    ),
    failedOfRun: db.prepare<[string], { item: string }>(
      'SELECT item FROM failed_items WHERE run_id = ? ORDER BY rowid',
    ),
    carried: db.prepare<[], { state: string }>('SELECT state FROM carried_state WHERE id = 1'),
    dropLegacyCarried: db.prepare('DELETE FROM carried_state WHERE id = 1'),
    itemsByPrefix: db.prepare<[string, string], { key: string; value: string }>(
      // substr, not LIKE: `_` and `%` in a key are plain characters.
      'SELECT key, value FROM state_items WHERE substr(key, 1, length(?)) = ? ORDER BY key',
    ),
    setItem: db.prepare(
      `INSERT INTO state_items (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
    removeItem: db.prepare('DELETE FROM state_items WHERE key = ?'),
    itemByKey: db.prepare<[string], { value: string }>(
      'SELECT value FROM state_items WHERE key = ?',
    ),
    lock: db.prepare<[], LockRow>('SELECT * FROM run_lock WHERE id = 1'),
    setLock: db.prepare(
      `INSERT OR REPLACE INTO run_lock
         (id, holder, run_id, pid, host, acquired_at, lease_until, identity)
       VALUES (1, @holder, @runId, @pid, @host, @acquiredAt, @leaseUntil, @identity)`,
    ),
    renewLock: db.prepare('UPDATE run_lock SET lease_until = ? WHERE id = 1 AND holder = ?'),
    releaseLock: db.prepare('DELETE FROM run_lock WHERE id = 1 AND holder = ?'),
    deleteLock: db.prepare('DELETE FROM run_lock WHERE id = 1'),
    scheduler: db.prepare<
      [],
      Omit<SchedulerInfo, 'alive'> & { next_run_at: string | null; updated_at: string }
    >('SELECT * FROM scheduler WHERE id = 1'),
    setScheduler: db.prepare(
      `INSERT OR REPLACE INTO scheduler (id, pid, host, cron, next_run_at, updated_at)
       VALUES (1, @pid, @host, @cron, @nextRunAt, @updatedAt)`,
    ),
    clearScheduler: db.prepare('DELETE FROM scheduler WHERE id = 1 AND pid = ?'),
    alertDigest: db.prepare<[string], { last_sent_at: string | null; pending: string }>(
      'SELECT last_sent_at, pending FROM alert_digest WHERE kind = ?',
    ),
    saveAlertDigest: db.prepare(
      'INSERT OR REPLACE INTO alert_digest (kind, last_sent_at, pending) VALUES (?, ?, ?)',
    ),
    signInBrakes: db.prepare<
      [],
      { system: string; refused_runs: number; paused_at: string | null; reason: string | null }
    >('SELECT * FROM sign_in_brake ORDER BY system'),
    saveSignInBrake: db.prepare(
      'INSERT OR REPLACE INTO sign_in_brake (system, refused_runs, paused_at, reason) VALUES (?, ?, ?, ?)',
    ),
  };

  // Another host's lock is only known by its lease; this host's holder is also checked for being
  // the same process (not a zombie, not a later process given the same pid).
  const lockIsLive = (row: LockRow | undefined): row is LockRow => {
    if (!row) return false;
    if (Date.parse(row.lease_until) <= Date.now()) return false;
    if (row.host === hostname() && !processRunning(row.pid, row.identity)) return false;
    return true;
  };
  const lockInfo = (row: LockRow): LockInfo => ({
    runId: row.run_id,
    pid: row.pid,
    host: row.host,
    acquiredAt: row.acquired_at,
    leaseUntil: row.lease_until,
  });

  // Without a live lock holder no run can be in progress: whatever still says `running` was left by
  // a process that died. Settled at open so every reader sees the truth.
  const settleOrphans = db.transaction(() => {
    const row = statements.lock.get();
    if (lockIsLive(row)) return;
    if (row) statements.deleteLock.run();
    statements.interruptRunning.run(now(), INTERRUPTED_REASON);
  });
  settleOrphans.immediate();

  // Log lines are written in batches: a commit per line (two per HTTP request: the adaptor's line
  // and the transport's) was the largest CPU cost of a long run after the requests themselves.
  // A batch goes at LOG_BATCH_LINES lines or LOG_BATCH_MS after its first line, and before
  // anything reads the log, finishes a run or closes the store, at the end of each step, with any
  // warning or error, and at the process's exit; a SIGKILL loses at most the last LOG_BATCH_MS of
  // a step's routine lines.
  let pendingLogs: Array<[string, string, LogLevel, string]> = [];
  let logTimer: ReturnType<typeof setTimeout> | undefined;
  const insertLogs = db.transaction((rows: Array<[string, string, LogLevel, string]>) => {
    for (const row of rows) statements.insertLog.run(...row);
  });
  const flushLogs = () => {
    if (logTimer) clearTimeout(logTimer);
    logTimer = undefined;
    if (pendingLogs.length === 0 || !db.open) return;
    const rows = pendingLogs;
    pendingLogs = [];
    insertLogs(rows);
  };
  // From a timer nothing would catch a failed write (a database locked beyond busy_timeout): it
  // would end the process. The lines are then lost, and stderr says how many and why.
  const flushLater = () => {
    try {
      flushLogs();
    } catch (error) {
      process.stderr.write(
        `run log: lines could not be written to ${STORE_FILE}: ${(error as Error).message}\n`,
      );
    }
  };
  pendingLogFlushes.add(flushLater);

  // The state items: the StateStore the rest of the sync knows, kept in this database.
  const items = {
    list: (prefix: string): StoredItem[] =>
      statements.itemsByPrefix
        .all(prefix, prefix)
        .map((row) => ({ key: row.key, value: JSON.parse(row.value) as unknown })),
    get: (keys: readonly string[]): StoredItem[] =>
      keys.flatMap((key) => {
        const row = statements.itemByKey.get(key);
        return row ? [{ key, value: JSON.parse(row.value) as unknown }] : [];
      }),
    set: (list: readonly StoredItem[]) => {
      const at = now();
      for (const item of list)
        statements.setItem.run(assertKey(item.key), JSON.stringify(item.value), at);
    },
    remove: (keys: readonly string[]) => {
      for (const key of keys) statements.removeItem.run(key);
    },
  };

  const readCarried = (options: { ledger?: boolean } = {}): CarriedState | undefined => {
    const rows =
      options.ledger === false
        ? carriedPrefixes(FIELDS_WITHOUT_LEDGER).flatMap((prefix) => items.list(prefix))
        : items.list(CARRIED_PREFIX);
    const found = carriedFromItems(rows);
    return found ? { ...emptyCarried(), ...found } : undefined;
  };

  /**
   * Writes only the rows of `next` that changed (callers hold a transaction). A `next` without a
   * ledger leaves the ledger's rows alone (written record by record during the run).
   */
  const writeCarried = (next: CarriedState) => {
    const before = carriedPrefixes(savedFields(next)).flatMap((prefix) => items.list(prefix));
    const changes = carriedChanges(before, next);
    items.set(changes.set);
    items.remove(changes.remove);
  };

  // A store written before the state moved to rows holds it as one JSON document: moved once.
  db.transaction(() => {
    const legacy = statements.carried.get();
    if (!legacy) return;
    if (items.list(CARRIED_PREFIX).length === 0)
      writeCarried(JSON.parse(legacy.state) as CarriedState);
    statements.dropLegacyCarried.run();
  }).immediate();

  const assertHolds = (lock: LockHandle) => {
    const row = statements.lock.get();
    if (!row || row.holder !== lock.holder) {
      throw new Error('The run lock is not held by this process any more; try again.');
    }
  };

  const findDeadLetter = (state: CarriedState | undefined, idOrKey: string) =>
    state?.deadLetters.find((item) => item.key === idOrKey || deadLetterId(item.key) === idOrKey);

  const store: Store = {
    path,

    recordRunStart(input) {
      const id = input.id ?? randomUUID();
      statements.insertRun.run({
        id,
        trigger: input.trigger,
        dryRun: input.dryRun ? 1 : 0,
        since: input.since ?? null,
        retryOf: input.retryOf ?? null,
        pid: input.pid ?? process.pid,
        startedAt: now(),
      });
      return toRun(statements.runById.get(id)!);
    },

    recordRefusedRun(input) {
      const id = randomUUID();
      statements.insertRefused.run({
        id,
        trigger: input.trigger,
        dryRun: input.dryRun ? 1 : 0,
        since: input.since ?? null,
        retryOf: input.retryOf ?? null,
        pid: process.pid,
        at: now(),
        reason: input.reason,
      });
      return toRun(statements.runById.get(id)!);
    },

    itemHistory: itemHistory(db),

    appendLog(runId, level, message) {
      pendingLogs.push([runId, now(), level, message]);
      if (level === 'warn' || level === 'error' || pendingLogs.length >= LOG_BATCH_LINES)
        flushLogs();
      else if (!logTimer) {
        logTimer = setTimeout(flushLater, LOG_BATCH_MS);
        logTimer.unref();
      }
    },

    finishRun: db.transaction(
      (runId: string, outcome: { summary: RunSummary; next?: CarriedState }) => {
        flushLogs();
        const { summary, next } = outcome;
        const finished = statements.finishRun.run({
          id: runId,
          status: finishedStatus(summary),
          finishedAt: summary.finishedAt || now(),
          summary: JSON.stringify(summary),
          error: summary.error ?? null,
        });
        if (finished.changes !== 1) {
          throw new Error(
            `Run ${runId} is not running (finished twice, or marked interrupted); not recorded again.`,
          );
        }
        const dead = new Set(summary.deadLettered.map((item) => item.key));
        for (const item of [...summary.failed, ...summary.deadLettered]) {
          statements.insertFailed.run(
            runId,
            item.key,
            JSON.stringify(item),
            dead.has(item.key) ? 1 : 0,
          );
        }
        if (next) writeCarried(next);
        return toRun(statements.runById.get(runId)!);
      },
    ),

    lastCarriedState: (options) => readCarried(options),

    saveCarriedState(state, lock) {
      db.transaction(() => {
        assertHolds(lock);
        writeCarried(state);
      }).immediate();
    },

    stateStore(): StateStore {
      return {
        list: async (prefix) => items.list(prefix),
        get: async (keys) => items.get(keys),
        set: async (list) => db.transaction(() => items.set(list)).immediate(),
        remove: async (keys) => db.transaction(() => items.remove(keys)).immediate(),
        removePrefix: async (prefix) =>
          db
            .transaction(() => items.remove(items.list(prefix).map((item) => item.key)))
            .immediate(),
      };
    },

    listRuns(options = {}) {
      return statements.listRuns.all(options.limit ?? 20, options.offset ?? 0).map(toRun);
    },

    getRun(idOrPrefix) {
      const exact = statements.runById.get(idOrPrefix);
      if (exact) return toRun(exact);
      if (idOrPrefix.length < 6) return undefined;
      const matches = statements.runsByPrefix.all(idOrPrefix);
      return matches.length === 1 ? toRun(matches[0]!) : undefined;
    },

    flushLogs,

    getRunLogs(runId) {
      flushLogs();
      return statements.logsOfRun.all(runId);
    },

    getRunFailedItems(runId) {
      return statements.failedOfRun.all(runId).map((row) => JSON.parse(row.item) as FailedItem);
    },

    listDeadLetters() {
      return (readCarried({ ledger: false })?.deadLetters ?? []).map((item) => ({
        ...item,
        id: deadLetterId(item.key),
      }));
    },

    getDeadLetter(idOrKey) {
      const item = findDeadLetter(readCarried({ ledger: false }), idOrKey);
      return item ? { ...item, id: deadLetterId(item.key) } : undefined;
    },

    requeueDeadLetter(idOrKey, lock) {
      return db
        .transaction(() => {
          assertHolds(lock);
          const state = readCarried({ ledger: false }) ?? emptyCarried();
          const item = findDeadLetter(state, idOrKey);
          if (!item) {
            throw new Error(`No dead letter ${idOrKey}: list them with \`npx interop status\`.`);
          }
          const requeued: FailedItem = { ...item, attempts: 0 };
          const next: CarriedState = {
            ...state,
            deadLetters: state.deadLetters.filter((entry) => entry.key !== item.key),
            retries: [...state.retries.filter((entry) => entry.key !== item.key), requeued],
          };
          writeCarried(next);
          return requeued;
        })
        .immediate();
    },

    requeueItems(items, lock) {
      return db
        .transaction(() => {
          assertHolds(lock);
          const state = readCarried({ ledger: false }) ?? emptyCarried();
          const keys = new Set(items.map((item) => item.key));
          const queued = new Map(state.retries.map((item) => [item.key, item]));
          for (const item of items) queued.set(item.key, { ...item, attempts: 0 });
          const next: CarriedState = {
            ...state,
            deadLetters: state.deadLetters.filter((entry) => !keys.has(entry.key)),
            retries: [...queued.values()],
          };
          writeCarried(next);
          return keys.size;
        })
        .immediate();
    },

    acquireLock({ runId, leaseMs = DEFAULT_LEASE_MS, pid = process.pid }) {
      return db
        .transaction((): LockResult => {
          const row = statements.lock.get();
          if (lockIsLive(row)) return { ok: false, heldBy: lockInfo(row) };
          // Holding the lock means no other run is alive: any `running` row is an orphan.
          statements.interruptRunning.run(now(), INTERRUPTED_REASON);
          const holder = randomUUID();
          statements.setLock.run({
            holder,
            runId,
            pid,
            host: hostname(),
            acquiredAt: now(),
            leaseUntil: new Date(Date.now() + leaseMs).toISOString(),
            identity: processIdentity(pid) ?? null,
          });
          return { ok: true, handle: { holder, runId } };
        })
        .immediate();
    },

    renewLock(lock, leaseMs = DEFAULT_LEASE_MS) {
      const until = new Date(Date.now() + leaseMs).toISOString();
      return statements.renewLock.run(until, lock.holder).changes === 1;
    },

    releaseLock(lock) {
      statements.releaseLock.run(lock.holder);
    },

    lockHolder() {
      const row = statements.lock.get();
      return lockIsLive(row) ? lockInfo(row) : undefined;
    },

    recordScheduler({ cron, nextRunAt, pid = process.pid }) {
      statements.setScheduler.run({
        pid,
        host: hostname(),
        cron,
        nextRunAt: nextRunAt ?? null,
        updatedAt: now(),
      });
    },

    clearScheduler(pid = process.pid) {
      statements.clearScheduler.run(pid);
    },

    schedulerInfo() {
      const row = statements.scheduler.get();
      if (!row) return undefined;
      const silent = Date.now() - Date.parse(row.updated_at) > SCHEDULER_SILENCE_MS;
      const gone = row.host === hostname() ? !processAlive(row.pid) : silent;
      const info: SchedulerInfo = {
        pid: row.pid,
        host: row.host,
        cron: row.cron,
        updatedAt: row.updated_at,
        alive: !gone,
      };
      if (row.next_run_at) info.nextRunAt = row.next_run_at;
      return info;
    },

    alertDigest(kind) {
      const row = statements.alertDigest.get(kind);
      if (!row) return undefined;
      return {
        pending: row.pending,
        ...(row.last_sent_at ? { lastSentAt: row.last_sent_at } : {}),
      };
    },

    saveAlertDigest(kind, row) {
      statements.saveAlertDigest.run(kind, row.lastSentAt ?? null, row.pending);
    },

    signInBrakes() {
      return statements.signInBrakes.all().map((row) => ({
        system: row.system,
        refusedRuns: row.refused_runs,
        ...(row.paused_at ? { pausedAt: row.paused_at } : {}),
        ...(row.reason ? { reason: row.reason } : {}),
      }));
    },

    saveSignInBrake(row) {
      statements.saveSignInBrake.run(
        row.system,
        row.refusedRuns,
        row.pausedAt ?? null,
        row.reason ?? null,
      );
    },

    close() {
      flushLogs();
      pendingLogFlushes.delete(flushLater);
      db.close();
    },
  };
  return store;
}
