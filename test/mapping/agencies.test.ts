import { describe, expect, it } from 'vitest';
import {
  MappingError,
  agencyForOrg,
  agencyMappingFrom,
  agencyUserForOrg,
  isKnownOrg,
  orgForAgency,
} from '../../src/mapping/index.ts';

// The organisations of the V2 jobs' agencyUserMap (original-jobs.md §4.8), written out
// independently of src/mapping/agencies.json.
// prettier-ignore
const EXPECTED_ORGS = [
  'gpc', 'tpo', 'eao', 'goh', 'sk', 'colt', 'kt', 'ea', 'fsi', 'oec', 'cct', 'cfi',
  'cif', 'css', 'cwd', 'holt', 'isf', 'kmr', 'mho', 'msl', 'mtp', 'tlc', 'tmw', 'wmo',
];

describe('agency naming: org x <-> agency-x <-> agency-x-user', () => {
  it('names the agency of an organisation and back', () => {
    expect(agencyForOrg('cif')).toBe('agency-cif');
    expect(orgForAgency('agency-cif')).toBe('cif');
    expect(orgForAgency(agencyForOrg('holt'))).toBe('holt');
  });

  it.each(EXPECTED_ORGS)('%s is known and has user agency-%s-user', (org) => {
    expect(isKnownOrg(org)).toBe(true);
    expect(agencyUserForOrg(org)).toBe(`agency-${org}-user`);
  });

  it('keeps demo out: it is excluded from the sync and has no Primero user', () => {
    expect(isKnownOrg('demo')).toBe(false);
    expect(() => agencyUserForOrg('demo')).toThrow(MappingError);
  });

  it('names an unknown organisation and the file to edit, never an undefined owner', () => {
    expect(isKnownOrg('newngo')).toBe(false);
    expect(() => agencyUserForOrg('newngo')).toThrow(
      'Agency user not found for organisation "newngo": add it to src/mapping/agencies.json once agency-newngo-user exists in Primero',
    );
  });

  it.each(['', '   '])('refuses an empty organisation (%j)', (org) => {
    expect(() => agencyForOrg(org)).toThrow(/organisation name is empty/);
    expect(() => agencyUserForOrg(org)).toThrow(MappingError);
  });

  it('refuses an agency where an organisation is expected (no agency-agency-x)', () => {
    expect(() => agencyForOrg('agency-cif')).toThrow(/already a Primero agency/);
  });

  it.each(['cif', 'agency-', 'agencycif', ''])(
    'refuses %j without the agency- prefix',
    (agency) => {
      expect(() => orgForAgency(agency)).toThrow(MappingError);
    },
  );

  it('reads the known list from the table it is given', () => {
    const mapping = agencyMappingFrom({
      agencies: ['newngo'],
      files: { services: '', provinces: '', agencies: 'edited/agencies.json' },
    });
    expect(mapping.agencyUserForOrg('newngo')).toBe('agency-newngo-user');
    expect(() => mapping.agencyUserForOrg('cif')).toThrow(/edited\/agencies.json/);
  });
});
