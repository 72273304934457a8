// The mapping library: one source of truth for every translation between Primero and OSCaR.
// Pure functions over the shipped tables; safe to bundle into the OpenFn jobs (no file access
// here; the CLI reads tables from disk through ./load.ts).
export { MappingError } from './errors.ts';
export {
  MAPPING_FILE_NAMES,
  SHIPPED_MAPPING_DIR,
  parseMappingTables,
  type MappingFiles,
  type MappingTables,
  type ProvinceRow,
  type RawTables,
  type ServicePair,
  type ServiceTableRow,
} from './tables.ts';
export {
  NOT_SPECIFIED_SERVICE,
  serviceMappingFrom,
  type PrimeroService,
  type ServiceMapping,
} from './services.ts';
export {
  PROVINCE_COUNT,
  isProvinceCode,
  provinceCodeOf,
  provinceMappingFrom,
  type ProvinceMapping,
} from './provinces.ts';
export { toOscarLocationCode, toPrimeroLocationCode } from './location-codes.ts';
export { AGENCY_PREFIX, AGENCY_USER_SUFFIX, agencyForOrg, orgForAgency } from './agency-naming.ts';
export { agencyMappingFrom, type AgencyMapping } from './agencies.ts';
export {
  agencyUserForOrg,
  isKnownOrg,
  oscarServiceNameFor,
  primeroServiceFor,
  provinceUserFor,
  servicePairs,
  shippedTables,
} from './shipped.ts';
export {
  OSCAR_REFERRAL_STATUSES,
  PRIMERO_REFERRAL_STATUSES,
  REFERRAL_IN_PROGRESS,
  SERVICE_ROW_STATUSES,
  isDecidedOscarStatus,
  isDecidedServiceRowStatus,
  isServiceRowStatus,
  oscarStatusForServiceRow,
  primeroReferralStatusForServiceRow,
  serviceRowStatusForOscar,
  type OscarReferralStatus,
  type PrimeroReferralStatus,
  type ServiceRowStatus,
} from './statuses.ts';
export { displayName, sexForPrimero } from './person.ts';
export { ageOn, repairDateOfBirth } from './birth-date.ts';
export {
  riskLevelToOscar,
  riskLevelToPrimero,
  type OscarRiskLevel,
  type PrimeroRiskLevel,
} from './risk.ts';
export {
  checkMappings,
  formatMappingReport,
  type FindingKind,
  type FindingSeverity,
  type MappingFinding,
  type MappingReport,
} from './check.ts';
