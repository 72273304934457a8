// The four steps as OpenFn.org knows them: which source file each body is built from, the name an
// admin sees in Lightning, and the one credential the step reads from `state.configuration`.
import type { StepId } from '../workflow/contract.ts';

export type CredentialKind = 'primero' | 'oscar';

export interface OpenfnJob {
  step: StepId;
  /** Relative to the project root. */
  source: string;
  /** The job's name in Lightning (keys and ids are derived from it). */
  name: string;
  credential: CredentialKind;
  /**
   * The first body opens the run and the last one closes it (src/openfn/lightning-run.ts): on
   * OpenFn.org no runner does that around the steps.
   */
  runBoundary?: 'start' | 'finish';
}

export const OPENFN_JOBS: readonly OpenfnJob[] = [
  {
    step: 'f1-j1',
    source: 'jobs/f1-j1-get-primero-cases.ts',
    name: 'f1-j1 Get Primero cases',
    credential: 'primero',
    runBoundary: 'start',
  },
  {
    step: 'f1-j2',
    source: 'jobs/f1-j2-cases-to-oscar.ts',
    name: 'f1-j2 Cases to OSCaR',
    credential: 'oscar',
  },
  {
    step: 'f2-j1',
    source: 'jobs/f2-j1-get-oscar-cases.ts',
    name: 'f2-j1 Get OSCaR cases',
    credential: 'oscar',
  },
  {
    step: 'f2-j2',
    source: 'jobs/f2-j2-upsert-cases-to-primero.ts',
    name: 'f2-j2 Upsert cases to Primero',
    credential: 'primero',
    runBoundary: 'finish',
  },
];

/** The fields each credential must hold on OpenFn.org (docs/deploy.md). */
export const CREDENTIAL_FIELDS: Record<CredentialKind, readonly string[]> = {
  primero: ['url', 'username', 'password'],
  oscar: ['url', 'email', 'password'],
};

export const DEFAULT_CREDENTIAL_NAMES: Record<CredentialKind, string> = {
  primero: 'Primero',
  oscar: 'OSCaR',
};
