// The state that flows through the four steps: one declaration of what each step reads and adds.
// `configuration` is injected per step by the runtime (its own system's credentials only) and
// stripped from every step's output, so it never reaches a stored state.
import type { CarriedState, SentRecord, SyncSettings } from './contract.ts';
import type { Report } from './outcomes.ts';
import type { ToOscarBatch } from '../model/to-oscar.ts';
import type { FromOscarBatch } from '../model/from-oscar.ts';
import type { HandOffRef } from './hand-off.ts';

export interface RunContext {
  /** This run's own id (the sent-ledger journal is registered under it). */
  id?: string;
  /** When the run started (ISO-8601 UTC). */
  startedAt: string;
  dryRun: boolean;
  settings: SyncSettings;
  /**
   * The final carried state of the last successful run, without the sent ledger (kept in the
   * run's store: src/workflow/carried-items.ts loadSent).
   */
  carried: CarriedState;
  /** Explicit start given by an operator (backfill), ISO-8601. */
  since?: string;
}

/** What every step reads. */
export interface BaseState {
  configuration?: Record<string, unknown>;
  run: RunContext;
  report: Report;
}

/**
 * f1-j1 (get Primero cases) adds the candidate Primero cursor and what goes to OSCaR. What goes
 * holds child data, so it travels through the run's store (src/workflow/hand-off.ts): a step
 * output has `toOscar` empty and `toOscarHandOff` naming the hand-offs and their sizes.
 */
export interface AfterGetPrimeroCases extends BaseState {
  /** Greatest `last_updated_at` of the window's cases; absent when the window was empty. */
  primeroNextCursor?: string;
  /** Filled only inside f1-j1 and f1-j2; empty in every step output. */
  toOscar: ToOscarBatch;
  toOscarHandOff: Record<keyof ToOscarBatch, HandOffRef>;
  /** The cases f1-j2 settles once their referrals land (ids and times, in the run's store). */
  settlingHandOff?: HandOffRef;
  /** Primero referrals seen no longer in progress: their sent-ledger records can go. */
  closedReferralIds: string[];
}

/**
 * f1-j2 (cases to OSCaR) consumes `toOscar` (emptied, so no child data travels further); outcomes
 * go to `report`. The sent ledger lives in the run's store (written as each write is seen):
 * `sent` holds the records f1-j2 consults (deliver.ts deliveryLedger), only between its own
 * operations, and is absent from every step output.
 */
export interface AfterCasesToOscar extends AfterGetPrimeroCases {
  sent?: SentRecord[];
}

/**
 * f2-j1 (get OSCaR cases) adds the candidate OSCaR cursor and the clients to upsert; the clients
 * travel through the run's store (`fromOscar.children` is empty in every step output).
 */
export interface AfterGetOscarCases extends AfterCasesToOscar {
  oscarNextCursor: string;
  fromOscar: FromOscarBatch;
  fromOscarHandOff: HandOffRef;
}

/** f2-j2 (upsert cases to Primero) adds nothing but outcomes in `report`. */
export type AfterUpsertCasesToPrimero = AfterGetOscarCases;
