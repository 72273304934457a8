// What is worth telling an administrator about a finished run, as alert events. Each event holds
// ids, counts and reasons only (the run summary holds nothing else), and the console page to open.
import type { OverdueReferral, RunSummary } from '../workflow/contract.ts';
import type { SignInPause } from '../runner/sign-in-brake.ts';
import { pauseMessage } from '../runner/sign-in-brake.ts';
import { deadLetterId } from '../runner/store.ts';
import type { RunRecord } from '../runner/store.ts';

export const ALERT_KINDS = [
  'run-failed',
  'dead-letters',
  'sign-in-refused',
  'overdue-referrals',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertEvent {
  kind: AlertKind;
  /** When it happened (ISO-8601 UTC). */
  at: string;
  runId: string;
  /** One line: ids, counts and reasons. */
  text: string;
  /** The ids it is about: run, dead-letter, system or case ids. */
  ids: string[];
  count: number;
  /** The console page that shows it, e.g. `/runs/<id>`. */
  page: string;
}

export const KIND_TITLES: Record<AlertKind, string> = {
  'run-failed': 'failed runs',
  'dead-letters': 'new dead letters',
  'sign-in-refused': 'sign-in refused repeatedly',
  'overdue-referrals': 'referrals overdue for an NGO decision',
};

export interface RunFacts {
  run: RunRecord;
  summary: RunSummary;
  /** Overdue referrals this run saw that the previous successful run did not. */
  newlyOverdue: OverdueReferral[];
  /** Systems this run made the schedule stop signing in to. */
  paused: SignInPause[];
}

const overdueText = (item: OverdueReferral) =>
  `${Object.values(item.ids).join('/')} at ${item.organisation} (${item.daysWaiting} days)`;

export function eventsOfRun({ run, summary, newlyOverdue, paused }: RunFacts): AlertEvent[] {
  const at = summary.finishedAt || new Date().toISOString();
  const base = { at, runId: run.id };
  const events: AlertEvent[] = [];
  if (!summary.ok) {
    events.push({
      ...base,
      kind: 'run-failed',
      text: `Run ${run.id} (${run.trigger}) ${run.status}: ${summary.error ?? 'no reason recorded'}`,
      ids: [run.id],
      count: 1,
      page: `/runs/${run.id}`,
    });
  }
  for (const pause of paused) {
    events.push({
      ...base,
      kind: 'sign-in-refused',
      text: `Run ${run.id}: ${pauseMessage(pause)}`,
      ids: [pause.system],
      count: pause.refusedRuns,
      page: `/runs/${run.id}`,
    });
  }
  // A dry run stores no dead letters and no overdue list: nothing more is news.
  if (summary.dryRun) return events;
  if (summary.deadLettered.length > 0) {
    const letters = summary.deadLettered.map(
      (item) => `${deadLetterId(item.key)} (${item.key}): ${item.reason}`,
    );
    events.push({
      ...base,
      kind: 'dead-letters',
      text: `Run ${run.id} dead-lettered ${letters.length} item(s): ${letters.join('; ')}`,
      ids: summary.deadLettered.map((item) => deadLetterId(item.key)),
      count: letters.length,
      page: '/dead-letters',
    });
  }
  if (newlyOverdue.length > 0) {
    events.push({
      ...base,
      kind: 'overdue-referrals',
      text:
        `${newlyOverdue.length} referral(s) newly overdue for an NGO decision: ` +
        newlyOverdue.map(overdueText).join('; '),
      ids: newlyOverdue.map((item) => item.key),
      count: newlyOverdue.length,
      page: '/',
    });
  }
  return events;
}
