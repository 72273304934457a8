// The four bodies as OpenFn.org really runs them: OpenFn's real compiler (@openfn/compiler, from
// ../shared/openfn-kit; see openfn-kit.ts) compiles them inside a worker thread capped at the run
// memory limit, as engine-multi does, and @openfn/runtime runs the plan there against the
// emulators. A first run started by hand with {"since": ...}, then hourly runs: each must leave
// both systems and the summary exactly as the local workflow does on the same seed. The bodies
// must also be small and cheap to compile (docs/deploy.md "Compile-safe, small bodies").
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstalledAdaptor } from '../../src/openfn/adaptor.ts';
import { buildOpenfn, OPENFN_JOBS, type BuildOpenfnResult } from '../../src/openfn/index.ts';
import { runOnce, startSystems, type Systems } from '../e2e/helpers.ts';
import {
  COLLECTIONS_ADAPTOR,
  RUN_MEMORY_LIMIT_MB,
  runOnLightningWorker,
  toExecutionPlan,
  type LightningJob,
  type LightningWorkerOptions,
  type WorkerRun,
} from './lightning-worker.ts';
import { normalise } from './normalise.ts';
import { sortedCarried, startCollections, storedCarried } from './collections-api.ts';
import type { CollectionsAccess } from './runtime-harness.ts';
import { installOpenfnKit, KIT_REQUIRED, openfnKitMissing, type OpenfnKit } from './openfn-kit.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const START = '2000-01-01T00:00:00.000Z';
// One request at a time, so both runs create records in the same order.
const SETTINGS = { concurrency: 1 };
/** A body Lightning's editor and compiler handle comfortably; each was about 820 KiB. */
const MAX_BODY_KIB = 200;
/** Heap the compile of all four may leave in the capped thread (it left about 270 MB). */
const MAX_HEAP_AFTER_COMPILE_MB = 150;
// Compiling and running in a capped thread on a busy machine: generous, never a timing check.
const RUN_TIMEOUT_MS = 15 * 60_000;

/**
 * What an hourly run is fed, and how it is made from the first run (started by hand with
 * {"since": ...}). Each row runs against its own pair of systems and must end as the local
 * workflow's second run does.
 */
const HOURLY_INPUTS: ReadonlyArray<{ name: string; input: (first: WorkerRun) => object }> = [
  { name: "the first run's final state", input: (first) => first.state! },
  // Lightning's scheduler feeds a cron run the last output of the job its trigger points at.
  { name: "f1-j1's last output", input: (first) => first.outputs['f1-j1']! },
  { name: 'an empty input', input: () => ({}) },
];

/**
 * Adaptors the worker has installed besides the jobs' own: Lightning adds
 * @openfn/language-collections to a step whose body mentions `collections.` (every body does).
 */
const collectionsRoot = dirname(
  createRequire(import.meta.url).resolve(`${COLLECTIONS_ADAPTOR}/package.json`),
);
const collectionsVersion = (
  JSON.parse(readFileSync(join(collectionsRoot, 'package.json'), 'utf8')) as { version: string }
).version;
const extraAdaptors: InstalledAdaptor[] = [
  {
    name: COLLECTIONS_ADAPTOR,
    version: collectionsVersion,
    specifier: `${COLLECTIONS_ADAPTOR}@${collectionsVersion}`,
    path: collectionsRoot,
  },
];

let outDir: string;
let build: BuildOpenfnResult;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'openfn-worker-build-'));
  build = await buildOpenfn({ root, outDir, credentialOwner: 'ops@example.org', commit: 'c0ffee' });
}, 60_000);
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

// Needs no compiler: checked wherever the tests run.
it(`builds each body in at most ${MAX_BODY_KIB} KiB`, () => {
  expect(build.bodies.map((b) => b.step)).toEqual(['f1-j1', 'f1-j2', 'f2-j1', 'f2-j2']);
  for (const body of build.bodies) {
    expect(Buffer.byteLength(body.text) / 1024, body.step).toBeLessThanOrEqual(MAX_BODY_KIB);
  }
});

describe('the plan the worker makes of a run (convert-lightning-plan.ts)', () => {
  const adaptor = (name: string, version: string): InstalledAdaptor => ({
    name,
    version,
    specifier: `${name}@${version}`,
    path: '/unused',
  });
  const http = adaptor('@openfn/language-http', '7.2.10');
  const collections = adaptor(COLLECTIONS_ADAPTOR, '0.8.0');
  const job = (id: string, body: string): LightningJob => ({
    id,
    name: id,
    body,
    adaptor: 'http@1',
    credential: { url: 'http://127.0.0.1' },
  });
  const credentials = { collections_token: 't', collections_endpoint: 'http://127.0.0.1/c' };

  it('adds the Collections adaptor, and its credentials, only to a step that uses collections.', () => {
    const plan = toExecutionPlan(
      [job('a', 'export default [fn((s) => s)];'), job('b', 'collections.get("cursors", "x");')],
      { adaptors: [http, collections], workflowCredentials: credentials },
    );
    expect(plan.workflow.steps).toEqual([
      { id: 'cron', next: { a: true } },
      expect.objectContaining({
        id: 'a',
        adaptors: ['http@1'],
        next: { b: { condition: 'on_job_success' } },
      }),
      expect.objectContaining({ id: 'b', adaptors: ['http@1', `${COLLECTIONS_ADAPTOR}@0.8.0`] }),
    ]);
    expect(plan.workflow.credentials).toEqual(credentials);
  });

  it('gives no workflow credentials to a run without Collections', () => {
    const plan = toExecutionPlan([job('a', 'export default [];')], {
      adaptors: [http],
      workflowCredentials: credentials,
    });
    expect(plan.workflow).not.toHaveProperty('credentials');
  });
});

const missing = openfnKitMissing();

if (missing) {
  describe('OpenFn’s real compiler', () => {
    it('is available (REQUIRE_OPENFN_KIT=1 makes its absence a failure)', (context) => {
      if (KIT_REQUIRED)
        throw new Error(`${missing}. REQUIRE_OPENFN_KIT=1: this test may not skip.`);
      context.skip(missing);
    });
  });
}

describe.skipIf(missing !== undefined)(
  'the four bodies on OpenFn.org’s worker, compiled by OpenFn’s real compiler',
  () => {
    let kit: OpenfnKit;
    beforeAll(async () => {
      kit = await installOpenfnKit();
    }, RUN_TIMEOUT_MS);

    const jobsFor = (systems: Systems): LightningJob[] =>
      build.bodies.map((body) => {
        const job = OPENFN_JOBS.find((j) => j.step === body.step)!;
        return {
          id: body.step,
          name: job.name,
          body: body.text,
          adaptor: build.adaptor.specifier,
          credential: { ...systems.systems[job.credential] },
        };
      });
    // ws-worker puts {collections_token, collections_endpoint} in plan.workflow.credentials for a
    // run that uses Collections (server.ts); the runtime adds it to every step's configuration.
    const workerOptions = (access: CollectionsAccess): LightningWorkerOptions => ({
      compilerUrl: kit.compilerUrl,
      adaptors: [build.adaptor, ...extraAdaptors],
      workflowCredentials: { ...access },
    });

    for (const hourly of HOURLY_INPUTS) {
      it(
        `compiles all four in a ${RUN_MEMORY_LIMIT_MB} MB thread without changing them, and runs ` +
          `the first run and an hourly run fed ${hourly.name} as the local workflow does`,
        async () => {
          const [local, remote, collections] = await Promise.all([
            startSystems(),
            startSystems(),
            startCollections(),
          ]);
          try {
            const first = await runOnce(local, undefined, { since: START, settings: SETTINGS });
            expect(first.summary.ok).toBe(true);
            const firstRemote = await runOnLightningWorker(
              jobsFor(remote),
              { since: START, settings: SETTINGS },
              workerOptions(collections.access),
            );
            expectCompiledUnchanged(firstRemote);
            expectRunOk(firstRemote);
            expect(normalise(firstRemote.state!.summary)).toEqual(normalise(first.summary));
            expect(normalise(storedCarried(collections.api))).toEqual(
              normalise(sortedCarried(first.next)),
            );
            expect(normalise(remote.primero.state())).toEqual(normalise(first.primeroState));
            expect(normalise(remote.oscar.state())).toEqual(normalise(first.oscarState));

            const second = await runOnce(local, first.next, { settings: SETTINGS });
            const secondRemote = await runOnLightningWorker(
              jobsFor(remote),
              { ...hourly.input(firstRemote) },
              workerOptions(collections.access),
            );
            expectRunOk(secondRemote);
            expect(normalise(secondRemote.state!.summary)).toEqual(normalise(second.summary));
            expect(normalise(storedCarried(collections.api))).toEqual(
              normalise(sortedCarried(second.next)),
            );
            expect(normalise(remote.primero.state())).toEqual(normalise(second.primeroState));
            expect(normalise(remote.oscar.state())).toEqual(normalise(second.oscarState));
          } finally {
            await Promise.all([local.close(), remote.close(), collections.api.close()]);
          }
        },
        RUN_TIMEOUT_MS,
      );
    }
  },
);

/**
 * The compiler ran every transform (lazy-state, promises, ensure-exports, top-level-operations,
 * add-imports with exportAll) and none changed a body: the program it hands the runtime is the
 * body's own, comments and parentheses aside. And the capped thread's heap stayed small: in use
 * right after the four compiles (garbage included) and what a full collection keeps.
 */
function expectCompiledUnchanged(run: WorkerRun): void {
  expect(run.compileError, 'OpenFn’s compiler refused a body').toBeUndefined();
  expect(run.heap.limitMb).toBeLessThanOrEqual(RUN_MEMORY_LIMIT_MB * 1.2);
  expect(run.heap.usedMb, 'heap in use after compiling').toBeLessThan(MAX_HEAP_AFTER_COMPILE_MB);
  expect(run.heap.retainedMb ?? 0, 'heap kept after compiling').toBeLessThan(
    MAX_HEAP_AFTER_COMPILE_MB,
  );
  for (const body of build.bodies) {
    const compiled = run.compiled[body.step];
    expect(compiled, `${body.step} was not compiled`).toBeDefined();
    expect(programOf(compiled!) === programOf(body.text), `${body.step} changed in compile`).toBe(
      true,
    );
  }
}

function expectRunOk(run: WorkerRun): void {
  expect(run.compileError, 'OpenFn’s compiler refused a body').toBeUndefined();
  expect(run.error, 'the run failed').toBeUndefined();
  expect(run.state?.errors, 'a step failed').toBeUndefined();
  const steps = ['f1-j1', 'f1-j2', 'f2-j1', 'f2-j2'];
  expect(run.events.filter(([e]) => e === 'job-complete').map(([, id]) => id)).toEqual(steps);
  // Each step's output is there for a later run to be fed (HOURLY_INPUTS).
  expect(Object.keys(run.outputs)).toEqual(steps);
}

/** The program's syntax tree as text, without source positions. */
function programOf(source: string): string {
  const tree = parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  return JSON.stringify(tree, (key, value) =>
    key === 'start' || key === 'end' || key === 'raw' ? undefined : value,
  );
}
