// The one-line health verdict an administrator reads first: healthy / attention / failing, and
// why. Computed here only; `npx interop status` (text and --json) and the console overview both
// show this module's answer, so they can never disagree.
//
// failing   — the sync is not moving: the last run failed or was interrupted, runs are refused
//             (mapping tables, sign-in pause, a configuration the run cannot use).
// attention — it moves but someone must act: dead letters, items failing in the last run (amber),
//             referrals overdue for an NGO decision, no first run yet.
// healthy   — none of these.
import type { RunRecord, Store } from './store.ts';
import { latestOverdueReferrals } from './report.ts';
import { pauseMessage, pausedSystems } from './sign-in-brake.ts';
import type { SignInPause } from './sign-in-brake.ts';
import { NO_CURSOR_MESSAGE } from '../workflow/cursors.ts';

export type VerdictLevel = 'healthy' | 'attention' | 'failing';

export interface Verdict {
  level: VerdictLevel;
  /** Why, most serious first; empty when healthy with nothing to add. */
  reasons: string[];
  /** The line shown: "attention: 6 dead letters; last run succeeded with 2 failed items". */
  text: string;
}

export interface HealthFacts {
  /** Recent runs, most recent first. */
  runs: readonly RunRecord[];
  deadLetters: number;
  overdueReferrals: number;
  signInPaused: readonly SignInPause[];
  /** Problems of the mapping tables (runs are refused while there are any). */
  mappingProblems: number;
}

const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

/** A run's outcome in words: "succeeded with 2 failed items", "refused", ... */
export function outcomeText(run: Pick<RunRecord, 'status' | 'summary'>): string {
  if (run.status === 'succeeded-with-failures')
    return `succeeded with ${plural(run.summary?.failed.length ?? 0, 'failed item')}`;
  return run.status;
}

/** A refusal that says nothing about health: another run held the lock. */
const transientRefusal = (run: RunRecord) =>
  run.status === 'refused' && (run.error ?? '').startsWith('Another run is in progress');

const firstLine = (text: string) => (text.split('\n')[0] ?? '').trim();

export function healthVerdict(facts: HealthFacts): Verdict {
  const failing: string[] = [];
  const attention: string[] = [];

  if (facts.mappingProblems > 0)
    failing.push(
      `runs are refused: the mapping tables need attention (${plural(facts.mappingProblems, 'problem')})`,
    );
  for (const pause of facts.signInPaused) failing.push(pauseMessage(pause));

  // Dry runs change nothing and runs in progress have no outcome yet: the last real run decides.
  const latest = facts.runs.find(
    (run) => !run.dryRun && run.status !== 'running' && !transientRefusal(run),
  );
  if (!latest) attention.push('no run yet: start the first one with a start date (--since)');
  else if (latest.status === 'failed' || latest.status === 'interrupted')
    failing.push(`last run ${latest.status}: ${firstLine(latest.error ?? 'no reason recorded')}`);
  else if (latest.status === 'refused') {
    if (latest.error === NO_CURSOR_MESSAGE)
      attention.push('no run yet: the first run needs a start date (--since)');
    else if (facts.mappingProblems === 0 && facts.signInPaused.length === 0)
      failing.push(`last run refused: ${firstLine(latest.error ?? '')}`);
  }

  if (facts.deadLetters > 0) attention.push(plural(facts.deadLetters, 'dead letter'));
  if (latest?.status === 'succeeded-with-failures')
    attention.push(`last run ${outcomeText(latest)}`);
  if (facts.overdueReferrals > 0)
    attention.push(`${plural(facts.overdueReferrals, 'referral')} overdue for an NGO decision`);

  const level: VerdictLevel =
    failing.length > 0 ? 'failing' : attention.length > 0 ? 'attention' : 'healthy';
  const reasons = [...failing, ...attention];
  if (level === 'healthy' && latest) reasons.push(`last run succeeded at ${latest.finishedAt}`);
  return { level, reasons, text: `${level}: ${reasons.join('; ')}` };
}

/** The verdict from what the store holds now. */
export function verdictOf(store: Store, mappingProblems = 0): Verdict {
  const runs = store.listRuns({ limit: 50 });
  return healthVerdict({
    runs,
    deadLetters: store.listDeadLetters().length,
    overdueReferrals: latestOverdueReferrals(runs).length,
    signInPaused: pausedSystems(store),
    mappingProblems,
  });
}
