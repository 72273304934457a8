// The four real jobs as OpenFn.org runs them: built into bodies, run as one cron-triggered plan
// on @openfn/runtime with only @openfn/language-http and the collections adaptor linked, against the emulators on the demo seed and the Collections
// emulator. The outcome must equal the local workflow's, whatever input Lightning feeds a cron
// run, and no step output may hold child data.
// lightning-worker.test.ts runs the comparison with OpenFn's real compiler in a memory-capped
// worker thread, where that compiler is available.
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
import { runBodiesOnRuntime, type CollectionsAccess, type PlanRun } from './runtime-harness.ts';
import { sortedCarried, startCollections, storedCarried, storedItems } from './collections-api.ts';
import type { RunningEmulator } from '../../demo/common/harness.ts';

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

describe('on @openfn/runtime with the adaptors linked, against the emulators and Collections', () => {
  let local: Systems;
  let remote: Systems;
  let collections: { api: RunningEmulator; access: CollectionsAccess };
  beforeAll(async () => {
    [local, remote, collections] = await Promise.all([
      startSystems(),
      startSystems(),
      startCollections(),
    ]);
    // Four hourly runs within seconds: HTTP Basic (which every Primero reads) keeps the sign-ins
    // under Primero's 7-a-minute throttle on POST /api/v2/tokens.
    for (const systems of [local, remote])
      systems.systems.primero = { ...systems.systems.primero, basicAuth: true };
  });
  afterAll(async () => {
    await Promise.all([local?.close(), remote?.close(), collections?.api.close()]);
  });

  const runRemote = (input: Record<string, unknown>) =>
    runBodiesOnRuntime(stepsFor(remote.systems), input, build.adaptor, 60_000, collections.access);

  it('continues from the cursor in Collections whatever the cron run is fed, as the local workflow does', async () => {
    // The first run: the admin's custom input.
    const first = await runOnce(local, undefined, { since: START, settings: SETTINGS });
    const firstRemote: PlanRun = await runRemote({ since: START, settings: SETTINGS });
    expect(firstRemote.error).toBeUndefined();
    expect(firstRemote.state?.errors).toBeUndefined();
    expect(first.summary.ok).toBe(true);
    expect(normalise(firstRemote.state!.summary)).toEqual(normalise(first.summary));
    expect(normalise(storedCarried(collections.api))).toEqual(normalise(sortedCarried(first.next)));
    expect(normalise(remote.primero.state())).toEqual(normalise(first.primeroState));
    expect(normalise(remote.oscar.state())).toEqual(normalise(first.oscarState));
    // The final state is the summary: no cursor, ledger or child data lives in Lightning.
    expect(
      Object.keys(firstRemote.state!).filter((k) => k !== 'data' && k !== 'references'),
    ).toEqual(['summary']);

    // Later cron runs, fed what Lightning may feed them: the last final state (cron_cursor_job
    // on the last step), f1-j1's last output (a trigger migrated to the first job), nothing.
    const inputs: Array<[string, (previous: PlanRun) => Record<string, unknown>]> = [
      ['the last final state', (previous) => previous.state!],
      ["f1-j1's last output", (previous) => previous.outputs!['f1-j1']!],
      ['{}', () => ({})],
    ];
    let previous = firstRemote;
    let previousLocal = first;
    for (const [fed, inputOf] of inputs) {
      const next = await runOnce(local, previousLocal.next, { settings: SETTINGS });
      const nextRemote = await runRemote(inputOf(previous));
      expect(nextRemote.error, fed).toBeUndefined();
      expect(nextRemote.state?.errors, fed).toBeUndefined();
      // It starts where the previous run's cursors ended.
      expect(nextRemote.state!.summary.from, fed).toEqual(previous.state!.summary.to);
      expect(normalise(nextRemote.state!.summary), fed).toEqual(normalise(next.summary));
      expect(normalise(storedCarried(collections.api)), fed).toEqual(
        normalise(sortedCarried(next.next)),
      );
      expect(normalise(remote.primero.state()), fed).toEqual(normalise(next.primeroState));
      expect(normalise(remote.oscar.state()), fed).toEqual(normalise(next.oscarState));
      previous = nextRemote;
      previousLocal = next;
    }
    // Every run removed its hand-off of child data.
    expect(storedItems(collections.api).filter((item) => item.key.startsWith('handoff:'))).toEqual(
      [],
    );
  }, 240_000);

  it('refuses a first run without a cursor and says how to give one on OpenFn.org', async () => {
    const empty = await startCollections();
    try {
      const run = await runBodiesOnRuntime(
        stepsFor(remote.systems),
        {},
        build.adaptor,
        60_000,
        empty.access,
      );
      expect(run.state?.errors?.['f1-j1']?.message).toMatch(/custom input \{"since": /);
    } finally {
      await empty.api.close();
    }
  }, 60_000);
});

describe('a run that fails after f1-j2 on OpenFn.org', () => {
  it('keeps the sent ledger in Collections: the next run sends no referral twice', async () => {
    const systems = await startSystems();
    const store = await startCollections();
    try {
      const upserts = () =>
        systems.oscar.requestCounts()['POST /api/v1/organizations/clients/upsert'] ?? 0;
      // f2-j1's listing (since_date; f1-j2's own read of the listing has none) fails for good:
      // the run fails after f1-j2 wrote to OSCaR.
      systems.oscar.setFaults({
        rules: [
          { route: 'GET /api/v1/organizations/clients', withQuery: 'since_date', status: 500 },
        ],
      });
      const settings = { ...SETTINGS, http: { maxAttempts: 1, baseDelayMs: 1 } };
      const failed = await runBodiesOnRuntime(
        stepsFor(systems.systems),
        { since: START, settings },
        build.adaptor,
        60_000,
        store.access,
      );
      expect(Object.keys(failed.state?.errors ?? {})).toEqual(['f2-j1']);
      const sentByFailedRun = upserts();
      expect(sentByFailedRun).toBeGreaterThan(0);
      const ledger = storedItems(store.api).filter((item) => item.key.startsWith('carried:sent:'));
      expect(ledger.length).toBeGreaterThanOrEqual(sentByFailedRun);
      // No cursor moved: the window is run again (here by hand, as no cursor was ever stored).
      expect(storedItems(store.api).some((item) => item.key === 'carried:cursors')).toBe(false);

      systems.oscar.setFaults({});
      const again = await runBodiesOnRuntime(
        stepsFor(systems.systems),
        { since: START },
        build.adaptor,
        60_000,
        store.access,
      );
      expect(again.state?.errors).toBeUndefined();
      const referrals = again.state!.summary.kinds['f1-j2:referral'];
      // What OSCaR received in the failed run is not sent again; only what OSCaR refused then
      // (bad data, retried every run) is tried again.
      expect(referrals.written).toBe(0);
      expect(upserts() - sentByFailedRun).toBeLessThanOrEqual(referrals.failed);
    } finally {
      await Promise.all([systems.close(), store.api.close()]);
    }
  }, 120_000);
});

/** The demo seeds with every child name, phone, referee and note replaced by a unique sentinel. */
function sentinelSeeds(): { seeds: { primero: unknown; oscar: unknown }; sentinels: string[] } {
  const sentinels: string[] = [];
  const personal =
    /^(name_first|name_last|notes|given_name|family_name|local_given_name|local_family_name|first_name|last_name|name_of_referee|referral_phone)$/;
  const mark = (value: unknown, key = ''): unknown => {
    if (typeof value === 'string' && personal.test(key) && value !== '') {
      const sentinel = key.endsWith('phone')
        ? `0977${String(sentinels.length).padStart(6, '0')}`
        : `Zqx${sentinels.length}Sentinel`;
      sentinels.push(sentinel);
      return sentinel;
    }
    if (Array.isArray(value)) return value.map((item) => mark(item, key));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mark(v, k)]));
    return value;
  };
  const demo = demoSeeds();
  return { seeds: { primero: mark(demo.primero), oscar: mark(demo.oscar) }, sentinels };
}

describe('every step output on OpenFn.org', () => {
  it('holds no child name, birth date, phone or note: child data passes through Collections only', async () => {
    const { seeds, sentinels } = sentinelSeeds();
    const systems = await startSystems(seeds);
    const store = await startCollections();
    try {
      const runs = [
        await runBodiesOnRuntime(
          stepsFor(systems.systems),
          { since: START, settings: SETTINGS },
          build.adaptor,
          60_000,
          store.access,
        ),
      ];
      runs.push(
        await runBodiesOnRuntime(
          stepsFor(systems.systems),
          {},
          build.adaptor,
          60_000,
          store.access,
        ),
      );
      // Birth dates are kept as the demo has them; names, phones and notes are sentinels. Child
      // data may sit in an output as JSON inside a string (packed records): both forms count.
      const demoValues = [
        ...personalValues(demoSeeds().primero),
        ...personalValues(demoSeeds().oscar),
      ].filter((value) => !/^(agency-|primero|oscar)/i.test(value));
      const outputs = runs.flatMap((run, index) => {
        expect(run.state?.errors, `run ${index + 1}`).toBeUndefined();
        expect(Object.keys(run.outputs ?? {}).sort()).toEqual(['f1-j1', 'f1-j2', 'f2-j1', 'f2-j2']);
        return [
          ...Object.entries(run.outputs!).map(
            ([step, output]) => [`run ${index + 1} ${step}`, output] as const,
          ),
          [`run ${index + 1} final state`, run.state] as const,
        ];
      });
      for (const [where, output] of outputs) {
        const text = JSON.stringify(output);
        for (const sentinel of sentinels)
          expect(text.includes(sentinel), `${where}: ${sentinel}`).toBe(false);
        for (const value of demoValues) {
          const quoted = JSON.stringify(value);
          const found = text.includes(quoted) || text.includes(JSON.stringify(quoted).slice(1, -1));
          expect(found, `${where}: ${value}`).toBe(false);
        }
      }
      // The sentinels did travel: the sync wrote OSCaR children's names into Primero.
      const primero = JSON.stringify(systems.primero.state());
      expect(sentinels.some((sentinel) => primero.includes(sentinel))).toBe(true);
      // And nothing of them is left in the Collection once the runs ended.
      const stored = JSON.stringify(storedItems(store.api));
      expect(sentinels.filter((sentinel) => stored.includes(sentinel))).toEqual([]);
    } finally {
      await Promise.all([systems.close(), store.api.close()]);
    }
  }, 120_000);
});
