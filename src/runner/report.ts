// How the CLI shows runs, summaries and the runner's state as text. Only ids, counts, reasons and
// times: the store holds nothing else.
import { STEP_IDS } from '../workflow/contract.ts';
import { STEPS } from '../workflow/steps.ts';
import type { CarriedState, OverdueReferral, RunSummary, StepId } from '../workflow/contract.ts';
import type { DeadLetter, LockInfo, LogLine, RunRecord, SchedulerInfo } from './store.ts';
import { formatLocalTime } from './local-time.ts';
import { pauseMessage } from './sign-in-brake.ts';
import type { SignInPause } from './sign-in-brake.ts';
import type { Verdict } from './verdict.ts';
import { whereToAct } from './where-to-act.ts';

/** What each step moves, in the words of the people who use the sync (src/workflow/steps.ts). */
export const STEP_LABELS = Object.fromEntries(STEPS.map((step) => [step.id, step.moves])) as Record<
  StepId,
  string
>;

/** Kinds of items (`<step>:<kind>` of their keys) in the words of the people who use the sync. */
export const KIND_LABELS: Record<string, string> = {
  'f1-j2:referral': 'Primero -> OSCaR referrals',
  'f1-j2:decision': 'Primero -> OSCaR decisions',
  'f1-j2:link': 'Primero -> OSCaR links (case ids)',
  'f2-j1:client': 'OSCaR clients read',
  'f2-j2:case': 'OSCaR -> Primero cases (services, decisions)',
};

const pad = (value: string | number, width: number) => String(value).padEnd(width);
const padLeft = (value: string | number, width: number) => String(value).padStart(width);

function duration(from: string, to: string | undefined): string {
  if (!to) return '-';
  const ms = Date.parse(to) - Date.parse(from);
  if (Number.isNaN(ms)) return '-';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 60_000)}m`;
}

function cursorsText(cursors: CarriedState['cursors']): string {
  return `primero ${cursors.primero ?? '(none)'}, oscar ${cursors.oscar ?? '(none)'}`;
}

export function formatSummary(summary: RunSummary, run?: RunRecord): string {
  const lines: string[] = [];
  const outcome = !summary.ok
    ? 'FAILED'
    : summary.failed.length > 0
      ? `succeeded with ${summary.failed.length} failed item(s)`
      : 'succeeded';
  const head = run ? `Run ${run.id} (${run.trigger})` : 'Run';
  lines.push(
    `${head} ${outcome}${summary.dryRun ? ' [dry run: nothing written]' : ''} in ${duration(summary.startedAt, summary.finishedAt)}`,
  );
  lines.push(`  window from: ${cursorsText(summary.from)}`);
  lines.push(`  window to:   ${cursorsText(summary.to)}`);
  lines.push(
    `  ${pad('step', 7)}${pad('what', 40)}${padLeft('fetched', 8)}${padLeft('written', 9)}${padLeft('unchanged', 11)}${padLeft('failed', 8)}${padLeft('skipped', 9)}`,
  );
  for (const step of STEP_IDS) {
    const counts = summary.steps[step];
    if (!counts) continue;
    lines.push(
      `  ${pad(step, 7)}${pad(STEP_LABELS[step], 40)}${padLeft(counts.fetched, 8)}${padLeft(counts.written, 9)}` +
        `${padLeft(counts.unchanged, 11)}${padLeft(counts.failed, 8)}${padLeft(counts.skipped, 9)}`,
    );
  }
  const kinds = Object.entries(summary.kinds ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (kinds.length > 0) {
    lines.push('  moved, per kind of item:');
    for (const [kind, counts] of kinds) {
      lines.push(
        `    ${pad(KIND_LABELS[kind] ?? kind, 44)}written ${counts.written}, unchanged ${counts.unchanged}, failed ${counts.failed}`,
      );
    }
  }
  if (summary.failed.length > 0) {
    lines.push(`  failed items (retried by the next run): ${summary.failed.length}`);
    for (const item of summary.failed)
      lines.push(
        `    ${item.key} (attempt ${item.attempts}): ${item.reason} [in ${whereToAct(item)}]`,
      );
  }
  if (summary.deadLettered.length > 0) {
    lines.push(
      `  dead-lettered in this run (need an administrator): ${summary.deadLettered.length}`,
    );
    for (const item of summary.deadLettered) lines.push(`    ${item.key}: ${item.reason}`);
  }
  if (summary.dryRun) {
    lines.push(`  would write: ${summary.planned.length}`);
    for (const write of summary.planned) {
      const ids = Object.entries(write.ids)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ');
      lines.push(`    ${write.step} ${write.action} ${ids}`);
    }
  }
  if (summary.error) lines.push(`  error: ${summary.error}`);
  if (summary.budget) lines.push(`  ${summary.budget.message}`);
  return lines.join('\n');
}

export function formatRunLine(run: RunRecord): string {
  const steps = run.summary?.steps;
  const written = steps
    ? STEP_IDS.reduce((sum, step) => sum + (steps[step]?.written ?? 0), 0)
    : undefined;
  const failed = run.summary ? run.summary.failed.length : undefined;
  const counts = written === undefined ? '' : `written ${written}, failed ${failed}`;
  const flags = [
    run.dryRun ? 'dry-run' : '',
    run.since ? `since ${run.since}` : '',
    run.retryOf ? `retry of ${run.retryOf}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const reason =
    run.status === 'failed' || run.status === 'interrupted' || run.status === 'refused'
      ? (run.error ?? '').split('\n')[0]!
      : '';
  return [
    run.id,
    formatLocalTime(run.startedAt),
    pad(run.trigger, 8),
    pad(run.status, 23),
    padLeft(duration(run.startedAt, run.finishedAt), 6),
    counts,
    flags && `(${flags})`,
    reason && `- ${reason}`,
  ]
    .filter(Boolean)
    .join('  ');
}

export function formatHistory(runs: RunRecord[]): string {
  if (runs.length === 0) return 'No runs yet: start one with `npx interop run`.';
  return runs.map(formatRunLine).join('\n');
}

export function formatLogs(run: RunRecord, lines: LogLine[]): string {
  const head = formatRunLine(run);
  if (lines.length === 0) return `${head}\n(no log lines)`;
  return [
    head,
    ...lines.map(
      (line) => `${formatLocalTime(line.at)} ${pad(line.level.toUpperCase(), 5)} ${line.message}`,
    ),
  ].join('\n');
}

export interface StatusView {
  /** The one-line verdict (src/runner/verdict.ts), the same the console overview opens with. */
  verdict: Verdict;
  store: string;
  cursors: CarriedState['cursors'];
  retrying: number;
  runningNow?: LockInfo;
  nextScheduledRun?: string;
  scheduler?: SchedulerInfo;
  cron: string;
  runs: RunRecord[];
  deadLetters: DeadLetter[];
  /** Referrals awaiting an NGO decision too long, as the last successful run saw them. */
  overdueReferrals: OverdueReferral[];
  /** Systems scheduled runs no longer sign in to, after repeated refused sign-ins. */
  signInPaused: SignInPause[];
}

/** The overdue referrals of the most recent successful run that reported them. */
export function latestOverdueReferrals(runs: readonly RunRecord[]): OverdueReferral[] {
  const run = runs.find((r) => r.summary?.ok && r.summary.overdueReferrals !== undefined);
  return run?.summary?.overdueReferrals ?? [];
}

/** One line per overdue referral: ids, organisation, days. */
export function formatOverdue(overdue: readonly OverdueReferral[]): string[] {
  return overdue.map(
    (item) =>
      `  ${Object.values(item.ids).join(' / ')} at ${item.organisation}: waiting ${item.daysWaiting} days (sent ${formatLocalTime(item.sentAt)})`,
  );
}

export function formatStatus(view: StatusView): string {
  const lines: string[] = [];
  lines.push(`Health: ${view.verdict.text}`);
  lines.push(`Store: ${view.store}`);
  lines.push(`Cursors: ${cursorsText(view.cursors)}`);
  lines.push(`Items waiting to be retried: ${view.retrying}`);
  lines.push(
    view.runningNow
      ? `Running now: run ${view.runningNow.runId} (process ${view.runningNow.pid}, since ${formatLocalTime(view.runningNow.acquiredAt)})`
      : 'Running now: nothing',
  );
  if (view.scheduler?.alive) {
    lines.push(
      `Next scheduled run: ${view.nextScheduledRun ? formatLocalTime(view.nextScheduledRun) : '(none)'} (scheduler process ${view.scheduler.pid}, cron "${view.scheduler.cron}")`,
    );
  } else {
    lines.push(
      `Next scheduled run: none, no scheduler is running (start one with \`npx interop schedule\`; cron "${view.cron}")`,
    );
  }
  for (const pause of view.signInPaused) lines.push(`PAUSED: ${pauseMessage(pause)}`);
  lines.push('', 'Last runs:', view.runs.length > 0 ? formatHistory(view.runs) : '  (none yet)');
  lines.push('', `Dead letters: ${view.deadLetters.length}`);
  for (const letter of view.deadLetters) {
    lines.push(
      `  ${letter.id}  ${letter.key}  attempts ${letter.attempts}, last ${formatLocalTime(letter.lastFailedAt)}: ${letter.reason} [in ${whereToAct(letter)}]`,
    );
  }
  if (view.deadLetters.length > 0)
    lines.push('  (fix the data, then `npx interop retry <dead-letter-id>`)');
  lines.push('', `Referrals awaiting an NGO decision too long: ${view.overdueReferrals.length}`);
  lines.push(...formatOverdue(view.overdueReferrals));
  if (view.overdueReferrals.length > 0)
    lines.push('  (ask the NGO in OSCaR; a declined referral shows in no OSCaR listing)');
  return lines.join('\n');
}
