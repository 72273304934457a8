// The order the bench runs its scenarios in, and when it waits. Hourly runs are an hour apart in
// production and back to back here, so before the settle run that hourly continues from, the
// re-read margin (src/workflow/primero-reread.ts) must have passed since the run before ended:
// then hourly's listing starts after the settle runs' writes, as it would an hour later. To not
// spend that wait idle, the full run interleaves the two sizes: the scale run's first run (longer
// than the margin) goes between the first size's settle runs (docs/performance.md, "Scenarios").
import type { ScenarioName } from './report.ts';

export type TrackName = 'first' | 'scale';
export interface TrackNames {
  initial: ScenarioName;
  settle: ScenarioName;
  hourly: ScenarioName;
  noop: ScenarioName;
}
export const TRACKS: Record<TrackName, TrackNames> = {
  first: { initial: 'initial', settle: 'settle', hourly: 'hourly', noop: 'noop' },
  scale: { initial: 'scale', settle: 'scale-settle', hourly: 'scale-hourly', noop: 'scale-noop' },
};

/** More settle runs than this and the bench goes on, saying so: something keeps writing. */
export const MAX_SETTLE_RUNS = 4;

export type PlanStep =
  | 'initial'
  /** The run after the first one: it writes what the first one's step order left (links, services). */
  | 'first-settle'
  /** More settle runs, each after the margin, until one writes nothing. */
  | 'settle-until-quiet'
  /** The hourly changes, their run, then the no-op run. */
  | 'hourly-and-noop';

export interface PlannedStep {
  track: TrackName;
  do: PlanStep;
}

export function benchPlan(options: {
  quick: boolean;
  scenarios: readonly ScenarioName[];
}): PlannedStep[] {
  const want = new Set(options.scenarios);
  const stepsOf = (track: TrackName): PlanStep[] => {
    const names = TRACKS[track];
    if (!want.has(names.initial)) return [];
    const steps: PlanStep[] = ['initial'];
    if (want.has(names.settle)) {
      steps.push('first-settle');
      // The quick variant (CI) settles once and does not wait.
      if (!options.quick) steps.push('settle-until-quiet');
    }
    if (want.has(names.hourly) || want.has(names.noop)) steps.push('hourly-and-noop');
    return steps;
  };
  const first = stepsOf('first').map((step) => ({ track: 'first' as const, do: step }));
  const scale = stepsOf('scale').map((step) => ({ track: 'scale' as const, do: step }));
  if (options.quick || first.length === 0 || scale.length === 0) return [...first, ...scale];
  // Interleaved: the scale run's first run fills the first size's wait.
  const cut = first.findIndex((step) => step.do === 'settle-until-quiet');
  if (cut < 0) return [...first, ...scale];
  return [...first.slice(0, cut), scale[0]!, ...first.slice(cut), ...scale.slice(1)];
}

/** How long to wait before a run that must start after the margin since the last run ended. */
export function marginWaitMs(lastEndedMs: number, nowMs: number, marginMs: number): number {
  return Math.max(0, lastEndedMs + marginMs + 1000 - nowMs);
}

/**
 * Whether settling is done after settle run `round` made `writes` write requests: a run that
 * wrote nothing and started after the margin (every run after the first waits it out). The quick
 * variant settles once.
 */
export function settledQuietly(round: number, writes: number, quick: boolean): boolean {
  return quick || (round >= 2 && writes === 0);
}
