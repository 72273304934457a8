// Late commits (apis.md §3.1 P5): Primero stamps `last_updated_at` in a before_save callback
// (app/models/concerns/historical.rb, HEAD l.27 and l.76-80), before its transaction commits. A
// case saved by a slow transaction therefore becomes visible after a listing that already saw
// later timestamps. So each listing from the stored cursor starts a margin earlier; what was read
// before is unchanged and writes nothing (the sent ledger, and f2's "write only what differs").
//
// The cursor a run hands on is when its listing began, on Primero's clock: the `Date` header of
// the first listing page's answer, less its 1-second resolution (RFC 7231 §7.1.1.2), or the latest
// `last_updated_at` seen when that is later. Not the latest timestamp seen alone: after a burst of
// writes and then quiet, that stays at the burst's last write, and every later run would list the
// burst's last margin again until something newer happened. Not this machine's clock: Primero
// stamps with its own, so comparing its stamps with its own Date needs no clock agreement.
//
// Why the margin is enough, either way:
// - A case stamped before the listing's Date but committed after the listing read (a slow
//   transaction) has a stamp at most one transaction's length before that Date; the next listing
//   starts a margin before the cursor, so it is listed as long as the transaction took less than
//   the margin.
// - A case stamped after the Date is after the cursor and listed next time anyway; one stamped
//   just before it and already visible was listed now, and is listed again at most once (unchanged,
//   nothing written).
// - The Date and the stamps come from one clock when one Primero server answers; behind several,
//   their skew adds to the transaction's length and must stay under the margin too.

import { log } from '../log.ts';
import { httpDateMs } from '../http/http-date.ts';

/** How far behind the stored Primero cursor each listing starts again. */
export const PRIMERO_REREAD_MARGIN_MS = 10 * 60 * 1000;

/** A `Date` further than this from this machine's clock is not believed (a broken clock or proxy). */
export const PRIMERO_DATE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

/** An HTTP Date has whole seconds: the instant it names may be up to a second before the answer. */
const DATE_RESOLUTION_MS = 1000;

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

/**
 * The Primero cursor a run offers to hand on: the later of the latest `last_updated_at` its
 * listing saw and when the listing began on Primero's clock (`listingDate`, the first page's
 * `Date` header). Without a believable Date, the latest seen, as a listing without one always
 * did; the log says why, once.
 */
export function primeroCursorCandidate(
  latestSeen: string | undefined,
  listingDate: string | undefined,
  now: number = Date.now(),
): string | undefined {
  const answered = listingDate === undefined ? NaN : httpDateMs(listingDate);
  let why: string | undefined;
  if (listingDate === undefined) why = 'its answer had no Date header';
  else if (Number.isNaN(answered)) why = 'its Date header is not an HTTP date';
  else if (Math.abs(answered - now) > PRIMERO_DATE_TOLERANCE_MS)
    why = `its Date header is ${Math.round(Math.abs(answered - now) / 3_600_000)} h from this machine's clock`;
  if (why !== undefined) {
    log.info(
      `f1-j1: the Primero cursor stays at the latest case update seen (${latestSeen ?? 'none'}): ` +
        `${why}`,
    );
    return latestSeen;
  }
  const began = new Date(answered - DATE_RESOLUTION_MS).toISOString();
  if (latestSeen === undefined || Number.isNaN(Date.parse(latestSeen))) return began;
  return Date.parse(latestSeen) > Date.parse(began) ? latestSeen : began;
}
