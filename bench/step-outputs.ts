// `node --import tsx bench/step-outputs.ts [--cases N]`: the serialized size of every step's
// output in two runs (the first over a seed of N Primero cases and N OSCaR clients, then the next
// hourly run carrying the first one's ledger). On OpenFn.org each of them is saved as a dataclip
// (10 MB limit, MAX_DATACLIP_SIZE_MB); child data passes through the run's store instead
// (src/workflow/hand-off.ts), so they must stay small. docs/performance.md gives the figures.
import { parseArgs } from 'node:util';
import { startOscarEmulator } from '../demo/oscar/index.ts';
import { startPrimeroEmulator } from '../demo/primero/index.ts';
import { runWorkflow } from '../src/workflow/run.ts';
import { loadJobs, type Job } from '../src/workflow/plan.ts';
import { STEP_IDS, type CarriedState, type StepId } from '../src/workflow/contract.ts';
import { BENCH_OSCAR_ADMIN, BENCH_PRIMERO_USER, generateSeeds } from './seed.ts';

/** The jobs, each ending with an operation that measures the state the step hands on. */
function measuredJobs(jobs: Record<StepId, Job>, sizes: Map<StepId, number>) {
  return Object.fromEntries(
    STEP_IDS.map((step) => [
      step,
      [
        ...jobs[step],
        (state: Record<string, unknown>) => {
          // The runtime strips the configuration from every output.
          const { configuration: _configuration, ...output } = state;
          sizes.set(step, Buffer.byteLength(JSON.stringify(output)));
          return state;
        },
      ],
    ]),
  ) as Record<StepId, Job>;
}

export async function measureStepOutputs(cases: number) {
  const primero = await startPrimeroEmulator();
  const oscar = await startOscarEmulator();
  try {
    const seeds = generateSeeds({ cases, seed: 20250101 });
    primero.loadSeed(seeds.primero);
    oscar.loadSeed(seeds.oscar);
    const systems = {
      primero: {
        url: primero.url,
        username: BENCH_PRIMERO_USER.user_name,
        password: BENCH_PRIMERO_USER.password,
      },
      oscar: { url: oscar.url, ...BENCH_OSCAR_ADMIN },
    };
    const jobs = await loadJobs();
    const runs: Array<{ run: string; ok: boolean; bytes: Record<string, number> }> = [];
    let carried: CarriedState | undefined;
    for (const run of ['initial', 'next hourly']) {
      const sizes = new Map<StepId, number>();
      const outcome = await runWorkflow(
        {
          systems,
          ...(carried ? { carried } : { since: seeds.since }),
          settings: { concurrency: 4 },
        },
        measuredJobs(jobs, sizes),
      );
      carried = outcome.next;
      runs.push({ run, ok: outcome.summary.ok, bytes: Object.fromEntries(sizes) });
    }
    return runs;
  } finally {
    await Promise.all([primero.close(), oscar.close()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { cases: { type: 'string', default: '10000' } } });
  const cases = Number(values.cases);
  measureStepOutputs(cases).then(
    (runs) => {
      for (const { run, ok, bytes } of runs) {
        const steps = STEP_IDS.map(
          (step) => `${step} ${((bytes[step] ?? 0) / 1024).toFixed(1)} KiB`,
        );
        process.stdout.write(
          `${cases} + ${cases}, ${run} run (${ok ? 'ok' : 'FAILED'}): ${steps.join(', ')}\n`,
        );
      }
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
