// The steps as OpenFn.org knows them, derived from src/workflow/steps.ts: which source file each
// body is built from, the name an admin sees in Lightning, and the one credential the step reads
// from `state.configuration`.
import type { StepId } from '../workflow/contract.ts';
import {
  credentialSpec,
  perCredential,
  STEPS,
  type CredentialKind,
  type StepSpec,
} from '../workflow/steps.ts';

export type { CredentialKind } from '../workflow/steps.ts';

export interface OpenfnJob {
  step: StepId;
  /** Relative to the project root. */
  source: string;
  /** The job's name in Lightning (keys and ids are derived from it). */
  name: string;
  credential: CredentialKind;
  runBoundary?: StepSpec['runBoundary'];
}

/** Lightning shows jobs by name only, so the name leads with the step id. */
export const OPENFN_JOBS: readonly OpenfnJob[] = STEPS.map((step: StepSpec & { id: StepId }) => ({
  step: step.id,
  source: step.job,
  name: `${step.id} ${step.title}`,
  credential: step.credential,
  ...(step.runBoundary ? { runBoundary: step.runBoundary } : {}),
}));

/** The fields each credential must hold on OpenFn.org (docs/deploy.md). */
export const CREDENTIAL_FIELDS: Record<CredentialKind, readonly string[]> = perCredential((kind) =>
  credentialSpec(kind).fields.map((field) => field.key),
);

export const DEFAULT_CREDENTIAL_NAMES: Record<CredentialKind, string> = perCredential(
  (kind) => credentialSpec(kind).defaultName,
);
