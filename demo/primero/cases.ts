// Primero's record rules the sync depends on: search filters with list and range syntax (apis.md
// §1.2), the PATCH merge of hashes and subform rows by unique_id (§1.5), and the workflow
// recomputation that makes `workflow=referral_to_oscar` a usable filter.
import type { CaseRecord, StoredCase } from './state.ts';

export const MAX_PER = 1000;
export const DEFAULT_PER = 20;

/** Id-type fields are matched exactly (Primero HEAD skips destringify for them). */
const ID_FILTERS = new Set([
  'id',
  'case_id',
  'oscar_number',
  'case_id_display',
  'short_id',
  'mosvy_number',
]);
const TIME_FILTERS = new Set(['last_updated_at', 'created_at']);
/** Other keys that act as filters (permitted fields); every other query key is dropped silently. */
const VALUE_FILTERS = new Set([
  'workflow',
  'status',
  'record_state',
  'sex',
  'owned_by',
  'module_id',
  'risk_level',
  'protection_status',
  'location_current',
  'oscar_status',
]);
/** Keys that steer the listing rather than filter it. */
const CONTROL_KEYS = new Set(['page', 'per', 'order_by', 'order', 'fields', 'query']);

export class BadFilterError extends Error {}

type Predicate = (stored: StoredCase) => boolean;

function dateBound(text: string, end: boolean): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    // A date bound covers its whole day, inclusively.
    const start = Date.parse(`${text}T00:00:00.000Z`);
    return end ? start + 86_400_000 - 1 : start;
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new BadFilterError(
    `undefined method for nil: range bound "${text.slice(0, 40)}" is neither a date nor a time`,
  );
}

function timePredicate(key: string, value: string): Predicate {
  const pick = (stored: StoredCase) =>
    key === 'last_updated_at' ? stored.updatedMs : stored.createdMs;
  const range = value.split('..');
  if (range.length === 2) {
    const from = dateBound(range[0] ?? '', false);
    const to = range[1] ? dateBound(range[1], true) : Infinity;
    return (stored) => pick(stored) >= from && pick(stored) <= to;
  }
  const from = dateBound(value, false);
  const to = dateBound(value, true);
  return (stored) => pick(stored) >= from && pick(stored) <= to;
}

function castScalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

function valuePredicate(key: string, value: string): Predicate {
  const accepted = value.split(',').map(castScalar);
  return (stored) => {
    const actual =
      key === 'record_state' ? stored.record.record_state !== false : stored.record[key];
    return accepted.some(
      (candidate) => candidate === actual || String(candidate) === String(actual),
    );
  };
}

/** Builds one predicate per recognised filter key; unknown keys (remote, scope, ...) are ignored. */
export function buildFilters(query: Record<string, string>): Predicate[] {
  const predicates: Predicate[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (CONTROL_KEYS.has(key) || value === undefined) continue;
    if (ID_FILTERS.has(key)) predicates.push((stored) => stored.record[key] === value);
    else if (TIME_FILTERS.has(key)) predicates.push(timePredicate(key, value));
    else if (VALUE_FILTERS.has(key)) predicates.push(valuePredicate(key, value));
  }
  return predicates;
}

export interface Page {
  records: StoredCase[];
  total: number;
  page: number;
  per: number;
}

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function listCases(all: Iterable<StoredCase>, query: Record<string, string>): Page {
  const predicates = buildFilters(query);
  const matches: StoredCase[] = [];
  for (const stored of all) {
    if (predicates.every((p) => p(stored))) matches.push(stored);
  }
  const orderBy = query.order_by ?? 'created_at';
  const direction = (query.order ?? 'desc').toLowerCase() === 'asc' ? 1 : -1;
  const key = (s: StoredCase): number | string =>
    orderBy === 'created_at'
      ? s.createdMs
      : orderBy === 'last_updated_at'
        ? s.updatedMs
        : String(s.record[orderBy] ?? '');
  matches.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -direction;
    if (ka > kb) return direction;
    return a.seq - b.seq;
  });
  const page = positiveInt(query.page, 1);
  const per = Math.min(positiveInt(query.per, DEFAULT_PER), MAX_PER);
  const start = (page - 1) * per;
  return { records: matches.slice(start, start + per), total: matches.length, page, per };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isArrayOfHashes(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.every(isPlainObject);
}

function deepMerge(
  old: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...old };
  for (const [key, value] of Object.entries(next)) merged[key] = mergeValue(old[key], value);
  return merged;
}

/** Subform rows: merge by unique_id, keep unmatched old rows, append new ones, drop `_destroy`. */
function mergeRows(
  oldRows: Record<string, unknown>[],
  newRows: Record<string, unknown>[],
): Record<string, unknown>[] {
  const result = oldRows.map((row) => ({ ...row }));
  for (const row of newRows) {
    const index = result.findIndex((old) => old.unique_id === row.unique_id);
    // nil == nil: a new row without unique_id is swallowed when an old row also lacks one.
    if (index >= 0) {
      if (row.unique_id !== undefined && row.unique_id !== null)
        result[index] = deepMerge(result[index]!, row);
    } else {
      result.push({ ...row });
    }
  }
  return result
    .filter((row) => !row._destroy)
    .map((row) => {
      const { _destroy: _ignored, ...kept } = row;
      return kept;
    });
}

function mergeValue(old: unknown, next: unknown): unknown {
  if (isPlainObject(old) && isPlainObject(next)) return deepMerge(old, next);
  // `[]` is an array of hashes too: an empty array cannot clear a subform.
  if (Array.isArray(old) && old.length > 0 && isArrayOfHashes(old) && isArrayOfHashes(next))
    return mergeRows(old, next);
  if (isArrayOfHashes(next) && next.some((row) => '_destroy' in row)) {
    return next.filter((row) => !row._destroy).map(({ _destroy: _ignored, ...kept }) => kept);
  }
  return structuredClone(next);
}

/** Applies a PATCH `data` to a record as Primero's RecordMergeDataHashService does. */
export function mergeCase(record: CaseRecord, data: Record<string, unknown>): CaseRecord {
  const merged: Record<string, unknown> = { ...record };
  for (const [key, value] of Object.entries(data)) {
    if (key === 'id') continue;
    merged[key] = mergeValue(record[key], value);
  }
  return merged as CaseRecord;
}

/**
 * `workflow` = service_response_type of the most recent service not yet implemented, on an open
 * case (apis.md §1.2). "Most recent" by service_response_day_time, then by position in the list.
 */
export function recomputeWorkflow(record: CaseRecord): void {
  if (record.status !== 'open') return;
  const rows = Array.isArray(record.services_section)
    ? (record.services_section as Record<string, unknown>[])
    : [];
  let latest: Record<string, unknown> | undefined;
  let latestTime = -Infinity;
  for (const row of rows) {
    if (row.service_implemented === 'implemented' || typeof row.service_response_type !== 'string')
      continue;
    const time =
      typeof row.service_response_day_time === 'string'
        ? Date.parse(row.service_response_day_time)
        : NaN;
    const t = Number.isNaN(time) ? -Infinity : time;
    if (!latest || t >= latestTime) {
      latest = row;
      latestTime = t;
    }
  }
  if (latest) record.workflow = latest.service_response_type;
}

/** Top-level keys whose value differs, for Primero's "only what changed" write responses. */
export function changedKeys(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): string[] {
  return Object.keys(after).filter(
    (key) => JSON.stringify(before?.[key]) !== JSON.stringify(after[key]),
  );
}
