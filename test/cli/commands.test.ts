// The runner's commands as a user runs them: against both emulators over HTTP, with the real sync.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOscarEmulator } from '../../demo/oscar/index.ts';
import { startPrimeroEmulator } from '../../demo/primero/index.ts';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { HEAP_BUDGET_MB } from '../../bin/node-flags.js';
import { commands } from '../../src/cli/commands/index.ts';
import { DEMO_SEED_START } from '../../demo/index.ts';
import { DEMO_CREDENTIALS, demoSeeds } from '../e2e/helpers.ts';
import { interop } from './interop-cli.ts';
import type { CliResult } from './interop-cli.ts';

const PERSON_NAME_KEY = /^(name_\w+|(local_)?(given|family)_name)$/;
const PHONE_KEY = /(phone|mobile)/;
const DISTINCTIVE_BIRTH_DATE = '2013-07-29';
const DISTINCTIVE_PHONE = '0977453186';

/** Replaces every child name, birth date and phone in the seeds by distinctive invented values. */
function withDistinctivePersonalData(seed: unknown, planted: Set<string>): unknown {
  let counter = 0;
  const visit = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((entry) => visit(entry, key));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([childKey, child]) => [childKey, visit(child, childKey)]),
      );
    }
    if (typeof value !== 'string' || value === '') return value;
    if (PERSON_NAME_KEY.test(key)) {
      const name = `Qzorvath${String.fromCharCode(97 + (counter++ % 26))}${counter}`;
      planted.add(name);
      return name;
    }
    if (key === 'date_of_birth') return DISTINCTIVE_BIRTH_DATE;
    if (PHONE_KEY.test(key)) return DISTINCTIVE_PHONE;
    return value;
  };
  return visit(seed, '');
}

let home: string;
let primero: RunningEmulator;
let oscar: RunningEmulator;
let env: Record<string, string>;
const outputs: CliResult[] = [];
const planted = new Set<string>([DISTINCTIVE_BIRTH_DATE, DISTINCTIVE_PHONE]);

async function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const result = await interop(args, { cwd: home, env: { ...env, ...extraEnv } });
  outputs.push(result);
  return result;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'interop-cli-'));
  const seeds = demoSeeds();
  primero = await startPrimeroEmulator({
    seed: withDistinctivePersonalData(seeds.primero, planted),
  });
  oscar = await startOscarEmulator({ seed: withDistinctivePersonalData(seeds.oscar, planted) });
  env = {
    INTEROP_HOME: join(home, '.interop'),
    PRIMERO_URL: primero.url,
    PRIMERO_USERNAME: DEMO_CREDENTIALS.primero.username,
    PRIMERO_PASSWORD: DEMO_CREDENTIALS.primero.password,
    OSCAR_URL: oscar.url,
    OSCAR_EMAIL: DEMO_CREDENTIALS.oscar.email,
    OSCAR_PASSWORD: DEMO_CREDENTIALS.oscar.password,
  };
});

afterAll(async () => {
  await Promise.all([primero?.close(), oscar?.close()]);
  rmSync(home, { recursive: true, force: true });
});

describe('every runner command has --help', () => {
  it.each(['run', 'schedule', 'status', 'history', 'logs', 'retry', 'check', 'start'])(
    '%s --help',
    async (name) => {
      const program = new Command('interop');
      for (const entry of commands) (await entry.load()).register(program);
      const command = program.commands.find((candidate) => candidate.name() === name);
      expect(command, `command ${name} is registered`).toBeDefined();
      expect(command!.helpInformation()).toMatch(new RegExp(`Usage: interop ${name}`));
      expect(command!.description().length).toBeGreaterThan(20);
    },
  );
});

describe('npx interop run / status / history / logs against the systems', () => {
  it('refuses the first run without --since, then backfills, then carries the cursor', async () => {
    // Nothing attempted: a refusal (exit 2, the reason on stderr), stored as refused, not failed.
    const first = await cli(['run']);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/--since/);

    const backfill = await cli(['run', '--since', DEMO_SEED_START, '--json']);
    expect(backfill.code, backfill.stderr).toBe(0);
    const summary = JSON.parse(backfill.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.from.primero).toBe(new Date(DEMO_SEED_START).toISOString());

    const next = await cli(['run', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).from).toEqual(summary.to);

    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    const view = JSON.parse(status.stdout);
    expect(view.cursors.primero).toBe(JSON.parse(next.stdout).to.primero);
    // The demo seed holds children that fail on purpose: a finished run is green or amber.
    expect(view.runs.map((run: { status: string }) => run.status.split('-')[0])).toEqual([
      'succeeded',
      'succeeded',
      'refused',
    ]);
    expect(view.verdict.text).toMatch(/^(healthy|attention): /);

    const history = await cli(['history', '--limit', '2']);
    expect(history.stdout.trim().split('\n')).toHaveLength(2);
    expect(history.stderr).toContain('Page 1 of 2, 3 matching run(s); older runs: --page 2');
    // Filters and pages, as on the console's /runs page.
    const refusedOnly = await cli(['history', '--status', 'refused']);
    expect(refusedOnly.stdout.trim().split('\n')).toEqual([expect.stringContaining('refused')]);
    const secondPage = await cli(['history', '--limit', '2', '--page', '2']);
    expect(secondPage.stdout.trim().split('\n')).toEqual([expect.stringContaining('refused')]);
    const bad = await cli(['history', '--status', 'green']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /--status must be one of succeeded, succeeded-with-failures, failed/,
    );
    const logs = await cli(['logs', summary.runId]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/f1-j1/);
    // Eleven whole processes in a row: a budget for a loaded machine, not a timing assertion.
  }, 180_000);

  it('--dry-run prints what it would write and moves nothing', async () => {
    const before = await cli(['status', '--json']);
    const dry = await cli(['run', '--dry-run', '--since', DEMO_SEED_START]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/dry run: nothing written/);
    expect(dry.stdout).toMatch(/would write: \d+/);
    // Progress on stderr, one line per step with that step's own items.
    expect(dry.stderr).toMatch(/^f1-j1 get Primero cases: done, \d+ item\(s\)/m);
    expect(dry.stderr).toMatch(/^f2-j2 upsert cases to Primero: done, \d+ item\(s\)/m);
    const after = await cli(['status', '--json']);
    expect(JSON.parse(after.stdout).cursors).toEqual(JSON.parse(before.stdout).cursors);
  });

  it('check signs in to both systems, and names what to fix when one refuses', async () => {
    const good = await cli(['check']);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/ok {3}Primero/);
    expect(good.stdout).toMatch(/ok {3}OSCaR/);
    // The CLI process itself runs under the heap budget (bin/node-flags.js), not Node's default.
    const heapLimit = Number(/heap limit (\d+) MB/.exec(good.stdout)?.[1]);
    expect(heapLimit).toBeGreaterThanOrEqual(HEAP_BUDGET_MB);
    expect(heapLimit).toBeLessThan(HEAP_BUDGET_MB + 128);
    const wrong = await cli(['check'], { OSCAR_PASSWORD: 'Wrong-Password-5521' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAIL OSCaR: .*check OSCAR_EMAIL and OSCAR_PASSWORD/);
    expect(wrong.stdout + wrong.stderr).not.toContain('Wrong-Password-5521');
  });

  it('names the missing or bad variable, never a password', async () => {
    const partial = await cli(['run'], { OSCAR_URL: 'not a url', PRIMERO_PASSWORD: '' });
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/OSCAR_URL must be an http\(s\) URL/);
    expect(partial.stderr).toMatch(/PRIMERO_PASSWORD/);
    expect(partial.stderr).not.toContain(DEMO_CREDENTIALS.oscar.password);
  });

  it('no log line, stored row or output holds a child name, birth date, phone, password or token', () => {
    const storeDir = env.INTEROP_HOME!;
    const stored = readdirSync(storeDir)
      .map((file) => readFileSync(join(storeDir, file)).toString('latin1'))
      .join('\n');
    const printed = outputs.map((result) => result.stdout + result.stderr).join('\n');
    expect(stored).toMatch(/f1-j1/); // the search below reads real content
    const secrets = [DEMO_CREDENTIALS.primero.password, DEMO_CREDENTIALS.oscar.password];
    for (const value of [...planted, ...secrets]) {
      expect(stored, `store holds ${value}`).not.toContain(value);
      expect(printed, `output holds ${value}`).not.toContain(value);
    }
    expect(`${stored}\n${printed}`).not.toMatch(/Bearer [A-Za-z0-9._-]{10,}/);
    expect(`${stored}\n${printed}`).not.toMatch(/access-token["':= ]+[A-Za-z0-9_-]{10,}/i);
  });
});

describe('npm start', () => {
  it('with no systems configured runs the demo on the emulators and exits 0', async () => {
    const result = await interop(['start'], {
      cwd: home,
      env: { INTEROP_HOME: join(home, 'start-home') },
    });
    outputs.push(result);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/bundled emulators/);
    expect(result.stdout).toMatch(/succeeded/);
    // Something moved in each direction, per kind of item.
    for (const kind of [
      /Primero -> OSCaR referrals +written [1-9]/,
      /Primero -> OSCaR decisions +written [1-9]/,
      /Primero -> OSCaR links \(case ids\) +written [1-9]/,
      /OSCaR -> Primero cases \(services, decisions\) *written [1-9]/,
    ]) {
      expect(result.stdout).toMatch(kind);
    }
    expect(result.stdout).toContain(join(home, 'start-home', 'demo'));
  });
});
