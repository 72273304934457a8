// The last 30 days of runs, per Cambodia calendar day: records moved each way, failed items and
// time spent running. Dry runs wrote nothing and are left out; a day without runs counts zero.
import { localDay } from '../runner/local-time.ts';
import type { RunRecord, Store } from '../runner/store.ts';

export interface DayStats {
  /** YYYY-MM-DD, Cambodia time. */
  day: string;
  /** Written by f1-j2 (Primero -> OSCaR). */
  toOscar: number;
  /** Written by f2-j2 (OSCaR -> Primero). */
  toPrimero: number;
  failed: number;
  runs: number;
  /** Time spent running that day, in seconds. */
  runSeconds: number;
}

export const CHART_DAYS = 30;
const DAY_MS = 86_400_000;

export function dailyStats(runs: readonly RunRecord[], now: number, days = CHART_DAYS): DayStats[] {
  const stats = new Map<string, DayStats>();
  const order: string[] = [];
  for (let back = days - 1; back >= 0; back -= 1) {
    const day = localDay(now - back * DAY_MS);
    if (stats.has(day)) continue;
    order.push(day);
    stats.set(day, { day, toOscar: 0, toPrimero: 0, failed: 0, runs: 0, runSeconds: 0 });
  }
  for (const run of runs) {
    if (run.dryRun) continue;
    const entry = stats.get(localDay(Date.parse(run.startedAt)));
    if (!entry) continue;
    entry.runs += 1;
    entry.toOscar += run.summary?.steps['f1-j2']?.written ?? 0;
    entry.toPrimero += run.summary?.steps['f2-j2']?.written ?? 0;
    entry.failed += run.summary?.failed.length ?? 0;
    const ms = Date.parse(run.finishedAt ?? '') - Date.parse(run.startedAt);
    if (Number.isFinite(ms) && ms > 0) entry.runSeconds += ms / 1000;
  }
  return order.map((day) => stats.get(day)!);
}

/** The runs the chart needs: newest first until the first one older than the window. */
export function recentRuns(
  store: Pick<Store, 'listRuns'>,
  now: number,
  days = CHART_DAYS,
): RunRecord[] {
  const oldest = now - (days + 1) * DAY_MS;
  const found: RunRecord[] = [];
  for (let offset = 0; ; offset += 500) {
    const batch = store.listRuns({ limit: 500, offset });
    for (const run of batch) {
      if (Date.parse(run.startedAt) < oldest) return found;
      found.push(run);
    }
    if (batch.length < 500) return found;
  }
}
