import { describe, expect, it } from 'vitest';
import {
  checkMappings,
  formatMappingReport,
  shippedTables,
  type MappingReport,
} from '../../src/mapping/index.ts';
import { editedTables, type EditableTables } from './edited-tables.ts';

const FILES = {
  services: 't/services.json',
  provinces: 't/provinces.json',
  agencies: 't/agencies.json',
};

function check(edit: (tables: EditableTables) => void): MappingReport {
  return checkMappings({ ...editedTables(edit), files: FILES });
}

const attention = (report: MappingReport) =>
  report.findings.filter((f) => f.severity === 'needs-attention');

describe('check-mappings on the shipped tables', () => {
  const report = checkMappings(shippedTables);

  it('is clean: nothing needs attention', () => {
    expect(attention(report)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('reports the two ambiguous service names as resolved by rule', () => {
    const resolved = report.findings.filter((f) => f.severity === 'resolved-by-rule');
    expect(resolved).toHaveLength(2);
    expect(resolved.map((f) => f.kind)).toEqual(['ambiguous-name', 'ambiguous-name']);
    expect(resolved[0]?.message).toMatch(
      /^OSCaR "Therapeutic interventions" maps to 2 Primero subtypes .* uses mental_health_support_therapeutic_interventions/,
    );
    expect(resolved[1]?.message).toMatch(
      /^OSCaR "Therapeutic training" maps to 2 Primero subtypes .* uses mental_health_support_therapeutic_training/,
    );
  });

  it('counts the tables', () => {
    expect(report.counts).toEqual({
      serviceRows: 50,
      oscarNames: 48,
      primeroSubtypes: 50,
      provinces: 25,
      agencies: 24,
    });
  });

  it('prints an OK report listing the resolved ambiguities', () => {
    const text = formatMappingReport(report);
    expect(text).toContain("Needs an administrator's attention (0):\n  none");
    expect(text).toContain('Ambiguous, resolved by rule (2):');
    expect(text).toContain('"Therapeutic interventions"');
    expect(text).toContain('"Therapeutic training"');
    expect(text).toMatch(/OK: .*every ambiguity is resolved by a declared rule/);
  });
});

describe('check-mappings finds what needs an administrator', () => {
  it('an ambiguity without a declared rule', () => {
    const report = check((t) => {
      for (const row of t.services) delete row.preferredForOscar;
    });
    expect(report.ok).toBe(false);
    expect(attention(report).map((f) => f.kind)).toEqual(['ambiguous-name', 'ambiguous-name']);
    expect(attention(report)[0]?.message).toMatch(
      /"Therapeutic interventions" maps to 2 .* none is marked/,
    );
    expect(formatMappingReport(report)).toMatch(/FAILED: 2 finding\(s\) need attention/);
  });

  it('a duplicate service row', () => {
    const report = check((t) => t.services.push({ ...t.services[0]! }));
    expect(attention(report)).toEqual([
      expect.objectContaining({
        table: 'services',
        kind: 'duplicate',
        message: expect.stringContaining(
          'Generalist social work / case work -> social_work_case_work_generalist appears 2 times',
        ),
      }),
    ]);
  });

  it('a Primero subtype that maps to two OSCaR names, reported once', () => {
    const report = check((t) =>
      t.services.push({
        oscarName: 'Kin care',
        primeroSubtype: 'family_based_care_kinship',
        primeroType: 'family_based_care',
      }),
    );
    expect(attention(report)).toEqual([
      expect.objectContaining({
        kind: 'maps-two-ways',
        message: expect.stringMatching(
          /family_based_care_kinship" maps to 2 OSCaR names \(Kinship care, Kin care\)/,
        ),
      }),
    ]);
  });

  it('a second subtype under an existing name, without a rule', () => {
    const report = check((t) =>
      t.services.push({
        oscarName: 'Kinship care',
        primeroSubtype: 'family_based_care_kinship_extended',
        primeroType: 'family_based_care',
      }),
    );
    expect(attention(report)).toEqual([
      expect.objectContaining({
        kind: 'ambiguous-name',
        message: expect.stringMatching(
          /"Kinship care" maps to 2 Primero subtypes .* none is marked/,
        ),
      }),
    ]);
  });

  it('a preferred row pointing at a name that no longer round-trips', () => {
    const report = check((t) => {
      const row = t.services.find(
        (r) => r.primeroSubtype === 'mental_health_support_therapeutic_training',
      )!;
      row.oscarName = 'Therapeutic training (mental health)';
    });
    // Only one subtype is left for "Therapeutic training"; the stray mark is a harmless note.
    expect(report.ok).toBe(true);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ kind: 'rule-without-effect', severity: 'note' }),
    );
  });

  it('a province without a row (deleting 19)', () => {
    const report = check((t) => {
      t.provinces = t.provinces.filter((row) => row.code !== '19');
    });
    expect(attention(report)).toEqual([
      expect.objectContaining({
        table: 'provinces',
        kind: 'province-without-user',
        message: expect.stringContaining('province 19 has no row'),
      }),
    ]);
  });

  it('a province whose user is null', () => {
    const report = check((t) => {
      t.provinces.find((row) => row.code === '25')!.user = null;
    });
    expect(attention(report)).toEqual([
      expect.objectContaining({
        kind: 'province-without-user',
        message: expect.stringContaining('province 25 (Tboung Khmum) has no user'),
      }),
    ]);
  });

  it('the original B11 table: 22 twice, 19 missing', () => {
    const report = check((t) => {
      t.provinces.find((row) => row.code === '19')!.code = '22';
    });
    const kinds = attention(report)
      .map((f) => f.kind)
      .sort();
    expect(kinds).toEqual(['duplicate', 'province-without-user']);
    expect(attention(report)[0]?.message).toMatch(/province 22 has 2 rows \(mgrstg, mgromc\)/);
  });

  it('a province code outside 01-25', () => {
    const report = check((t) =>
      t.provinces.push({ code: '26', province: 'Nowhere', user: 'mgrnow' }),
    );
    expect(attention(report)).toEqual([expect.objectContaining({ kind: 'unknown-province' })]);
  });

  it('one user for two provinces', () => {
    const report = check((t) => {
      t.provinces.find((row) => row.code === '22')!.user = 'mgrstg';
    });
    expect(attention(report)).toEqual([
      expect.objectContaining({
        kind: 'maps-two-ways',
        message: expect.stringContaining(
          'user mgrstg is the province user of 2 provinces (19, 22)',
        ),
      }),
    ]);
  });

  it('an organisation listed twice', () => {
    const report = check((t) => t.agencies.push('cif'));
    expect(attention(report)).toEqual([
      expect.objectContaining({
        table: 'agencies',
        kind: 'duplicate',
        message: expect.stringContaining('organisation cif is listed 2 times'),
      }),
    ]);
  });
});
