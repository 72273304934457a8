// Primero -> OSCaR (f1): which referrals, decisions and links a window of Primero cases asks for,
// and the OSCaR requests they become. The jobs fetch and write; the modules below decide, one per
// rule of docs/sync-rules.md.
export { emptyToOscarBatch } from '../model/to-oscar.ts';
export type {
  DecisionForOscar,
  LinkForOscar,
  ReferralToOscar,
  ToOscarBatch,
} from '../model/to-oscar.ts';
export {
  ambiguousGlobalIdFailures,
  globalIdsToCheck,
  holderIds,
} from './primero-to-oscar/ambiguity.ts';
export {
  isCaseReadError,
  referralReadFailure,
  unreadableCaseFailure,
} from './primero-to-oscar/case-failures.ts';
export { toOscarReferral, toOscarStatusUpdate } from './primero-to-oscar/payloads.ts';
export {
  closedReferralIds,
  concernsOscar,
  decisionKey,
  decisionsForOscar,
  hasReferralToOscar,
  isReferralToOscarRow,
  linkForOscar,
  linkKey,
  referralKey,
  referralsToOscar,
  selectForOscar,
  selectionRulesOf,
} from './primero-to-oscar/selection.ts';
export type { SelectionRules } from './primero-to-oscar/selection.ts';
export {
  UNCONFIRMED_SEND,
  decisionAlreadySent,
  decisionSentValue,
  isUnconfirmedUpsert,
  linkAlreadySent,
  pruneSent,
  referralSendState,
  sentLedgerOf,
} from './primero-to-oscar/sent-ledger.ts';
export type { SentLedger } from './primero-to-oscar/sent-ledger.ts';
export {
  caseIdsToRefetch,
  caseKeyOf,
  goneCases,
  latestUpdate,
  resolvedRetries,
  windowOrder,
} from './primero-to-oscar/window.ts';
