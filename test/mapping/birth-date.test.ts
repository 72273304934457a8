import { describe, expect, it } from 'vitest';
import { MappingError, ageOn, repairDateOfBirth } from '../../src/mapping/index.ts';

const TODAY = new Date('2025-08-02T10:00:00Z');

describe('date of birth', () => {
  it('keeps a valid YYYY-MM-DD date', () => {
    expect(repairDateOfBirth('2012-01-01', TODAY)).toBe('2012-01-01');
    expect(repairDateOfBirth('2020-02-29', TODAY)).toBe('2020-02-29');
    expect(repairDateOfBirth(' 2012-01-01 ', TODAY)).toBe('2012-01-01');
  });

  it('repairs the known 11-character form with a doubled first digit', () => {
    expect(repairDateOfBirth('22012-01-01', TODAY)).toBe('2012-01-01');
    expect(repairDateOfBirth('11999-12-31', TODAY)).toBe('1999-12-31');
  });

  it('rejects an 11-character date whose wrong digit cannot be told', () => {
    expect(() => repairDateOfBirth('32012-01-01', TODAY)).toThrow(MappingError);
  });

  it.each(['', '   ', null, undefined])('no date (%j) -> undefined', (dob) => {
    expect(repairDateOfBirth(dob, TODAY)).toBeUndefined();
  });

  it.each([
    ['2021-02-30', /not a real calendar date/],
    ['2021-13-01', /not a real calendar date/],
    ['2021-00-10', /not a real calendar date/],
    ['2021-04-31', /not a real calendar date/],
    ['2019-02-29', /not a real calendar date/],
    ['22012-02-30', /not a real calendar date/],
    ['2012/01/01', /YYYY-MM-DD/],
    ['01-01-2012', /YYYY-MM-DD/],
    ['2012-1-1', /YYYY-MM-DD/],
    ['2012-01-01T00:00:00Z', /YYYY-MM-DD/],
    ['not a date', /YYYY-MM-DD/],
    ['1899-12-31', /before 1900/],
    ['2025-08-04', /in the future/],
  ])('rejects %s', (dob, message) => {
    expect(() => repairDateOfBirth(dob, TODAY)).toThrow(MappingError);
    expect(() => repairDateOfBirth(dob, TODAY)).toThrow(message);
  });

  it('accepts tomorrow in UTC: a child born today in Cambodia (UTC+7)', () => {
    expect(repairDateOfBirth('2025-08-03', TODAY)).toBe('2025-08-03');
  });

  it('never repeats the date in its error (birth dates are personal data)', () => {
    expect(() => repairDateOfBirth('2021-02-30', TODAY)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('2021') }),
    );
  });
});

describe('age', () => {
  it.each([
    ['2012-08-02', 13],
    ['2012-08-03', 12],
    ['2012-01-01', 13],
    ['2012-12-31', 12],
    ['2025-08-02', 0],
    ['2025-08-03', 0],
    ['1990-05-05', 35],
  ])('born %s is %i on 2025-08-02', (dob, age) => {
    expect(ageOn(dob, TODAY)).toBe(age);
  });

  it('counts a 29 February birthday on 1 March in other years', () => {
    expect(ageOn('2020-02-29', new Date('2021-02-28T12:00:00Z'))).toBe(0);
    expect(ageOn('2020-02-29', new Date('2021-03-01T00:00:00Z'))).toBe(1);
  });

  it.each(['', '2021-02-30', '22012-01-01', '2030-01-01'])('rejects %j', (dob) => {
    expect(() => ageOn(dob, TODAY)).toThrow(MappingError);
  });
});
