// The execution plan @openfn/runtime runs: four steps joined by on_job_success edges, each with
// only its own system's credential as configuration (the runtime strips it from every output).
import type { StepId, SystemsConfig } from './contract.ts';

/** A job as the runtime takes it live: `export default [op, op, ...]`. */
export type Job = Array<(state: any) => any>;

/** The job file of each step, in jobs/ (the OpenFn.org build reads the same files). */
const JOB_FILES: Record<StepId, string> = {
  'f1-j1': 'f1-j1-get-primero-cases.ts',
  'f1-j2': 'f1-j2-cases-to-oscar.ts',
  'f2-j1': 'f2-j1-get-oscar-cases.ts',
  'f2-j2': 'f2-j2-upsert-cases-to-primero.ts',
};

/**
 * The four jobs, loaded by file on first use as a runtime loads the expressions a plan names (so a
 * test can run the plan with other jobs). Nothing in src/ imports jobs/: the jobs sit on top of the
 * sync, which sits on top of the workflow (test/layout/import-cycles.test.ts).
 */
export async function loadJobs(): Promise<Record<StepId, Job>> {
  const load = async (id: StepId) => {
    const url = new URL(`../../jobs/${JOB_FILES[id]}`, import.meta.url);
    const module = (await import(url.href)) as { default: Job };
    return [id, module.default] as const;
  };
  return Object.fromEntries(await Promise.all(ORDER.map(load))) as Record<StepId, Job>;
}

export const STEP_NAMES: Record<StepId, string> = {
  'f1-j1': 'get Primero cases',
  'f1-j2': 'cases to OSCaR',
  'f2-j1': 'get OSCaR cases',
  'f2-j2': 'upsert cases to Primero',
};

/** Which system each step talks to, hence which credential it is given. */
const CREDENTIAL_OF: Record<StepId, keyof SystemsConfig> = {
  'f1-j1': 'primero',
  'f1-j2': 'oscar',
  'f2-j1': 'oscar',
  'f2-j2': 'primero',
};

const ORDER: StepId[] = ['f1-j1', 'f1-j2', 'f2-j1', 'f2-j2'];

export function buildPlan(systems: SystemsConfig, jobs: Record<StepId, Job>) {
  return {
    id: 'primero-oscar-sync',
    workflow: {
      name: 'Primero <-> OSCaR sync',
      steps: ORDER.map((id, index) => {
        const next = ORDER[index + 1];
        return {
          id,
          name: STEP_NAMES[id],
          expression: jobs[id],
          configuration: { ...systems[CREDENTIAL_OF[id]] },
          ...(next ? { next: { [next]: 'on_job_success' } } : {}),
        };
      }),
    },
    options: { start: 'f1-j1' },
  };
}
