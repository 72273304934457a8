// The HTTP `Date` header (RFC 7231 §7.1.1.2), read strictly: Primero's clock, as f1-j1's cursor
// and f2-j2's create checks take it (src/workflow/primero-reread.ts, src/clients/primero.ts).

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// IMF-fixdate, the one form RFC 7231 §7.1.1.1 lets a server send: "Sun, 06 Nov 1994 08:49:37 GMT".
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** Milliseconds of an HTTP `Date` header in IMF-fixdate form; NaN for anything else. */
export function httpDateMs(header: string): number {
  const match = IMF_FIXDATE.exec(header.trim());
  if (!match) return NaN;
  const [, day, monthName, year, hour, minute, second] = match;
  const month = MONTHS.indexOf(monthName ?? '');
  if (month < 0) return NaN;
  const ms = Date.UTC(
    Number(year),
    month,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  // Date.UTC rolls 31 April over to 1 May: the date must exist as written.
  return new Date(ms).getUTCDate() === Number(day) ? ms : NaN;
}
