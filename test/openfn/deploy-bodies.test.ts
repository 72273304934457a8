// The four real jobs as OpenFn.org runs them: built into bodies, run as one cron-triggered plan on
// @openfn/runtime with only @openfn/language-http linked, against the emulators on the demo seed.
// The outcome must equal the local workflow's. lightning-worker.test.ts runs the same comparison
// with OpenFn's real compiler in a memory-capped worker thread, where that compiler is available.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as adaptorExports from '@openfn/language-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenfn, OPENFN_JOBS, type BuildOpenfnResult } from '../../src/openfn/index.ts';
import {
  DEMO_CREDENTIALS,
  demoSeeds,
  runOnce,
  startSystems,
  type Systems,
} from '../e2e/helpers.ts';
import { normalise } from './normalise.ts';
import { sandboxGlobalProblems } from './sandbox-globals.ts';
import { runBodiesOnRuntime, type PlanRun } from './runtime-harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ADAPTOR_EXPORTS = Object.keys(adaptorExports);
const START = '2000-01-01T00:00:00.000Z';
// One request at a time, so both runs create records in the same order.
const SETTINGS = { concurrency: 1 };

let outDir: string;
let build: BuildOpenfnResult;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'openfn-deploy-'));
  build = await buildOpenfn({ root, outDir, credentialOwner: 'ops@example.org', commit: 'c0ffee' });
}, 60_000);
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function stepsFor(systems: Systems['systems']) {
  return build.bodies.map((body) => {
    const job = OPENFN_JOBS.find((j) => j.step === body.step)!;
    return {
      id: body.step,
      expression: body.text,
      configuration: { ...systems[job.credential] },
    };
  });
}

/** Every string a seed holds under a personal field: none may reach a body. */
function personalValues(seed: unknown, out = new Set<string>()): Set<string> {
  // Child data only: user and organisation names are mapping data the bodies must carry.
  const personal =
    /^(name_|given_name|family_name|local_given_name|local_family_name)|birth|phone|notes?$/i;
  const walk = (value: unknown, key = '') => {
    if (typeof value === 'string' && personal.test(key) && value.length >= 4) out.add(value);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(seed);
  return out;
}

describe('the four bodies', () => {
  it('use no global that OpenFn’s job sandbox lacks', () => {
    expect(build.bodies.map((b) => b.step)).toEqual(['f1-j1', 'f1-j2', 'f2-j1', 'f2-j2']);
    for (const body of build.bodies) {
      expect(sandboxGlobalProblems(body.text, ADAPTOR_EXPORTS), body.step).toEqual([]);
    }
  });

  it('contain no credential, no child data and no path of the build machine', () => {
    const secrets = [
      DEMO_CREDENTIALS.primero.password,
      DEMO_CREDENTIALS.oscar.password,
      DEMO_CREDENTIALS.oscar.email,
    ];
    const seeds = demoSeeds();
    const personal = [...personalValues(seeds.primero), ...personalValues(seeds.oscar)].filter(
      (value) => !/^(agency-|primero|oscar)/i.test(value),
    );
    for (const body of build.bodies) {
      for (const secret of secrets) expect(body.text, body.step).not.toContain(secret);
      // As string literals: a short surname may well occur inside an identifier of a package.
      for (const value of personal) {
        const literals = [JSON.stringify(value), `'${value}'`];
        expect(
          literals.some((l) => body.text.includes(l)),
          `${body.step}: ${value}`,
        ).toBe(false);
      }
      for (const path of [root, root.replace(/\/$/, ''), tmpdir()]) {
        expect(body.text).not.toContain(path);
      }
    }
  });
});

describe('on @openfn/runtime with only the adaptor linked, against the emulators', () => {
  let local: Systems;
  let remote: Systems;
  beforeAll(async () => {
    [local, remote] = await Promise.all([startSystems(), startSystems()]);
  });
  afterAll(async () => {
    await Promise.all([local?.close(), remote?.close()]);
  });

  it('leaves both systems and the summary exactly as the local workflow does, run after run', async () => {
    const first = await runOnce(local, undefined, { since: START, settings: SETTINGS });
    const firstRemote: PlanRun = await runBodiesOnRuntime(
      stepsFor(remote.systems),
      { since: START, settings: SETTINGS },
      build.adaptor,
    );
    expect(firstRemote.error).toBeUndefined();
    expect(firstRemote.state?.errors).toBeUndefined();
    expect(first.summary.ok).toBe(true);
    expect(normalise(firstRemote.state!.summary)).toEqual(normalise(first.summary));
    expect(normalise(firstRemote.state!.carried)).toEqual(normalise(first.next));
    expect(normalise(remote.primero.state())).toEqual(normalise(first.primeroState));
    expect(normalise(remote.oscar.state())).toEqual(normalise(first.oscarState));

    // The next cron run starts from this run's final state, as Lightning does.
    const second = await runOnce(local, first.next, { settings: SETTINGS });
    const secondRemote = await runBodiesOnRuntime(
      stepsFor(remote.systems),
      firstRemote.state!,
      build.adaptor,
    );
    expect(secondRemote.error).toBeUndefined();
    expect(normalise(secondRemote.state!.summary)).toEqual(normalise(second.summary));
    expect(normalise(remote.primero.state())).toEqual(normalise(second.primeroState));
    expect(normalise(remote.oscar.state())).toEqual(normalise(second.oscarState));
    // Only cursors, retries and the summary stay in Lightning: no child data.
    expect(Object.keys(secondRemote.state!).sort()).toEqual(
      expect.arrayContaining(['carried', 'summary']),
    );
    expect(secondRemote.state).not.toHaveProperty('fromOscar');
    expect(secondRemote.state).not.toHaveProperty('toOscar');
  }, 120_000);

  it('refuses a first run without a cursor and says how to give one on OpenFn.org', async () => {
    const run = await runBodiesOnRuntime(stepsFor(remote.systems), {}, build.adaptor);
    expect(run.state?.errors?.['f1-j1']?.message).toMatch(/custom input \{"since": /);
  }, 60_000);
});
