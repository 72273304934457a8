// Dates of birth from OSCaR. Messages never repeat the date itself: it is personal data.
import { MappingError } from './errors.ts';

const EARLIEST_BIRTH_YEAR = 1900;
const DAY_MS = 24 * 60 * 60 * 1000;

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/**
 * A date of birth as Primero stores it (`YYYY-MM-DD`), or undefined when there is none.
 * Repairs the known OSCaR typo of a doubled first year digit (`22012-01-01` -> `2012-01-01`);
 * rejects other shapes, impossible dates (2021-02-30, month 13), years before 1900 and dates in
 * the future. "Future" allows one day ahead of UTC, because a child born today in Cambodia
 * (UTC+7) can already be "tomorrow" for a UTC clock.
 */
export function repairDateOfBirth(
  dob: string | null | undefined,
  today: Date = new Date(),
): string | undefined {
  const text = (dob ?? '').trim();
  if (text === '') return undefined;
  const doubledFirstDigit = /^(\d)(\1\d{3}-\d{2}-\d{2})$/.exec(text);
  const candidate = doubledFirstDigit?.[2] ?? text;
  const date = parseCalendarDate(candidate);
  checkNotInFuture(date, today);
  return candidate;
}

/** Whole years completed on `today` (UTC), for a `YYYY-MM-DD` date of birth. */
export function ageOn(dob: string, today: Date): number {
  const born = parseCalendarDate(dob.trim());
  checkNotInFuture(born, today);
  const hadBirthdayThisYear =
    today.getUTCMonth() + 1 > born.month ||
    (today.getUTCMonth() + 1 === born.month && today.getUTCDate() >= born.day);
  const age = today.getUTCFullYear() - born.year - (hadBirthdayThisYear ? 0 : 1);
  return Math.max(0, age);
}

function parseCalendarDate(text: string): CalendarDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) {
    throw new MappingError('Date of birth is not a date of the form YYYY-MM-DD');
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const asDate = new Date(Date.UTC(year, month - 1, day));
  const isOnCalendar =
    asDate.getUTCFullYear() === year &&
    asDate.getUTCMonth() === month - 1 &&
    asDate.getUTCDate() === day;
  if (!isOnCalendar) throw new MappingError('Date of birth is not a real calendar date');
  if (year < EARLIEST_BIRTH_YEAR) {
    throw new MappingError(`Date of birth is before ${EARLIEST_BIRTH_YEAR}`);
  }
  return { year, month, day };
}

function checkNotInFuture(date: CalendarDate, today: Date): void {
  const latest = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) + DAY_MS;
  if (Date.UTC(date.year, date.month - 1, date.day) > latest) {
    throw new MappingError('Date of birth is in the future');
  }
}
