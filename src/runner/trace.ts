// "Where is this child's referral?": every run that touched a child, from the per-item history
// (src/runner/item-history.ts). One query module for `npx interop trace` and the console's trace
// page. The id may be a Primero case id (case_id, or the record id), an OSCaR global id, a
// referral id, or any other id the history holds; items found that way bring in the child's ids on
// the other side (a referral found by case id names the global id, whose OSCaR -> Primero items
// are then found too).
import type { HistoryEntry } from './item-history.ts';
import type { Store } from './store.ts';
import { whereToAct } from './where-to-act.ts';

/** The ids that name a child (not one referral), followed from one side to the other. */
const CHILD_IDS = ['case_id', 'global_id', 'primero_id'] as const;

export interface TraceResult {
  query: string;
  /** Oldest first. */
  entries: HistoryEntry[];
  /** How many distinct runs touched the child. */
  runs: number;
}

export function traceChild(store: Store, query: string, limit = 500): TraceResult {
  const wanted = query.trim();
  if (wanted === '') return { query: wanted, entries: [], runs: 0 };
  const direct = store.itemHistory.find(wanted, limit);
  const linked = new Set<string>();
  for (const entry of direct)
    for (const name of CHILD_IDS) {
      const value = entry.ids[name];
      if (value && value !== wanted) linked.add(value);
    }
  const byId = new Map<string, HistoryEntry>();
  const keyOf = (entry: HistoryEntry) => `${entry.runId}\u0000${entry.key}\u0000${entry.outcome}`;
  for (const entry of direct) byId.set(keyOf(entry), entry);
  for (const value of linked)
    for (const entry of store.itemHistory.find(value, limit)) byId.set(keyOf(entry), entry);
  const entries = [...byId.values()]
    .sort((a, b) => a.at.localeCompare(b.at) || a.step.localeCompare(b.step))
    .slice(-limit);
  return { query: wanted, entries, runs: new Set(entries.map((entry) => entry.runId)).size };
}

/** `case_id=… global_id=…`: the ids on each side, in a stable order. */
export function idsText(ids: Record<string, string>): string {
  return Object.entries(ids)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

export function formatTrace(result: TraceResult): string {
  if (result.entries.length === 0) {
    return (
      `No item with id ${result.query} in the history. Give a Primero case id, an OSCaR global id ` +
      'or a referral id; the history keeps INTEROP_HISTORY_DAYS days (default 90).'
    );
  }
  const lines = [
    `${result.query}: ${result.entries.length} item outcome(s) in ${result.runs} run(s), oldest first`,
  ];
  for (const entry of result.entries) {
    lines.push(
      `${entry.at}  run ${entry.runId}  ${entry.step}  ${entry.kind}  ${entry.outcome}` +
        `  ${idsText(entry.ids)}${entry.reason ? `  - ${entry.reason} [in ${whereToAct(entry)}]` : ''}`,
    );
  }
  return lines.join('\n');
}
