// Agency naming, a rule rather than data: OSCaR organisation `x` <-> Primero agency `agency-x`
// <-> Primero user `agency-x-user`.
import { MappingError } from './errors.ts';

export const AGENCY_PREFIX = 'agency-';
export const AGENCY_USER_SUFFIX = '-user';

/** `cif` -> `agency-cif`. */
export function agencyForOrg(org: string): string {
  const name = org.trim();
  if (name === '') {
    throw new MappingError('OSCaR organisation name is empty: cannot name its agency');
  }
  if (name.startsWith(AGENCY_PREFIX)) {
    throw new MappingError(
      `${JSON.stringify(name)} is already a Primero agency, not an OSCaR organisation name`,
    );
  }
  return `${AGENCY_PREFIX}${name}`;
}

/** `agency-cif` -> `cif`. */
export function orgForAgency(agency: string): string {
  const name = agency.trim();
  const org = name.slice(AGENCY_PREFIX.length);
  if (!name.startsWith(AGENCY_PREFIX) || org === '') {
    throw new MappingError(
      `Primero agency ${JSON.stringify(name)} does not have the form "${AGENCY_PREFIX}<organisation>"`,
    );
  }
  return org;
}
