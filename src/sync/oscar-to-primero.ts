// OSCaR -> Primero (f2): which OSCaR clients a window holds and what each one's Primero case must
// become. The jobs fetch and write; the modules below decide (docs/sync-rules-oscar-to-primero.md).
export {
  DEFAULT_EXCLUDED_ORGS,
  caseKey,
  clientKey,
  groupChildren,
  packChild,
  selectClients,
  unpackChild,
} from './oscar-to-primero/children.ts';
export type {
  FromOscarBatch,
  OscarChild,
  OscarListing,
  PackedChild,
  SelectionInput,
} from './oscar-to-primero/children.ts';
export { ItemError } from './oscar-to-primero/item-error.ts';
export {
  alwaysFields,
  caseOriginatedInPrimero,
  chooseCase,
  lookupOf,
  newCaseFields,
  newCaseIdFor,
  ownerFor,
  planCaseUpsert,
} from './oscar-to-primero/plan.ts';
export type { CaseLookup, CasePlan, PlanInput } from './oscar-to-primero/plan.ts';
export {
  SERVICE_ROW_NAMESPACE,
  needsReferrals,
  planServiceRows,
  rowIdFor,
  serviceEntriesOf,
} from './oscar-to-primero/service-rows.ts';
export type {
  ReferralDecision,
  ServiceEntry,
  ServiceRowsPlan,
} from './oscar-to-primero/service-rows.ts';
export { upsertChild, upsertChildren } from './oscar-to-primero/upsert.ts';
export type { PrimeroCases, UpsertContext } from './oscar-to-primero/upsert.ts';
export {
  WINDOW_ID,
  oscarWindow,
  parseOscarTime,
  toOscarTime,
  windowStartOf,
} from './oscar-to-primero/window.ts';
export type { OscarWindow } from './oscar-to-primero/window.ts';
