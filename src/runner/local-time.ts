// One way to write a moment for people, in the console and the CLI alike: Cambodia time
// (Asia/Phnom_Penh, UTC+7, no daylight saving), with its offset, e.g. `2026-12-02 07:15:03 UTC+7`.
// The administrators and case workers are in Cambodia; the stored value stays ISO-8601 UTC.
export const DISPLAY_TIME_ZONE = 'Asia/Phnom_Penh';

const FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: DISPLAY_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'shortOffset',
});

/** `2026-12-02 07:15:03 UTC+7`; a value that is no date comes back unchanged; none is `—`. */
export function formatLocalTime(iso: string | undefined): string {
  if (!iso) return '—';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const parts = Object.fromEntries(
    FORMAT.formatToParts(new Date(time)).map((part) => [part.type, part.value]),
  );
  const offset = (parts.timeZoneName ?? 'GMT').replace('GMT', 'UTC');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

/** The same instant in UTC, for the hover text: `2026-12-02 00:15:03 UTC`. */
export function formatUtcTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in Cambodia. */
export function localDay(time: number): string {
  return formatLocalTime(new Date(time).toISOString()).slice(0, 10);
}
