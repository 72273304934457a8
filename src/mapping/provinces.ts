// Province users: the Primero account that owns referred children of each province.
import { MappingError } from './errors.ts';
import { locationCodeDigits, toOscarLocationCode } from './location-codes.ts';
import type { MappingTables } from './tables.ts';

export type LocationCodeInput = string | number | null | undefined;

/** OSCaR's geography table has 25 provinces, codes 01 to 25 (Tboung Khmum, the newest, is 25). */
export const PROVINCE_COUNT = 25;

export function isProvinceCode(code: string): boolean {
  const value = Number(code);
  return /^\d{2}$/.test(code) && value >= 1 && value <= PROVINCE_COUNT;
}

/** The 2-digit province of any OSCaR or Primero location code ('01'..'25'). The code is padded by
 * OSCaR's rule first, so a 7-digit Primero village code `2020202` is province 02, not 20. */
export function provinceCodeOf(locationCode: LocationCodeInput): string {
  if (locationCodeDigits(locationCode) === undefined) {
    throw new MappingError('Location code is empty: cannot tell the province');
  }
  const province = toOscarLocationCode(locationCode).slice(0, 2);
  if (!isProvinceCode(province)) {
    throw new MappingError(
      `Location code ${JSON.stringify(String(locationCode))} starts with province ${province}, ` +
        `which is not one of Cambodia's provinces (01 to ${PROVINCE_COUNT})`,
    );
  }
  return province;
}

export interface ProvinceMapping {
  provinceUserFor(locationCode: LocationCodeInput): string;
}

export function provinceMappingFrom(
  tables: Pick<MappingTables, 'provinces' | 'files'>,
): ProvinceMapping {
  const file = tables.files.provinces;
  function provinceUserFor(locationCode: LocationCodeInput): string {
    const code = provinceCodeOf(locationCode);
    const users = new Set(
      tables.provinces.filter((row) => row.code === code).map((row) => row.user),
    );
    const [only] = users;
    if (users.size > 1) {
      throw new MappingError(
        `Province ${code} has ${users.size} rows with different users in ${file}: keep one`,
      );
    }
    if (only === undefined || only === null) {
      throw new MappingError(
        `Province user not found for code ${code} (location code ${String(locationCode)}): add it to ${file}`,
      );
    }
    return only;
  }
  return { provinceUserFor };
}
