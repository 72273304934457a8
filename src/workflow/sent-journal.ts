// The write-ahead journal of the sent ledger, for a caller of runWorkflow that gives it no durable
// store. OSCaR cannot deduplicate a re-sent referral, so the ledger must survive a process killed
// between "the upsert went on the wire" and "the run stored its outcome". f1-j2 writes each ledger
// record to the run's store the moment it changes (marked unconfirmed before its upsert leaves,
// then confirmed); when that store is this process's memory, runWorkflow reports each record
// written or removed to RunWorkflowOptions.onSentRecord, synchronously and one record at a time:
// the cost of a report never grows with the ledger. The local runner gives runWorkflow its own
// database as the store instead (src/runner/run-once.ts), and on OpenFn.org it is the Collection.
import type { SentRecord } from './contract.ts';
import type { StateStore } from './state-store.ts';
import { SENT_PREFIX } from './carried-items.ts';

/** One ledger change: a record written (set) or a record's key removed. */
export type SentChange = { set: SentRecord } | { remove: string };

/** `store`, reporting every ledger record written to it or removed from it to `journal`. */
export function journaledStore(
  store: StateStore,
  journal: (change: SentChange) => void,
): StateStore {
  return {
    ...store,
    async set(items) {
      await store.set(items);
      for (const item of items)
        if (item.key.startsWith(SENT_PREFIX)) journal({ set: item.value as SentRecord });
    },
    async remove(keys) {
      await store.remove(keys);
      for (const key of keys)
        if (key.startsWith(SENT_PREFIX)) journal({ remove: key.slice(SENT_PREFIX.length) });
    },
    list: (prefix) => store.list(prefix),
    get: (keys, within) => store.get(keys, within),
    removePrefix: (prefix) => store.removePrefix(prefix),
  };
}
