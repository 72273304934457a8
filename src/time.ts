// Times as the two systems and the operators write them, read in one place: ISO-8601 instants
// (Primero, the cursors, an operator's start) and OSCaR's `since_date` form `YYYY-MM-DD HH:MM:SS`.
// Both are UTC: a time written without an offset is read as UTC, never in this machine's zone.

/** The start every message about a missing or unreadable start gives as its example. */
export const START_EXAMPLE = '2025-01-01T00:00:00Z';

/** What to do when no run has stored a cursor yet (the local runner; OpenFn.org says its own). */
export const NO_START_MESSAGE = `No cursor yet: this is the first run. Give an explicit start, e.g. \`npx interop run --since ${START_EXAMPLE}\``;

const OSCAR_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Whether the text is written in OSCaR's form (the ids of f2 items keep their window so). */
export function isOscarTime(text: string): boolean {
  return OSCAR_TIME.test(text) && !Number.isNaN(instantMs(text));
}

/**
 * Milliseconds of an ISO-8601 instant (a bare date is its midnight) or an OSCaR time; NaN for
 * anything else (`yesterday`, `May 1`), so no reader guesses what a free-form date meant.
 */
export function instantMs(text: string): number {
  const value = text.trim();
  // Date.parse rolls 30 February over to March: the calendar date must exist as written.
  if (!isCalendarDate(value.slice(0, 10))) return NaN;
  if (OSCAR_TIME.test(value)) return Date.parse(`${value.replace(' ', 'T')}Z`);
  const iso = ISO_TIME.exec(value);
  if (!iso) return NaN;
  if (value.length === 10) return Date.parse(`${value}T00:00:00Z`);
  return Date.parse(iso[1] === undefined ? `${value.replace(' ', 'T')}Z` : value);
}

function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const at = new Date(Date.UTC(year, month - 1, day));
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day;
}

/** OSCaR's `since_date` form of an instant, `YYYY-MM-DD HH:MM:SS` in UTC. */
export function toOscarTime(instant: Date | number): string {
  return new Date(instant).toISOString().slice(0, 19).replace('T', ' ');
}

/** `what` is not a time: the one message, with the forms that are accepted. */
export function notATime(what: string): Error {
  return new Error(
    `${what} is not a time: give an ISO-8601 instant such as ${START_EXAMPLE} ` +
      `(or an OSCaR time, ${toOscarTime(instantMs(START_EXAMPLE))})`,
  );
}
