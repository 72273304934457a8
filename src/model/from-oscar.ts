// What f2 brings from OSCaR: the children f2-j1 reads from a listing and f2-j2 upserts. Declared
// here, below both the sync and the workflow, because the step state (src/workflow/state.ts) names
// the batch and the sync's rules build it: neither folder has to import the other for it.
import type { OscarClientRecord } from './oscar.ts';

/** One child as OSCaR lists it: every record with its global_id (one per NGO that serves it). */
export interface OscarChild {
  globalId: string;
  records: OscarClientRecord[];
}

/**
 * A child as it travels in the state from f2-j1 to f2-j2: the JSON text of its OscarChild.
 * @openfn/runtime copies the state (serialise, then parse) out of each step and into the next, and
 * keeps the previous step's copy while a step runs. Carried as objects, a 50 000-client window is
 * two million objects copied four times; carried as one string per child it is 50 000 strings, the
 * size of its JSON, and f2-j2 decodes each child only when its turn comes (docs/performance.md).
 */
export type PackedChild = string & { readonly packedChild: unique symbol };

/** What f2-j1 hands to f2-j2. Holds child data for the length of one run only. */
export interface FromOscarBatch {
  /** The `since_date` OSCaR was asked for (the widened window start). */
  since: string;
  /** In global_id order (groupChildren). */
  children: PackedChild[];
}
