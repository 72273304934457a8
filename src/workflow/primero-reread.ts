// Late commits (apis.md §3.1 P5): Primero stamps `last_updated_at` in a before_save callback
// (app/models/concerns/historical.rb, HEAD l.27 and l.76-80), before its transaction commits. A
// case saved by a slow transaction therefore becomes visible after a listing that already saw
// later timestamps, and a cursor set to the latest timestamp seen would skip it for ever. So each
// listing from the stored cursor starts a margin earlier; what was read before is unchanged and
// writes nothing (the sent ledger, and f2's "write only what differs").

/** How far behind the stored Primero cursor each listing starts again. */
export const PRIMERO_REREAD_MARGIN_MS = 10 * 60 * 1000;

/**
 * Where f1-j1 lists from: the stored cursor less the margin. An operator's explicit start is
 * taken as given (a backfill says exactly where it begins).
 */
export function primeroListingStart(
  windowStart: string,
  fromStoredCursor: boolean,
  marginMs: number = PRIMERO_REREAD_MARGIN_MS,
): string {
  const at = Date.parse(windowStart);
  if (!fromStoredCursor || Number.isNaN(at)) return windowStart;
  return new Date(at - marginMs).toISOString();
}
