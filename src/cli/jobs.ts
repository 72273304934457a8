// The four jobs the CLI runs, imported by name so that the compiled CLI (dist/cli) carries them:
// the CLI is the entry point that wires everything together, the one module of src/ allowed to
// import jobs/ (test/layout/import-cycles.test.ts). The files are those of src/workflow/steps.ts;
// test/cli/jobs.test.ts checks that the two agree.
import type { StepId } from '../workflow/contract.ts';
import type { Job, JobSource } from '../workflow/plan.ts';

type JobModule = Promise<{ default: unknown }>;

export const JOB_IMPORTS: Record<StepId, () => JobModule> = {
  'f1-j1': () => import('../../jobs/f1-j1-get-primero-cases.ts'),
  'f1-j2': () => import('../../jobs/f1-j2-cases-to-oscar.ts'),
  'f2-j1': () => import('../../jobs/f2-j1-get-oscar-cases.ts'),
  'f2-j2': () => import('../../jobs/f2-j2-upsert-cases-to-primero.ts'),
};

export const bundledJobs: JobSource = async () => {
  const entries = await Promise.all(
    Object.entries(JOB_IMPORTS).map(async ([id, load]) => [id, (await load()).default as Job]),
  );
  return Object.fromEntries(entries) as Record<StepId, Job>;
};
