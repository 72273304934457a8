// The shipped tables, bound: what the jobs run with. The only module that imports the JSON files,
// so that a command which never runs the sync (check-mappings, status, history, logs) loads without
// them and a broken table cannot stop it; esbuild inlines them into the OpenFn.org job bodies.
import { agencyMappingFrom } from './agencies.ts';
import { provinceMappingFrom, type LocationCodeInput } from './provinces.ts';
import { serviceMappingFrom, type PrimeroService } from './services.ts';
import {
  MAPPING_FILE_NAMES,
  SHIPPED_MAPPING_DIR,
  parseMappingTables,
  type MappingTables,
  type ServicePair,
} from './tables.ts';
import shippedServices from './services.json' with { type: 'json' };
import shippedProvinces from './provinces.json' with { type: 'json' };
import shippedAgencies from './agencies.json' with { type: 'json' };

/** The tables shipped in this folder: what the jobs run with (bundled by esbuild for OpenFn.org). */
export const shippedTables: MappingTables = parseMappingTables(
  { services: shippedServices, provinces: shippedProvinces, agencies: shippedAgencies },
  {
    services: `${SHIPPED_MAPPING_DIR}/${MAPPING_FILE_NAMES.services}`,
    provinces: `${SHIPPED_MAPPING_DIR}/${MAPPING_FILE_NAMES.provinces}`,
    agencies: `${SHIPPED_MAPPING_DIR}/${MAPPING_FILE_NAMES.agencies}`,
  },
);

const services = serviceMappingFrom(shippedTables);
const agencies = agencyMappingFrom(shippedTables);

/** Every (OSCaR name, Primero subtype, Primero type) row of the shipped table. */
export const servicePairs: readonly ServicePair[] = shippedTables.services;

/** The Primero service an OSCaR service name stands for; throws MappingError for an unknown name. */
export const primeroServiceFor: (oscarName: string) => PrimeroService = services.primeroServiceFor;

/** The OSCaR service name for a Primero subtype; an empty subtype gives NOT_SPECIFIED_SERVICE;
 * throws MappingError for an unknown subtype. */
export const oscarServiceNameFor: (primeroSubtype: string | null | undefined) => string =
  services.oscarServiceNameFor;

/** The Primero user of the province a location code lies in; throws MappingError naming the code. */
export const provinceUserFor: (locationCode: LocationCodeInput) => string =
  provinceMappingFrom(shippedTables).provinceUserFor;

/** Whether the organisation is listed in agencies.json. */
export const isKnownOrg: (org: string) => boolean = agencies.isKnownOrg;

/** `cif` -> `agency-cif-user`; throws MappingError for an organisation not in agencies.json. */
export const agencyUserForOrg: (org: string) => string = agencies.agencyUserForOrg;
