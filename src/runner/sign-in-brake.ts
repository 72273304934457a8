// Never lock the API users. Primero locks a user after six failed sign-ins (Devise lockable; the
// count resets only on a successful sign-in), so a stale password on an hourly timer would lock it
// within six hours. Each run signs in once per system and stops that system at a refusal (the
// clients); across runs, after REFUSED_RUNS_TO_PAUSE consecutive refused runs the schedule stops
// signing in to that system until `npx interop check` succeeds or an administrator resumes it.
import type { RunSummary } from '../workflow/contract.ts';
import type { SignInBrakeRow, Store } from './store.ts';
import { signInVariables } from '../workflow/steps.ts';

export const BRAKE_SYSTEMS = ['primero', 'oscar'] as const;
export type BrakeSystem = (typeof BRAKE_SYSTEMS)[number];

/** Two refused runs: two failed sign-ins in all, far from Primero's six. */
export const REFUSED_RUNS_TO_PAUSE = 2;

const SYSTEM_LABEL: Record<BrakeSystem, string> = { primero: 'Primero', oscar: 'OSCaR' };

/**
 * The systems whose sign-in refused this run's credentials: the failure the run's summary carries
 * (src/workflow/run.ts reads it from the client's error, a 401 to the sign-in request). A 429 or
 * an outage is no refusal (it counts no failed password).
 */
export function refusedSystems(summary: RunSummary): BrakeSystem[] {
  const failure = summary.failure;
  return failure?.refusedSignIn && failure.system ? [failure.system] : [];
}

export interface SignInPause {
  system: BrakeSystem;
  refusedRuns: number;
  pausedAt: string;
  reason: string;
}

const rowOf = (store: Store, system: BrakeSystem): SignInBrakeRow =>
  store.signInBrakes().find((row) => row.system === system) ?? { system, refusedRuns: 0 };

/** The systems the schedule no longer signs in to. */
export function pausedSystems(store: Store): SignInPause[] {
  return store
    .signInBrakes()
    .filter((row): row is SignInBrakeRow & { pausedAt: string } => row.pausedAt !== undefined)
    .map((row) => ({
      system: row.system as BrakeSystem,
      refusedRuns: row.refusedRuns,
      pausedAt: row.pausedAt,
      reason: row.reason ?? 'sign-in refused',
    }));
}

/**
 * Counts a finished (not dry) run: a refusal adds one for that system and pauses it at the limit;
 * a successful run proves both sign-ins and clears both counts. A run that failed otherwise (an
 * outage before signing in) neither adds nor clears. Returns the systems this run paused.
 */
export function recordRunSignIns(
  store: Store,
  summary: RunSummary,
  at = new Date(),
): SignInPause[] {
  const refused = refusedSystems(summary);
  const paused: SignInPause[] = [];
  for (const system of BRAKE_SYSTEMS) {
    const row = rowOf(store, system);
    if (refused.includes(system)) {
      const refusedRuns = row.refusedRuns + 1;
      const reason = `${SYSTEM_LABEL[system]} refused the sign-in in ${refusedRuns} consecutive run(s)`;
      const pause = refusedRuns >= REFUSED_RUNS_TO_PAUSE && row.pausedAt === undefined;
      const pausedAt = row.pausedAt ?? (pause ? at.toISOString() : undefined);
      store.saveSignInBrake({ system, refusedRuns, reason, ...(pausedAt ? { pausedAt } : {}) });
      if (pause) paused.push({ system, refusedRuns, pausedAt: pausedAt!, reason });
    } else if (summary.ok && row.refusedRuns > 0) {
      store.saveSignInBrake({ system, refusedRuns: 0 });
    }
  }
  return paused;
}

/** `check` signed in, or an administrator resumed: the schedule signs in to it again. */
export function resumeSignIn(store: Store, system: BrakeSystem): boolean {
  const row = rowOf(store, system);
  store.saveSignInBrake({ system, refusedRuns: 0 });
  return row.pausedAt !== undefined;
}

/** A sign-in `check` saw accepted lifts the pause on that system; the lines to print. */
export function resumeAfterCheck(
  store: Store,
  results: ReadonlyArray<{ system: 'Primero' | 'OSCaR'; signedIn: boolean }>,
): string[] {
  return results
    .filter((result) => result.signedIn)
    .map((result) => (result.system === 'Primero' ? 'primero' : 'oscar') as BrakeSystem)
    .filter((system) => resumeSignIn(store, system))
    .map((system) => `ok   ${SYSTEM_LABEL[system]}: scheduled runs sign in to it again`);
}

/** What `status`, the scheduler and the console say about a paused system. */
export function pauseMessage(pause: SignInPause): string {
  const variables = signInVariables(pause.system).join('/');
  return (
    `scheduled runs stopped signing in to ${SYSTEM_LABEL[pause.system]} at ${pause.pausedAt}: ` +
    `${pause.reason}; fix ${variables}, then \`npx interop check\` or \`npx interop resume ${pause.system}\``
  );
}
