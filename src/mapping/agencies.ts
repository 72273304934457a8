// Which OSCaR organisations have an `agency-<org>-user` in Primero: data (agencies.json).
import { AGENCY_USER_SUFFIX, agencyForOrg } from './agency-naming.ts';
import { MappingError } from './errors.ts';
import type { MappingTables } from './tables.ts';

export interface AgencyMapping {
  isKnownOrg(org: string): boolean;
  agencyUserForOrg(org: string): string;
}

export function agencyMappingFrom(
  tables: Pick<MappingTables, 'agencies' | 'files'>,
): AgencyMapping {
  const known = new Set(tables.agencies);
  const isKnownOrg = (org: string): boolean => known.has(org.trim());
  function agencyUserForOrg(org: string): string {
    const agency = agencyForOrg(org);
    if (!isKnownOrg(org)) {
      throw new MappingError(
        `Agency user not found for organisation ${JSON.stringify(org.trim())}: ` +
          `add it to ${tables.files.agencies} once ${agency}${AGENCY_USER_SUFFIX} exists in Primero`,
      );
    }
    return `${agency}${AGENCY_USER_SUFFIX}`;
  }
  return { isKnownOrg, agencyUserForOrg };
}
