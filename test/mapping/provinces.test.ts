import { describe, expect, it } from 'vitest';
import {
  MappingError,
  provinceCodeOf,
  provinceMappingFrom,
  provinceUserFor,
} from '../../src/mapping/index.ts';

// Written out independently of src/mapping/provinces.json (original-jobs.md §3.1, with the
// B11 correction: 19 is Stung Treng -> mgrstg, 22 is Oddar Meanchey -> mgromc).
// prettier-ignore
const EXPECTED_USERS: Record<string, string> = {
  '01': 'mgrbmc', '02': 'mgrbtb', '03': 'mgrkcm', '04': 'mgrkch', '05': 'mgrksp',
  '06': 'mgrktm', '07': 'mgrkpt', '08': 'mgrkdl', '09': 'mgrkkg', '10': 'mgrkrt',
  '11': 'mgrmdk', '12': 'mgrpnh', '13': 'mgrpvh', '14': 'mgrpvg', '15': 'mgrpst',
  '16': 'mgrrtk', '17': 'mgrsrp', '18': 'mgrshv', '19': 'mgrstg', '20': 'mgrsvg',
  '21': 'mgrtakeo', '22': 'mgromc', '23': 'mgrkep', '24': 'mgrpln', '25': 'mgrtkm',
};

/** Every form a code of this province can take: OSCaR's zero-padded village (8), commune (6),
 * district (4) and province (2) codes, and Primero's forms of them, which drop the leading zero
 * of provinces 01-09 (7, 5, 3 and 1 digits), as strings and as numbers. Provinces 10-25 have no
 * 7-digit form: a 7-digit code is always a village of 01-09 (see the next test). */
function locationCodesOf(province: string): Array<string | number> {
  const oscarForms = [`${province}010203`, `${province}0102`, `${province}01`, province];
  const primeroForms = oscarForms.map((code) => code.replace(/^0+/, ''));
  return [...new Set([...oscarForms, ...primeroForms]), ...primeroForms.map(Number)];
}

describe('province users: all 25 provinces by 2-digit code', () => {
  it('knows no province beyond the 25: code 26 is refused, not given some user', () => {
    expect(() => provinceUserFor('26')).toThrow(MappingError);
    expect(() => provinceUserFor('26010203')).toThrow(MappingError);
  });

  describe.each(Object.entries(EXPECTED_USERS))('province %s -> %s', (province, user) => {
    it.each(locationCodesOf(province))('location code %s', (code) => {
      expect(provinceCodeOf(code)).toBe(province);
      expect(provinceUserFor(code)).toBe(user);
    });
  });

  it('reads 7-digit Primero codes as villages of provinces 01-09 (2020202 is Battambang, not Svay Rieng)', () => {
    expect(provinceCodeOf('2020202')).toBe('02');
    expect(provinceUserFor('2020202')).toBe('mgrbtb');
    expect(provinceUserFor('1901020')).toBe('mgrbmc');
  });

  it('maps Stung Treng (19) and Oddar Meanchey (22) to their own users (defect B11)', () => {
    expect(provinceUserFor('19010203')).toBe('mgrstg');
    expect(provinceUserFor('22010203')).toBe('mgromc');
  });

  it('takes an organisation address code (a commune) as well', () => {
    expect(provinceUserFor('120611')).toBe('mgrpnh');
  });
});

describe('province codes that are not provinces', () => {
  it.each([
    ['00010203', /province 00/],
    ['26010203', /province 26, which is not one of Cambodia's provinces \(01 to 25\)/],
    ['99', /province 99/],
    ['0', /province 00/],
  ])('%s is rejected naming the code', (code, message) => {
    expect(() => provinceCodeOf(code)).toThrow(MappingError);
    expect(() => provinceCodeOf(code)).toThrow(message);
    expect(() => provinceUserFor(code)).toThrow(code);
  });

  it.each(['', '   ', null, undefined, 'NaN', Number.NaN])('empty code %j is rejected', (code) => {
    expect(() => provinceUserFor(code)).toThrow(/Location code is empty/);
  });

  it.each(['12a4', '1201-03', '123456789', '-1201', '12.5'])(
    'malformed code %s is named',
    (code) => {
      expect(() => provinceUserFor(code)).toThrow(MappingError);
      expect(() => provinceUserFor(code)).toThrow(code);
    },
  );
});

describe('province user missing from an edited table', () => {
  const files = { services: '', provinces: 'edited/provinces.json', agencies: '' };

  it('names the code and the file to edit instead of returning undefined', () => {
    const { provinceUserFor: userFor } = provinceMappingFrom({
      provinces: [{ code: '22', province: 'Oddar Meanchey', user: 'mgromc' }],
      files,
    });
    expect(() => userFor('19010203')).toThrow(
      'Province user not found for code 19 (location code 19010203): add it to edited/provinces.json',
    );
  });

  it('treats a province row without a user like a missing one', () => {
    const { provinceUserFor: userFor } = provinceMappingFrom({
      provinces: [{ code: '19', province: 'Stung Treng', user: null }],
      files,
    });
    expect(() => userFor('19')).toThrow(/Province user not found for code 19/);
  });

  it('refuses to choose between two users of one province', () => {
    const { provinceUserFor: userFor } = provinceMappingFrom({
      provinces: [
        { code: '22', province: 'Oddar Meanchey', user: 'mgrstg' },
        { code: '22', province: 'Oddar Meanchey', user: 'mgromc' },
      ],
      files,
    });
    expect(() => userFor('22')).toThrow(/Province 22 has 2 rows with different users/);
  });
});
