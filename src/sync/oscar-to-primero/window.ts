// The OSCaR window of one run: which `since_date` f2-j1 asks for, and the candidate next cursor.
// OSCaR has no get-by-id, so a client that failed in an earlier run can only be read again by
// asking for a window that still contains it: the window is widened back to the start of the
// window each pending item was first seen in (kept in the item's ids as `oscar_since`).
import type { FailedItem } from '../../workflow/contract.ts';
import type { RunContext } from '../../workflow/state.ts';

/** The id under which a failed f2 item remembers the `since_date` of the window it was seen in. */
export const WINDOW_ID = 'oscar_since';

import { NO_START_MESSAGE, instantMs, isOscarTime, notATime, toOscarTime } from '../../time.ts';

export { toOscarTime };

/**
 * Reads a cursor or an operator's start: an OSCaR time (`2025-01-31 10:00:00`, UTC) or any
 * ISO-8601 instant. OSCaR reads a time without offset in its server zone; Cambodia is UTC+7, so a
 * UTC wall time is read as an earlier instant and the window only grows (re-reading is harmless).
 */
export function parseOscarTime(text: string, what: string): string {
  const ms = instantMs(text);
  if (Number.isNaN(ms)) throw notATime(what);
  return toOscarTime(ms);
}

function isF2Item(item: FailedItem): boolean {
  return item.step === 'f2-j1' || item.step === 'f2-j2';
}

export interface OscarWindow {
  /** The `since_date` to ask OSCaR for. */
  since: string;
  /** The start the run was given (operator's start, else the stored cursor). */
  cursor: string;
  /** Pending f2 items and children awaiting services whose window made this one wider. */
  widenedFor: number;
}

/**
 * `since ?? carried cursor`, widened back to the oldest window of a pending f2 item so that item is
 * read again. Refuses to run without a start: no date is ever invented.
 */
export function oscarWindow(run: Pick<RunContext, 'since' | 'carried'>): OscarWindow {
  const given = run.since ?? run.carried.cursors.oscar;
  if (given === undefined || given.trim() === '') {
    throw new Error(NO_START_MESSAGE);
  }
  const cursor = parseOscarTime(
    given,
    run.since !== undefined ? 'The start given' : 'The stored OSCaR cursor',
  );
  let since = cursor;
  let widenedFor = 0;
  for (const item of run.carried.retries.filter(isF2Item)) {
    const seenSince = item.ids[WINDOW_ID];
    if (seenSince === undefined || !isOscarTime(seenSince)) continue;
    if (seenSince < cursor) widenedFor += 1;
    if (seenSince < since) since = seenSince;
  }
  // Children whose services OSCaR still hides are listed again from the window they were seen in.
  for (const entry of run.carried.awaitingServices ?? []) {
    if (!isOscarTime(entry.since)) continue;
    if (entry.since < cursor) widenedFor += 1;
    if (entry.since < since) since = entry.since;
  }
  return { since, cursor, widenedFor };
}

/**
 * The window start an item keeps while it is retried: the one it was first seen in, so that a
 * narrower later window (after the cursor moved on) still contains it.
 */
export function windowStartOf(key: string, retries: readonly FailedItem[], since: string): string {
  const earlier = retries.find((item) => item.key === key)?.ids[WINDOW_ID];
  return earlier !== undefined && isOscarTime(earlier) && earlier < since ? earlier : since;
}

/** The f2 items still pending from earlier runs. */
export function pendingOscarItems(retries: readonly FailedItem[]): FailedItem[] {
  return retries.filter(isF2Item);
}
