// Cursors the OpenFn.org way: a run starts from the final state of the last successful run (or an
// operator's explicit start), and only a successful run hands on new ones, never moving backwards.
import type { CarriedState } from './contract.ts';

export const NO_CURSOR_MESSAGE =
  'No cursor yet: give an explicit start, e.g. `npx interop run --since 2025-01-01T00:00:00Z`';

/** Milliseconds of an ISO-8601 instant or an OSCaR `YYYY-MM-DD HH:MM:SS` (UTC); NaN otherwise. */
export function cursorTime(cursor: string): number {
  const text = cursor.trim();
  const oscarForm = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text);
  return Date.parse(oscarForm ? `${text.replace(' ', 'T')}Z` : text);
}

/** OSCaR's `since_date` form of an instant: `YYYY-MM-DD HH:MM:SS` (UTC). */
export function toOscarCursor(iso: string): string {
  return new Date(cursorTime(iso)).toISOString().slice(0, 19).replace('T', ' ');
}

/** The later of two cursors; an absent or unreadable candidate keeps the stored one. */
export function laterCursor(
  stored: string | undefined,
  candidate: string | undefined,
): string | undefined {
  if (candidate === undefined || Number.isNaN(cursorTime(candidate))) return stored;
  if (stored === undefined || Number.isNaN(cursorTime(stored))) return candidate;
  return cursorTime(candidate) > cursorTime(stored) ? candidate : stored;
}

/**
 * Where this run's windows start: the explicit start for both systems when given (backfill),
 * else the stored cursors. An error message when a system has neither.
 */
export function windowStart(
  carried: CarriedState,
  since: string | undefined,
): { from: CarriedState['cursors'] } | { error: string } {
  if (since !== undefined) {
    if (Number.isNaN(cursorTime(since))) {
      return {
        error: `The explicit start "${since.slice(0, 40)}" is not an ISO-8601 date-time such as 2025-01-01T00:00:00Z`,
      };
    }
    return {
      from: { primero: new Date(cursorTime(since)).toISOString(), oscar: toOscarCursor(since) },
    };
  }
  const { primero, oscar } = carried.cursors;
  if (!primero || !oscar) return { error: NO_CURSOR_MESSAGE };
  return { from: { primero, oscar } };
}

/** The cursors a successful run hands on: per system the later of the stored and the candidate. */
export function nextCursors(
  carried: CarriedState,
  candidates: CarriedState['cursors'],
): CarriedState['cursors'] {
  const primero = laterCursor(carried.cursors.primero, candidates.primero);
  const oscar = laterCursor(carried.cursors.oscar, candidates.oscar);
  return { ...(primero ? { primero } : {}), ...(oscar ? { oscar } : {}) };
}
