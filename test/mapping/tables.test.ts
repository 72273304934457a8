import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MappingError, parseMappingTables, shippedTables } from '../../src/mapping/index.ts';
import { loadMappingTables, shippedMappingDir } from '../../src/mapping/load.ts';

const FILES = {
  services: 'x/services.json',
  provinces: 'x/provinces.json',
  agencies: 'x/agencies.json',
};
const valid = {
  services: [
    {
      oscarName: 'Kinship care',
      primeroSubtype: 'family_based_care_kinship',
      primeroType: 'family_based_care',
    },
  ],
  provinces: [{ code: '19', province: 'Stung Treng', user: 'mgrstg' }],
  agencies: ['cif'],
};

function parseError(raw: { services?: unknown; provinces?: unknown; agencies?: unknown }): string {
  try {
    parseMappingTables({ ...valid, ...raw }, FILES);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as Error).message;
  }
  throw new Error('expected the tables to be refused');
}

describe('table validation at load names the file, the entry and the field', () => {
  it('accepts well-formed tables', () => {
    expect(parseMappingTables(valid, FILES).services).toHaveLength(1);
  });

  it('names a service row by position and OSCaR name', () => {
    const message = parseError({
      services: [
        ...valid.services,
        { oscarName: 'Day care services', primeroSubtype: 'Day Care', primeroType: 'x' },
      ],
    });
    expect(message).toMatch(
      /^x\/services.json is not valid: entry 2 \("Day care services"\), field "primeroSubtype": must be a Primero lookup id/,
    );
  });

  it('refuses a misspelt key instead of ignoring it', () => {
    const message = parseError({ services: [{ ...valid.services[0], preferedForOscar: true }] });
    expect(message).toMatch(/x\/services.json .*entry 1 .*Unrecognized key.*preferedForOscar/);
  });

  it('refuses a non-boolean preferredForOscar', () => {
    expect(parseError({ services: [{ ...valid.services[0], preferredForOscar: 'yes' }] })).toMatch(
      /field "preferredForOscar"/,
    );
  });

  it('refuses names with spaces at either end', () => {
    expect(
      parseError({ services: [{ ...valid.services[0], oscarName: 'Kinship care ' }] }),
    ).toMatch(/field "oscarName": must not start or end with spaces/);
  });

  it('names a province row by code', () => {
    const message = parseError({ provinces: [{ code: '7', province: 'Kampot', user: 'mgrkpt' }] });
    expect(message).toMatch(
      /x\/provinces.json is not valid: entry 1 \("7"\), field "code": must be the 2-digit province code/,
    );
  });

  it('refuses a missing user field but accepts an explicit null', () => {
    expect(parseError({ provinces: [{ code: '19', province: 'Stung Treng' }] })).toMatch(
      /field "user"/,
    );
    expect(
      parseMappingTables(
        { ...valid, provinces: [{ code: '19', province: 'Stung Treng', user: null }] },
        FILES,
      ).provinces[0]?.user,
    ).toBeNull();
  });

  it('refuses an agency written where an organisation belongs, naming that organisation', () => {
    expect(parseError({ agencies: ['cif', 'agency-holt'] })).toMatch(
      /x\/agencies.json is not valid: entry 2: "agency-holt" is a Primero agency: list the OSCaR organisation "holt" instead/,
    );
    expect(parseError({ agencies: ['CIF'] })).toMatch(/lower case/);
  });

  it('refuses a file that is not a list', () => {
    expect(parseError({ agencies: { cif: true } })).toMatch(
      /x\/agencies.json is not valid: the file must hold a JSON list/,
    );
  });
});

describe('loading tables from a folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'interop-mapping-'));
    for (const file of ['services.json', 'provinces.json', 'agencies.json']) {
      writeFileSync(join(dir, file), readFileSync(join(shippedMappingDir(), file)));
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the same rows the library ships with', () => {
    const loaded = loadMappingTables(dir);
    expect(loaded.services).toEqual(shippedTables.services);
    expect(loaded.provinces).toEqual(shippedTables.provinces);
    expect(loaded.agencies).toEqual(shippedTables.agencies);
    expect(loaded.files.services).toContain('services.json');
  });

  it('names a file that is not JSON', () => {
    writeFileSync(join(dir, 'provinces.json'), '[\n  { "code": "19", }');
    expect(() => loadMappingTables(dir)).toThrow(
      /provinces.json:2:19: not valid JSON: a field name in double quotes is expected here[^]*provinces.json:2:20: not valid JSON: the list is not closed/,
    );
  });

  it('names a missing file', () => {
    rmSync(join(dir, 'agencies.json'));
    expect(() => loadMappingTables(dir)).toThrow(/agencies.json: the file does not exist/);
  });

  it('names the row of a bad entry in the file it read', () => {
    const rows = JSON.parse(readFileSync(join(dir, 'services.json'), 'utf8')) as object[];
    rows[4] = { ...rows[4], primeroType: '' };
    // Written as an editor would: "[" on line 1, then five lines per row (no preferredForOscar
    // among the first five), so entry 5 starts on line 2 + 4 * 5 = 22.
    writeFileSync(join(dir, 'services.json'), JSON.stringify(rows, null, 2));
    expect(() => loadMappingTables(dir)).toThrow(
      /services.json:22: entry 5 \("Kinship care"\), field "primeroType"/,
    );
  });
});
