import { describe, expect, it } from 'vitest';
import { displayName, sexForPrimero } from '../../src/mapping/index.ts';

describe('gender -> Primero sex', () => {
  it.each([
    ['male', 'male'],
    ['female', 'female'],
    ['Female', 'female'],
    [' MALE ', 'male'],
    ['lgbt', 'other'],
    ['unknown', 'other'],
    ['prefer_not_to_say', 'other'],
    ['other', 'other'],
  ])('%j -> %s', (gender, sex) => {
    expect(sexForPrimero(gender)).toBe(sex);
  });

  it.each(['', '   ', null, undefined])(
    'missing gender %j stays empty, not "other" (B15)',
    (gender) => {
      expect(sexForPrimero(gender)).toBeUndefined();
    },
  );
});

describe('names: "local (english)"', () => {
  it('joins both as local (english)', () => {
    expect(displayName('Sokha', 'សុខា')).toBe('សុខា (Sokha)');
  });

  it('uses whichever exists', () => {
    expect(displayName('Sokha', null)).toBe('Sokha');
    expect(displayName(undefined, 'សុខា')).toBe('សុខា');
    expect(displayName('Sokha', '  ')).toBe('Sokha');
    expect(displayName('', 'សុខា')).toBe('សុខា');
  });

  it('trims spaces', () => {
    expect(displayName(' Sokha ', ' សុខា ')).toBe('សុខា (Sokha)');
  });

  it.each([
    [null, null],
    [undefined, undefined],
    ['', ''],
    [' ', '  '],
  ])('no name (%j, %j) -> undefined', (english, local) => {
    expect(displayName(english, local)).toBeUndefined();
  });
});
