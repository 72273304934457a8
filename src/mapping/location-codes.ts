// Cambodian location codes: province(2) + district(2) + commune(2) + village(2) digits.
// OSCaR stores them zero-padded; Primero stores them as numbers, so provinces 01-09 lose their
// leading zero (`02020202` arrives as `2020202`).
import { MappingError } from './errors.ts';

type LocationCodeInput = string | number | null | undefined;

const LONGEST_CODE = 8;

/** The code as a digit string, or undefined when there is none. The original jobs stored
 * `parseInt(undefined)`, so the text `NaN` in Primero means "no location" too. */
export function locationCodeDigits(code: LocationCodeInput): string | undefined {
  if (code === null || code === undefined) return undefined;
  if (typeof code === 'number') {
    if (Number.isNaN(code)) return undefined;
    if (!Number.isSafeInteger(code) || code < 0) throw notACode(code);
    return checkedLength(String(code));
  }
  const text = code.trim();
  if (text === '' || text === 'NaN') return undefined;
  if (!/^\d+$/.test(text)) throw notACode(code);
  return checkedLength(text);
}

/** OSCaR's padding rule by length (Client.get_address_by_code): 1-2 digits are a province (pad to
 * 2), 3-4 a district (4), 5-6 a commune (6), 7-8 a village (8); '' when there is no code. */
export function toOscarLocationCode(code: LocationCodeInput): string {
  const digits = locationCodeDigits(code);
  if (digits === undefined) return '';
  const paddedLength = Math.ceil(digits.length / 2) * 2;
  return digits.padStart(paddedLength, '0');
}

/** Primero's form: the same code without leading zeros; undefined when there is no code. */
export function toPrimeroLocationCode(code: LocationCodeInput): string | undefined {
  const digits = locationCodeDigits(code);
  if (digits === undefined) return undefined;
  const withoutZeros = digits.replace(/^0+/, '');
  if (withoutZeros === '') throw notACode(digits);
  return withoutZeros;
}

function checkedLength(digits: string): string {
  if (digits.length > LONGEST_CODE) throw notACode(digits);
  return digits;
}

function notACode(code: string | number): MappingError {
  return new MappingError(
    `Location code ${JSON.stringify(String(code))} is not a Cambodian location code (1 to ${LONGEST_CODE} digits)`,
  );
}
