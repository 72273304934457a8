// An administrator's slip in a shipped table (src/mapping/*.json), in a copy of the checkout so the
// real files are never touched: check-mappings lists every problem with file and line, status and
// history keep working and say the tables need attention, run refuses with the same list.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
let clone: string;
let agenciesLine: number;
let provinceLine: number;

// Environment without inherited settings: systems that cannot answer (a refused run never calls them).
function interop(args: string[]) {
  return spawnSync(process.execPath, [join(clone, 'bin/interop.js'), ...args], {
    cwd: clone,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: clone,
      INTEROP_HOME: join(clone, '.interop'),
      PRIMERO_URL: 'http://127.0.0.1:9',
      PRIMERO_USERNAME: 'primero-api',
      PRIMERO_PASSWORD: 'not-used-here',
      OSCAR_URL: 'http://127.0.0.1:9',
      OSCAR_EMAIL: 'api@oscar.example.org',
      OSCAR_PASSWORD: 'not-used-here',
    },
  });
}

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'interop-clone-'));
  // dist: the compiled CLI `bin/interop.js` runs; copied with its sources' times, so it is current.
  for (const part of ['bin', 'dist', 'src', 'jobs', 'demo', 'package.json', 'tsconfig.json'])
    cpSync(join(ROOT, part), join(clone, part), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  const mapping = join(clone, 'src/mapping');
  // A trailing comma after the last organisation: the commonest hand-editing slip.
  const agencies = readFileSync(join(mapping, 'agencies.json'), 'utf8')
    .trimEnd()
    .replace(/"\n\]$/, '",\n  "newngo",\n]');
  agenciesLine = agencies.split('\n').length; // the closing "]" right after the comma
  writeFileSync(join(mapping, 'agencies.json'), `${agencies}\n`);
  // A province code without its leading zero.
  const provinces = readFileSync(join(mapping, 'provinces.json'), 'utf8');
  provinceLine = provinces.split('\n').findIndex((line) => line.includes('"code": "07"')) + 1;
  writeFileSync(join(mapping, 'provinces.json'), provinces.replace('"code": "07"', '"code": "7"'));
});
afterAll(() => rmSync(clone, { recursive: true, force: true }));

describe('a shipped table with a JSON error and a bad code', () => {
  it('check-mappings lists both, with file and line and the fix, and exits 1', () => {
    const run = interop(['check-mappings']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      `[src/mapping/provinces.json:${provinceLine}] entry 7 ("7"), field "code": must be the 2-digit province code, e.g. "07"`,
    );
    expect(run.stdout).toContain(
      `[src/mapping/agencies.json:${agenciesLine}:1] not valid JSON: a value is missing here; JSON allows no comma after the last entry`,
    );
    expect(run.stdout).toContain('FAILED: 2 finding(s) need attention');
  });

  it('status and history keep working and say the tables need attention', () => {
    const status = interop(['status', '--json']);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stderr).toContain('Note: the mapping tables need attention (2 problem(s))');
    expect(JSON.parse(status.stdout).runs).toEqual([]);
    const history = interop(['history']);
    expect(history.status, history.stderr).toBe(0);
    expect(history.stderr).toContain('Note: the mapping tables need attention (2 problem(s))');
  }, 60_000);

  it('run refuses with the same list (exit 2) and records the refusal only', () => {
    const run = interop(['run', '--since', '2025-01-01']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'The mapping tables need attention (2 problem(s)); nothing was run:',
    );
    expect(run.stderr).toContain(`[src/mapping/provinces.json:${provinceLine}] entry 7 ("7")`);
    expect(run.stderr).toContain(`[src/mapping/agencies.json:${agenciesLine}:1] not valid JSON`);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+|esbuild|Transform failed/);
    // The refusal is in the history (an admin sees why nothing moved); no run was made.
    const runs = JSON.parse(interop(['history', '--json']).stdout) as Array<{ status: string }>;
    expect(runs.map((run) => run.status)).toEqual(['refused']);
  }, 60_000);
});
