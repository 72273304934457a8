// Runs built bodies as one plan on @openfn/runtime in a child node process with
// --experimental-vm-modules (string jobs need it; the test process runs without it), shaped as
// Lightning's worker shapes a run: a cron trigger step, then each job with its credential as
// configuration, its pinned adaptor and on_job_success edges. A step whose body mentions
// `collections.` also gets the collections adaptor and, in its configuration, the collections
// endpoint and token, as the worker adds them (OpenFn/kit packages/ws-worker/src/util/
// convert-lightning-plan.ts appendCollectionsAdaptor; server.ts sets the token and endpoint).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { InstalledAdaptor } from '../../src/openfn/adaptor.ts';
import { COLLECTIONS_ADAPTOR } from '../../src/openfn/bundle.ts';

/** Where a run's steps reach Lightning's collections API: the endpoint and the run's token. */
export interface CollectionsAccess {
  collections_endpoint: string;
  collections_token: string;
}

const collectionsPath = dirname(
  createRequire(import.meta.url).resolve(`${COLLECTIONS_ADAPTOR}/package.json`),
);
const collectionsVersion = (
  createRequire(import.meta.url)(`${COLLECTIONS_ADAPTOR}/package.json`) as { version: string }
).version;

export interface BodyStep {
  id: string;
  /** Module source as Lightning's compiler would hand it over. */
  expression: string;
  configuration: Record<string, unknown>;
}

export interface PlanRun {
  state?: Record<string, any>;
  error?: { name?: string; message?: string; severity?: string };
  events: Array<[string, string | null]>;
  /** Each step's output, as the worker saves it as a dataclip. */
  outputs?: Record<string, Record<string, any>>;
  jobLog: unknown[];
}

const runner = fileURLToPath(new URL('./run-plan.mjs', import.meta.url));

export async function runBodiesOnRuntime(
  steps: readonly BodyStep[],
  input: Record<string, unknown>,
  adaptor: InstalledAdaptor,
  timeoutMs = 60_000,
  collections?: CollectionsAccess,
): Promise<PlanRun> {
  const first = steps[0];
  const plan = {
    id: 'openfn-org-simulation',
    workflow: {
      name: 'Primero OSCaR sync',
      steps: [
        ...(first ? [{ id: 'cron', next: { [first.id]: true } }] : []),
        ...steps.map((step, index) => {
          const next = steps[index + 1];
          const usesCollections = /collections\./.test(step.expression);
          return {
            id: step.id,
            expression: step.expression,
            configuration: {
              ...(usesCollections && collections ? collections : {}),
              ...step.configuration,
            },
            adaptors: [
              adaptor.specifier,
              ...(usesCollections ? [`${COLLECTIONS_ADAPTOR}@${collectionsVersion}`] : []),
            ],
            ...(next ? { next: { [next.id]: { condition: 'on_job_success' } } } : {}),
          };
        }),
      ],
    },
    options: { start: 'cron', timeout: timeoutMs },
  };
  const dir = await mkdtemp(join(tmpdir(), 'openfn-plan-'));
  try {
    const request = join(dir, 'request.json');
    const result = join(dir, 'result.json');
    await writeFile(
      request,
      JSON.stringify({
        plan,
        input,
        adaptors: [
          { name: adaptor.name, path: adaptor.path },
          { name: COLLECTIONS_ADAPTOR, path: collectionsPath },
        ],
      }),
    );
    await promisify(execFile)(
      process.execPath,
      ['--experimental-vm-modules', '--no-warnings', runner, request, result],
      { timeout: timeoutMs + 10_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return JSON.parse(await readFile(result, 'utf8')) as PlanRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
