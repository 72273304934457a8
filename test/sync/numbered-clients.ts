// Invented OSCaR clients numbered 0, 1, 2…: one record each, no services, the same NGO. For the
// f2-j2 tests that need many children and care only which one is which.
import type { OscarClientRecord } from '../../src/model/oscar.ts';

export const globalIdOf = (n: number) => `01JAAAAAAAAAAAAAAAAAA${String(n).padStart(5, '0')}`;

export function numberedClient(n: number): OscarClientRecord {
  return {
    global_id: globalIdOf(n),
    slug: `cif-${n}`,
    given_name: 'Invented',
    family_name: 'Child',
    gender: 'female',
    date_of_birth: '2014-05-02',
    location_current_village_code: '19020301',
    organization_name: 'cif',
    organization_address_code: '120101',
    status: 'Active',
    is_referred: false,
    services: [],
  } as OscarClientRecord;
}
