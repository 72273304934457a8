// The execution plan @openfn/runtime runs: the steps of steps.ts joined by on_job_success edges,
// each with only its own system's credential as configuration (the runtime strips it from every
// output).
import type { ExecutionPlan, Job as RuntimeStep } from '@openfn/runtime';
import type { StepId, SystemsConfig } from './contract.ts';
import { STEPS, STEP_IDS } from './steps.ts';

/** A job as the runtime takes it live: `export default [op, op, ...]`. */
export type Job = Array<(state: any) => any>;

/** Where a run gets its four jobs: their files by default; the CLI hands in the ones it carries. */
export type JobSource = () => Promise<Record<StepId, Job>>;

/**
 * The job files of steps.ts, loaded by path on first use (so a test can run the plan with other
 * jobs). A path the bundler cannot follow: the compiled CLI registers its bundled jobs instead
 * (src/cli/jobs.ts), since nothing below the CLI imports jobs/ (test/layout/import-cycles.test.ts).
 */
const jobFiles: JobSource = async () => {
  const modules = await Promise.all(
    STEPS.map((step) => {
      const url = new URL(`../../${step.job}`, import.meta.url).href;
      return import(/* @vite-ignore */ url) as Promise<{ default: Job }>;
    }),
  );
  return Object.fromEntries(
    STEPS.map((step, index) => [step.id, modules[index]!.default]),
  ) as Record<StepId, Job>;
};

let jobSource: JobSource = jobFiles;

/** Makes every later run load its jobs from `source` (the CLI's entry point calls it once). */
export function useJobSource(source: JobSource): void {
  jobSource = source;
}

export function loadJobs(): Promise<Record<StepId, Job>> {
  return jobSource();
}

export function buildPlan(systems: SystemsConfig, jobs: Record<StepId, Job>): ExecutionPlan {
  return {
    id: 'primero-oscar-sync',
    workflow: {
      name: 'Primero <-> OSCaR sync',
      steps: STEPS.map((step, index): RuntimeStep => {
        const next = STEP_IDS[index + 1];
        return {
          id: step.id,
          name: step.title,
          // The runtime runs an operation array as it is; its type names only the source text
          // form (`expression?: string`), which a local run does not compile.
          expression: jobs[step.id] as unknown as string,
          configuration: { ...systems[step.credential] },
          ...(next ? { next: { [next]: 'on_job_success' } } : {}),
        };
      }),
    },
    options: { start: STEP_IDS[0]! },
  };
}
