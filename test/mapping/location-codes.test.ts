import { describe, expect, it } from 'vitest';
import {
  MappingError,
  toOscarLocationCode,
  toPrimeroLocationCode,
} from '../../src/mapping/index.ts';

describe('location codes to OSCaR: padded to 2/4/6/8 digits by length', () => {
  it.each([
    ['2020202', '02020202'],
    ['02020202', '02020202'],
    ['10060805', '10060805'],
    ['20202', '020202'],
    ['140501', '140501'],
    ['202', '0202'],
    ['1201', '1201'],
    ['2', '02'],
    ['12', '12'],
    [' 2020202 ', '02020202'],
  ])('%s -> %s', (code, expected) => {
    expect(toOscarLocationCode(code)).toBe(expected);
  });

  it('takes numbers as Primero sends them', () => {
    expect(toOscarLocationCode(2020202)).toBe('02020202');
    expect(toOscarLocationCode(140501)).toBe('140501');
  });

  it.each(['', '  ', null, undefined, 'NaN', Number.NaN])('no code (%j) -> ""', (code) => {
    expect(toOscarLocationCode(code)).toBe('');
  });

  it.each(['abc', '12-34', '123456789', '1e5', -5, 1.5])('rejects %j naming it', (code) => {
    expect(() => toOscarLocationCode(code)).toThrow(MappingError);
    expect(() => toOscarLocationCode(code)).toThrow(String(code));
  });
});

describe('location codes to Primero: leading zeros dropped', () => {
  it.each([
    ['02020202', '2020202'],
    ['10060805', '10060805'],
    ['020202', '20202'],
    ['0202', '202'],
    ['02', '2'],
    ['140501', '140501'],
    [140501, '140501'],
  ])('%s -> %s', (code, expected) => {
    expect(toPrimeroLocationCode(code)).toBe(expected);
  });

  it.each(['', null, undefined, 'NaN'])('no code (%j) -> undefined', (code) => {
    expect(toPrimeroLocationCode(code)).toBeUndefined();
  });

  it.each(['00', '0000', 'x1', '123456789'])('rejects %s', (code) => {
    expect(() => toPrimeroLocationCode(code)).toThrow(MappingError);
  });

  it('round-trips every level of an 01-09 province code', () => {
    for (const code of ['01070101', '010701', '0107', '01']) {
      expect(toOscarLocationCode(toPrimeroLocationCode(code))).toBe(code);
    }
  });
});
