// What makes a cron pattern usable for the timer: croner can read it, and it fires at least once.
// A pattern like "0 0 31 2 *" (31 February) parses but never comes, so a timer started on it would
// wait forever in silence; croner's nextRun() tells (null: no future time).
import { Cron } from 'croner';

/** Why the pattern cannot drive the timer, or undefined when it can. `source` names where it came
 * from (INTEROP_CRON, --cron) so the message says what to change. */
export function cronProblem(pattern: string, source: string): string | undefined {
  let cron: Cron;
  try {
    cron = new Cron(pattern, { paused: true });
  } catch (error) {
    return (
      `${source} "${pattern}" is not a cron pattern (${(error as Error).message}): give 5 fields ` +
      'like "0 * * * *" (every hour at minute 00) or 6 with seconds first'
    );
  }
  const next = cron.nextRun();
  cron.stop();
  if (next === null) {
    return (
      `${source} "${pattern}" never fires (no such date, e.g. 31 February): check the day and ` +
      'month fields; "0 * * * *" runs every hour at minute 00'
    );
  }
  return undefined;
}
