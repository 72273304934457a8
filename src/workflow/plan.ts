// The execution plan @openfn/runtime runs: four steps joined by on_job_success edges, each with
// only its own system's credential as configuration (the runtime strips it from every output).
import type { StepId, SystemsConfig } from './contract.ts';

/** A job as the runtime takes it live: `export default [op, op, ...]`. */
export type Job = Array<(state: any) => any>;

/** The four job files (loaded on first use, so a test can run the plan with other jobs). */
export async function loadJobs(): Promise<Record<StepId, Job>> {
  const [f1j1, f1j2, f2j1, f2j2] = await Promise.all([
    import('../../jobs/f1-j1-get-primero-cases.ts'),
    import('../../jobs/f1-j2-cases-to-oscar.ts'),
    import('../../jobs/f2-j1-get-oscar-cases.ts'),
    import('../../jobs/f2-j2-upsert-cases-to-primero.ts'),
  ]);
  return {
    'f1-j1': f1j1.default as Job,
    'f1-j2': f1j2.default as Job,
    'f2-j1': f2j1.default as Job,
    'f2-j2': f2j2.default as Job,
  };
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
