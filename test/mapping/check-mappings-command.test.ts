import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MappingReport } from '../../src/mapping/index.ts';
import { writeEditedTables } from './edited-tables.ts';

const root = join(import.meta.dirname, '..', '..');
const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function interop(args: string[], env: Record<string, string> = {}) {
  const { INTEROP_MAPPING_DIR: _ignored, ...inherited } = process.env;
  return spawnSync(process.execPath, [join(root, 'bin/interop.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...inherited, ...env },
  });
}

describe('npx interop check-mappings', () => {
  it('exits 0 on the shipped tables, listing the two ambiguous names as resolved by rule', () => {
    const run = interop(['check-mappings']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    // No row count: adding a routine row to a table must not need a test edit.
    expect(run.stdout).toMatch(/src\/mapping\/services.json: \d+ rows/);
    expect(run.stdout).toContain('Ambiguous, resolved by rule (2):');
    expect(run.stdout).toContain('OSCaR "Therapeutic interventions" maps to 2 Primero subtypes');
    expect(run.stdout).toContain('OSCaR "Therapeutic training" maps to 2 Primero subtypes');
  });

  it('exits 1 on a --dir table that needs attention, naming the problems', () => {
    const dir = writeEditedTables((t) => {
      t.provinces = t.provinces.filter((row) => row.code !== '19');
      for (const row of t.services) delete row.preferredForOscar;
    });
    temporary.push(dir);
    const run = interop(['check-mappings', '--dir', dir]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("Needs an administrator's attention (3):");
    expect(run.stdout).toContain('province 19 has no row');
    expect(run.stdout).toMatch(
      /"Therapeutic training" maps to 2 Primero subtypes .* none is marked/,
    );
    expect(run.stdout).toContain('FAILED: 3 finding(s) need attention');
  });

  it('reads INTEROP_MAPPING_DIR and lists an entry that does not load with its line, naming the organisation', () => {
    const dir = writeEditedTables((t) => {
      t.agencies.push('agency-newngo');
    });
    temporary.push(dir);
    const run = interop(['check-mappings', '--json'], { INTEROP_MAPPING_DIR: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as MappingReport;
    const agencies = readFileSync(join(dir, 'agencies.json'), 'utf8').split('\n');
    expect(report.loaded).toEqual({ services: true, provinces: true, agencies: false });
    expect(report.findings.filter((f) => f.severity === 'needs-attention')).toEqual([
      expect.objectContaining({
        table: 'agencies',
        kind: 'invalid-entry',
        line: agencies.indexOf('  "agency-newngo"') + 1,
        message: expect.stringMatching(
          /^entry \d+: "agency-newngo" is a Primero agency: list the OSCaR organisation "newngo" instead$/,
        ),
      }),
    ]);
  });
});
