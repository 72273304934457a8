import { describe, expect, it } from 'vitest';
import { MappingError, riskLevelToOscar, riskLevelToPrimero } from '../../src/mapping/index.ts';

describe('risk level: Primero risk_level -> OSCaR level_of_risk', () => {
  it.each([
    ['high', 'high'],
    ['medium', 'medium'],
    ['low', 'low'],
    ['no_action', 'no action'],
  ])('%s -> %s', (primero, oscar) => {
    expect(riskLevelToOscar(primero)).toBe(oscar);
  });

  it.each(['', ' ', null, undefined])('missing (%j) is an item error, never invented', (risk) => {
    expect(() => riskLevelToOscar(risk)).toThrow(
      new MappingError('risk level is not set in Primero'),
    );
  });

  it.each(['no action', 'High', 'critical'])('reports unknown %j', (risk) => {
    expect(() => riskLevelToOscar(risk)).toThrow(/is not one of high, medium, low, no_action/);
  });
});

describe('risk level: OSCaR level_of_risk -> Primero risk_level (defect B14)', () => {
  it.each([
    ['high', 'high'],
    ['medium', 'medium'],
    ['low', 'low'],
    ['no action', 'no_action'],
  ])('%s -> %s', (oscar, primero) => {
    expect(riskLevelToPrimero(oscar)).toBe(primero);
  });

  it.each(['', null, undefined])('no level (%j) stays unset', (level) => {
    expect(riskLevelToPrimero(level)).toBeUndefined();
  });

  it.each(['no_action', 'urgent'])('reports unknown %j', (level) => {
    expect(() => riskLevelToPrimero(level)).toThrow(MappingError);
    expect(() => riskLevelToPrimero(level)).toThrow(/is not one of high, medium, low, no action/);
  });
});
