// Run history with filters and paging, shared by the console's /runs page and `npx interop
// history`: by outcome, by what started the run, by Cambodia calendar days; newest first, one page
// at a time. The store lists runs newest first, so the scan stops at the first run older than the
// range and reads at most what the filter needs.
import type { RunRecord, RunStatus, RunTrigger, Store } from '../runner/store.ts';

/** The run statuses of the store; `succeeded-with-failures` is the amber one (items failed). */
export const OUTCOMES = [
  'succeeded',
  'succeeded-with-failures',
  'failed',
  'refused',
  'interrupted',
  'running',
] as const satisfies readonly RunStatus[];
export type Outcome = (typeof OUTCOMES)[number];
export const TRIGGERS: readonly RunTrigger[] = ['schedule', 'console', 'manual', 'retry'];

export interface HistoryFilter {
  status?: Outcome;
  trigger?: RunTrigger;
  /** First Cambodia calendar day included (YYYY-MM-DD). */
  since?: string;
  /** Last Cambodia calendar day included (YYYY-MM-DD). */
  until?: string;
}

export interface HistoryPage {
  runs: RunRecord[];
  filter: HistoryFilter;
  /** 1-based. */
  page: number;
  pages: number;
  total: number;
  pageSize: number;
}

export const PAGE_SIZE = 20;
const SCAN_BATCH = 500;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The outcome an administrator filters by; a run stored before amber existed counts as amber too. */
export function outcomeOf(run: RunRecord): Outcome {
  if (run.status === 'succeeded' && (run.summary?.failed.length ?? 0) > 0)
    return 'succeeded-with-failures';
  return run.status;
}

/** Midnight of a Cambodia day (UTC+7 all year), as epoch milliseconds. */
function cambodiaMidnight(day: string): number {
  return Date.parse(`${day}T00:00:00+07:00`);
}

/**
 * Reads a filter from query-string or CLI values; anything not understood is an error naming the
 * parameter and what it accepts (an administrator typed it, or edited a link).
 */
export function parseHistoryFilter(input: Record<string, string | undefined>): {
  filter: HistoryFilter;
  page: number;
} {
  const filter: HistoryFilter = {};
  const value = (name: string) => {
    const text = input[name]?.trim();
    return text === undefined || text === '' ? undefined : text;
  };
  const status = value('status');
  if (status !== undefined) {
    if (!(OUTCOMES as readonly string[]).includes(status))
      throw new Error(`status must be one of ${OUTCOMES.join(', ')} (got "${status}")`);
    filter.status = status as Outcome;
  }
  const trigger = value('trigger');
  if (trigger !== undefined) {
    if (!(TRIGGERS as readonly string[]).includes(trigger))
      throw new Error(`trigger must be one of ${TRIGGERS.join(', ')} (got "${trigger}")`);
    filter.trigger = trigger as RunTrigger;
  }
  for (const name of ['since', 'until'] as const) {
    const day = value(name);
    if (day === undefined) continue;
    if (!DAY.test(day) || Number.isNaN(cambodiaMidnight(day)))
      throw new Error(`${name} must be a day as YYYY-MM-DD, Cambodia time (got "${day}")`);
    filter[name] = day;
  }
  if (filter.since && filter.until && filter.since > filter.until)
    throw new Error(`since (${filter.since}) is after until (${filter.until}): swap them`);
  const pageText = value('page') ?? '1';
  const page = Number(pageText);
  if (!/^\d+$/.test(pageText) || page < 1)
    throw new Error(`page must be a whole number from 1 (got "${pageText}")`);
  return { filter, page };
}

export function matches(run: RunRecord, filter: HistoryFilter): boolean {
  if (filter.status && outcomeOf(run) !== filter.status) return false;
  if (filter.trigger && run.trigger !== filter.trigger) return false;
  const started = Date.parse(run.startedAt);
  if (filter.since && started < cambodiaMidnight(filter.since)) return false;
  if (filter.until && started >= cambodiaMidnight(filter.until) + 86_400_000) return false;
  return true;
}

/** One page of the runs matching `filter`, newest first; a page past the end shows the last one. */
export function historyPage(
  store: Pick<Store, 'listRuns'>,
  filter: HistoryFilter,
  page: number,
  pageSize = PAGE_SIZE,
): HistoryPage {
  const matching: RunRecord[] = [];
  const oldest = filter.since ? cambodiaMidnight(filter.since) : undefined;
  for (let offset = 0; ; offset += SCAN_BATCH) {
    const batch = store.listRuns({ limit: SCAN_BATCH, offset });
    for (const run of batch) if (matches(run, filter)) matching.push(run);
    const last = batch.at(-1);
    if (batch.length < SCAN_BATCH) break;
    if (oldest !== undefined && last && Date.parse(last.startedAt) < oldest) break;
  }
  const pages = Math.max(1, Math.ceil(matching.length / pageSize));
  const shown = Math.min(page, pages);
  return {
    runs: matching.slice((shown - 1) * pageSize, shown * pageSize),
    filter,
    page: shown,
    pages,
    total: matching.length,
    pageSize,
  };
}

/** The query string of a filter and page, for links that keep the filters. */
export function historyQuery(filter: HistoryFilter, page?: number): string {
  const params = new URLSearchParams();
  for (const name of ['status', 'trigger', 'since', 'until'] as const) {
    const value = filter[name];
    if (value) params.set(name, value);
  }
  if (page !== undefined && page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
