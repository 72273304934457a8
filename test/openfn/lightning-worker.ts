// Runs built bodies the way OpenFn.org's worker does, with OpenFn's real compiler: the run is
// turned into an execution plan as ws-worker does (convert-lightning-plan.ts, mirrored below),
// then lightning-worker.mjs compiles and runs it in a memory-capped worker thread as engine-multi
// does. Other adaptors than the job's (e.g. @openfn/language-collections, which Lightning adds
// to any step whose body mentions `collections.`) are linked from `adaptors`.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { InstalledAdaptor } from '../../src/openfn/adaptor.ts';
import type { PlanRun } from './runtime-harness.ts';

/** ws-worker's default run memory limit (engine-multi api.ts DEFAULT_MEMORY_LIMIT). */
export const RUN_MEMORY_LIMIT_MB = 500;
export const COLLECTIONS_ADAPTOR = '@openfn/language-collections';

/** One job of a Lightning run, as Lightning sends it to the worker. */
export interface LightningJob {
  id: string;
  name: string;
  body: string;
  /** `name@version`, as project.yaml pins it. */
  adaptor: string;
  /** The job's credential, already resolved (the worker fetches it before the run). */
  credential: Record<string, unknown>;
}

export interface LightningWorkerOptions {
  /** @openfn/compiler's module URL (openfn-kit.ts). */
  compilerUrl: string;
  /** Every adaptor the worker has installed: the jobs' own and any Lightning adds. */
  adaptors: readonly InstalledAdaptor[];
  /**
   * What ws-worker puts in plan.workflow.credentials when a step uses Collections
   * (collections_token, collections_endpoint): the runtime adds it to every step's configuration.
   */
  workflowCredentials?: Record<string, unknown>;
  memoryLimitMb?: number;
}

export interface WorkerRun extends PlanRun {
  /** Each step's body as the compiler handed it to the runtime. */
  compiled: Record<string, string>;
  compileSeconds: number;
  /** The compiling thread's heap once every body is compiled, in MB (lightning-worker.mjs). */
  heap: { usedMb: number; committedMb: number; retainedMb?: number; limitMb: number };
  compileError?: { step: string; name?: string; message?: string };
  /** Each step's output state (the dataclip Lightning saves), by step id. */
  outputs: Record<string, Record<string, any>>;
}

/**
 * The execution plan ws-worker makes of a cron-triggered run (convert-lightning-plan.ts): a
 * trigger node, each job with its credential as configuration and its adaptor, on_job_success
 * edges; @openfn/language-collections appended to any step whose body matches `collections.`.
 */
export function toExecutionPlan(
  jobs: readonly LightningJob[],
  options: Pick<LightningWorkerOptions, 'adaptors' | 'workflowCredentials'>,
) {
  const collections = options.adaptors.find((a) => a.name === COLLECTIONS_ADAPTOR);
  const first = jobs[0];
  const steps: Array<Record<string, unknown>> = first
    ? [{ id: 'cron', next: { [first.id]: true } }]
    : [];
  let usesCollections = false;
  jobs.forEach((job, index) => {
    const adaptors = [job.adaptor];
    if (/(collections\.)/.test(job.body)) {
      usesCollections = true;
      if (!adaptors.some((a) => a.startsWith(COLLECTIONS_ADAPTOR)))
        adaptors.push(`${COLLECTIONS_ADAPTOR}@${collections?.version ?? 'latest'}`);
    }
    const next = jobs[index + 1];
    steps.push({
      id: job.id,
      name: job.name,
      configuration: job.credential,
      expression: job.body,
      adaptors,
      ...(next ? { next: { [next.id]: { condition: 'on_job_success' } } } : {}),
    });
  });
  return {
    id: 'lightning-worker-run',
    options: {},
    workflow: {
      name: 'Primero OSCaR sync',
      steps,
      ...(usesCollections && options.workflowCredentials
        ? { credentials: options.workflowCredentials }
        : {}),
    },
  };
}

const worker = fileURLToPath(new URL('./lightning-worker.mjs', import.meta.url));

export async function runOnLightningWorker(
  jobs: readonly LightningJob[],
  input: Record<string, unknown>,
  options: LightningWorkerOptions,
): Promise<WorkerRun> {
  const memoryLimitMb = options.memoryLimitMb ?? RUN_MEMORY_LIMIT_MB;
  const dir = await mkdtemp(join(tmpdir(), 'openfn-worker-'));
  try {
    const request = join(dir, 'request.json');
    const result = join(dir, 'result.json');
    await writeFile(
      request,
      JSON.stringify({
        plan: toExecutionPlan(jobs, options),
        input,
        compilerUrl: options.compilerUrl,
        adaptorPaths: Object.fromEntries(options.adaptors.map((a) => [a.name, a.path])),
        memoryLimitMb,
      }),
    );
    // engine-multi's child process flags (worker/pool.ts); --expose-gc only lets the thread
    // measure what compiling retained.
    await promisify(execFile)(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--no-warnings',
        `--max-old-space-size=${memoryLimitMb}`,
        '--expose-gc',
        worker,
        request,
        result,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return JSON.parse(await readFile(result, 'utf8')) as WorkerRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
