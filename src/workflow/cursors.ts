// Cursors the OpenFn.org way: a run starts from the final state of the last successful run (or an
// operator's explicit start), and only a successful run hands on new ones, never moving backwards.
import type { CarriedState } from './contract.ts';
import { NO_START_MESSAGE, instantMs as cursorTime, notATime, toOscarTime } from '../time.ts';

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
    if (Number.isNaN(cursorTime(since)))
      return { error: notATime(`The explicit start "${since.slice(0, 40)}"`).message };
    return {
      from: {
        primero: new Date(cursorTime(since)).toISOString(),
        oscar: toOscarTime(cursorTime(since)),
      },
    };
  }
  const { primero, oscar } = carried.cursors;
  if (!primero || !oscar) return { error: NO_START_MESSAGE };
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
