// The one place state lives between steps and between runs, whoever runs the sync: a key-value
// store written one item at a time (a key per cursor set, ledger record, retry, dead letter or
// hand-off item), never one blob rewritten per change. On OpenFn.org it is a Collection
// (src/openfn/collections-store.ts), for the local runner its SQLite database
// (src/runner/store.ts), in tests and for one local run's hand-off a Map (memoryStateStore).
import type { BaseState } from './state.ts';

export interface StoredItem {
  key: string;
  /** Any JSON value; ids, counts and reasons, or one run's hand-off (removed at run end). */
  value: unknown;
}

export interface StateStore {
  /** Every item whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StoredItem[]>;
  /**
   * The items the store holds under exactly these keys (absent keys are left out), for a step that
   * needs a few items of a long list. `within`, a prefix every key starts with, lets a store whose
   * per-key read is a request list that prefix instead when that is cheaper.
   */
  get(keys: readonly string[], within?: string): Promise<StoredItem[]>;
  /** Inserts or replaces each item under its key. */
  set(items: readonly StoredItem[]): Promise<void>;
  /** Removes the items with exactly these keys (absent keys are fine). */
  remove(keys: readonly string[]): Promise<void>;
  /** Removes every item whose key starts with `prefix`. */
  removePrefix(prefix: string): Promise<void>;
}

/** Keys are ids joined by `:`; nothing that a URL path or a key pattern would read differently. */
const SAFE_KEY = /^[A-Za-z0-9:._@+-]+$/;

/** Whether a store item can have this key (see assertKey). */
export const isKey = (key: string): boolean => SAFE_KEY.test(key) && key.length <= 255;

export function assertKey(key: string): string {
  if (!isKey(key))
    throw new Error(
      `State key "${key.slice(0, 80)}" is unusable: keys are at most 255 characters of ` +
        `letters, digits and : . _ @ + -`,
    );
  return key;
}

/** A store in this process's memory: one local run's hand-off, and tests. */
export function memoryStateStore(): StateStore & { items: Map<string, string> } {
  // Values are kept serialised, as every real store keeps them: no caller shares an object.
  const items = new Map<string, string>();
  return {
    items,
    async list(prefix) {
      return [...items.keys()]
        .filter((key) => key.startsWith(prefix))
        .sort()
        .map((key) => ({ key, value: JSON.parse(items.get(key)!) as unknown }));
    },
    async get(keys) {
      return keys.flatMap((key) => {
        const value = items.get(key);
        return value === undefined ? [] : [{ key, value: JSON.parse(value) as unknown }];
      });
    },
    async set(list) {
      for (const item of list) items.set(assertKey(item.key), JSON.stringify(item.value));
    },
    async remove(keys) {
      for (const key of keys) items.delete(key);
    },
    async removePrefix(prefix) {
      for (const key of [...items.keys()]) if (key.startsWith(prefix)) items.delete(key);
    },
  };
}

/**
 * One store made of two: keys under `prefix` live in `routed`, every other key in `rest`. The local
 * runner keeps a run's hand-off (child data) in memory and everything else in its database.
 */
export function splitStore(prefix: string, routed: StateStore, rest: StateStore): StateStore {
  const mine = (key: string) => key.startsWith(prefix);
  // A prefix that could cover keys on both sides asks both and merges them in key order.
  const both = (wanted: string) => prefix.startsWith(wanted);
  return {
    async list(wanted) {
      if (mine(wanted)) return routed.list(wanted);
      if (!both(wanted)) return rest.list(wanted);
      const items = [...(await routed.list(wanted)), ...(await rest.list(wanted))];
      return items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async get(keys, within) {
      const inRouted = keys.filter(mine);
      const inRest = keys.filter((key) => !mine(key));
      return [
        ...(inRouted.length > 0 ? await routed.get(inRouted) : []),
        ...(inRest.length > 0 ? await rest.get(inRest, within) : []),
      ];
    },
    async set(items) {
      const inRouted = items.filter((item) => mine(item.key));
      const inRest = items.filter((item) => !mine(item.key));
      if (inRouted.length > 0) await routed.set(inRouted);
      if (inRest.length > 0) await rest.set(inRest);
    },
    async remove(keys) {
      const inRouted = keys.filter(mine);
      const inRest = keys.filter((key) => !mine(key));
      if (inRouted.length > 0) await routed.remove(inRouted);
      if (inRest.length > 0) await rest.remove(inRest);
    },
    async removePrefix(wanted) {
      if (mine(wanted) || both(wanted)) await routed.removePrefix(wanted);
      if (!mine(wanted)) await rest.removePrefix(wanted);
    },
  };
}

// Which store a step uses. Locally runWorkflow registers one per run id; on OpenFn.org each body
// installs a factory that builds the Collections store from the step's configuration.
const perRun = new Map<string, StateStore>();
/** What a store factory may read: the step's configuration (credentials injected per step). */
export type StoreHolder = Pick<BaseState, 'configuration'> & { run?: { id?: string } };
let factory: ((state: StoreHolder) => StateStore) | undefined;

/** Routes the steps of run `runId` to `store` until the returned function is called. */
export function registerRunStore(runId: string, store: StateStore): () => void {
  perRun.set(runId, store);
  return () => {
    perRun.delete(runId);
  };
}

/** How a body builds its store when no runner registered one (OpenFn.org). */
export function useStateStoreFactory(make: (state: StoreHolder) => StateStore): void {
  factory = make;
}

export function stepStore(state: StoreHolder): StateStore {
  const id = state.run?.id;
  const registered = id === undefined ? undefined : perRun.get(id);
  if (registered) return registered;
  if (factory) return factory(state);
  throw new Error(
    'No state store for this run: run the steps through runWorkflow, or build them with ' +
      '`npx interop build-openfn` (OpenFn.org keeps state in Collections)',
  );
}
