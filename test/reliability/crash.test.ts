// Guarantee 3: a process killed (SIGKILL) anywhere inside any step loses nothing and duplicates
// nothing. A child process runs the workflow against emulators this test owns; when their request
// counts show it reached a given point it is killed, then runs resume in this process until the
// systems are in sync, and both systems are compared with uninterrupted runs of the same seed.
// A referral upsert on the wire at the moment of the kill may or may not have reached OSCaR: it
// is dead-lettered (never re-sent blindly) and, after the operator's retry, the systems match.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { CarriedState } from '../../src/workflow/contract.ts';
import type { Systems } from '../e2e/helpers.ts';
import {
  FAST,
  digest,
  expectNoLeaks,
  reference,
  runUntilQuiet,
  runWith,
  seen,
  worldSystems,
} from './harness.ts';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
const UNCONFIRMED = /^OSCaR did not confirm the referral of case/;

let expected: Awaited<ReturnType<typeof reference>>;
const dirs: string[] = [];
beforeAll(async () => {
  expected = await reference();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  expectNoLeaks(seen);
});

interface KillPoint {
  name: string;
  system: 'primero' | 'oscar';
  route: string;
  /** Kill once this many requests of the route have arrived (the last one is still in flight). */
  count: number;
}

/** Points inside each of the four steps, in run order. */
const POINTS: KillPoint[] = [
  {
    name: 'f1-j1 fetching referrals',
    system: 'primero',
    route: 'GET /api/v2/cases/:id/referrals',
    count: 1,
  },
  {
    name: 'f1-j2 first upsert in flight',
    system: 'oscar',
    route: 'POST /api/v1/organizations/clients/upsert',
    count: 1,
  },
  {
    name: 'f1-j2 between upserts',
    system: 'oscar',
    route: 'POST /api/v1/organizations/clients/upsert',
    count: 3,
  },
  {
    name: 'f1-j2 sending links',
    system: 'oscar',
    route: 'PUT /api/v1/organizations/clients/update_links',
    count: 1,
  },
  {
    name: 'f2-j1 listing clients',
    system: 'oscar',
    route: 'GET /api/v1/organizations/clients',
    count: 1,
  },
  { name: 'f2-j2 creating cases', system: 'primero', route: 'POST /api/v2/cases', count: 1 },
  { name: 'f2-j2 updating cases', system: 'primero', route: 'PATCH /api/v2/cases/:id', count: 2 },
];

/** Runs the child against `systems` and SIGKILLs it when `point` is reached. */
async function runAndKill(
  systems: Systems,
  mode: 'json' | 'runner',
  where: string,
  point: KillPoint,
): Promise<void> {
  // Slow answers so the kill lands inside the step, not after it.
  systems.primero.setFaults({ latencyMs: 25 });
  systems.oscar.setFaults({ latencyMs: 25 });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, mode, where, systems.primero.url, systems.oscar.url],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const poll = setInterval(() => {
    if ((systems[point.system].requestCounts()[point.route] ?? 0) >= point.count)
      child.kill('SIGKILL');
  }, 1);
  const signal = await exited;
  clearInterval(poll);
  seen.push(output);
  if (signal !== 'SIGKILL') throw new Error(`the child finished before "${point.name}": ${output}`);
  systems.primero.setFaults({});
  systems.oscar.setFaults({});
  // Let requests that were in flight at the kill finish on the server side.
  await new Promise((resolve) => setTimeout(resolve, 60));
}

/**
 * The operator's part for unconfirmed referrals: check OSCaR; if the referral is missing, requeue
 * the dead letter (attempts reset, as `npx interop retry` does). "Missing" = OSCaR holds fewer
 * referrals of that case than after uninterrupted runs (a child's referrals go one at a time, so
 * at most one of a case is in doubt).
 */
function operatorRequeues(systems: Systems, state: CarriedState): CarriedState {
  const count = (lines: string[], primeroId: string) =>
    lines.filter((line) => line.includes(`"referral_of":"case:${primeroId}"`)).length;
  const actual = digest(systems).oscar;
  const missing = state.deadLetters.filter(
    (item) =>
      count(actual, item.ids.primero_id ?? '') < count(expected.oscar, item.ids.primero_id ?? ''),
  );
  return {
    ...state,
    deadLetters: state.deadLetters.filter((item) => !missing.includes(item)),
    retries: [...state.retries, ...missing.map((item) => ({ ...item, attempts: 0 }))],
  };
}

describe.concurrent(
  'SIGKILL inside each step (carried state persisted as the contract asks)',
  () => {
    it.each(POINTS)(
      '$name: the next runs leave both systems as an uninterrupted run',
      async (point) => {
        const systems = await worldSystems();
        const dir = mkdtempSync(join(tmpdir(), 'interop-crash-'));
        dirs.push(dir);
        const file = join(dir, 'state.json');
        try {
          await runAndKill(systems, 'json', file, point);
          const carried = existsSync(file)
            ? (JSON.parse(readFileSync(file, 'utf8')) as CarriedState)
            : undefined;
          seen.push(JSON.stringify(carried ?? {}));
          let runs = await runUntilQuiet(systems, carried);
          let last = runs.at(-1)!.next;
          // Only upserts on the wire at the kill (one per child at most) may be dead-lettered.
          for (const item of last.deadLetters) expect(item.reason).toMatch(UNCONFIRMED);
          expect(last.deadLetters.length).toBeLessThanOrEqual(2);
          if (last.deadLetters.length > 0) {
            runs = await runUntilQuiet(systems, operatorRequeues(systems, last));
            last = runs.at(-1)!.next;
          }
          expect(last.retries).toEqual([]);
          expect(digest(systems)).toEqual(expected);
        } finally {
          await systems.close();
        }
      },
    );
  },
);

describe('SIGKILL under the real runner (SQLite store, runOnce)', () => {
  // runOnce's run writes each sent-ledger record to the SQLite store as it changes, so a kill
  // loses none of it.
  it('after OSCaR confirmed an upsert: the next scheduled runs do not send it again', async () => {
    const systems = await worldSystems();
    const home = mkdtempSync(join(tmpdir(), 'interop-crash-runner-'));
    dirs.push(home);
    try {
      await runAndKill(systems, 'runner', home, {
        name: 'f1-j2 after two upserts were answered',
        system: 'oscar',
        route: 'POST /api/v1/organizations/clients/upsert',
        count: 3,
      });
      const store = openStore(home);
      try {
        expect(store.listRuns()[0]!.status).toBe('interrupted');
        const runner = createRunner({
          store,
          runWorkflow,
          systems: systems.systems,
          settings: FAST,
        });
        for (let n = 0; n < 4; n += 1) {
          const first = !store.lastCarriedState()?.cursors.primero;
          await runner.runOnce({
            trigger: 'schedule',
            ...(first ? { since: '2025-03-01T00:00:00Z' } : {}),
          });
        }
        const state = store.lastCarriedState()!;
        for (const item of state.deadLetters) expect(item.reason).toMatch(UNCONFIRMED);
        if (state.deadLetters.length > 0) {
          await runWith(systems, operatorRequeues(systems, state));
        }
        expect(digest(systems)).toEqual(expected);
      } finally {
        store.close();
      }
    } finally {
      await systems.close();
    }
  });
});
