// The state store of the OpenFn.org bodies: one Collection of the project, spoken to through the
// collections adaptor's own operations (get/set/remove). The worker appends that adaptor to every
// step whose body mentions `collections.` and puts `collections_endpoint` and `collections_token`
// (the run's token) into each step's configuration (OpenFn/kit packages/ws-worker/src/util/
// convert-lightning-plan.ts, appendCollectionsAdaptor; runtime util/assemble-state.ts).
import { collections } from '@openfn/language-collections';
import type { StateStore, StoredItem } from '../workflow/state-store.ts';
import { assertKey, useStateStoreFactory } from '../workflow/state-store.ts';
import type { StoreHolder } from '../workflow/state-store.ts';

/**
 * The Collection an admin creates in the project's settings. Lightning looks a collection up by
 * name across all projects (409 when two projects share one), so the name is this project's own.
 */
export const COLLECTION_NAME = 'primero-oscar-interop';

interface CollectionsConfig {
  collections_endpoint: string;
  collections_token: string;
}

function collectionsConfig(state: StoreHolder): CollectionsConfig {
  const configuration = state.configuration ?? {};
  const endpoint = configuration['collections_endpoint'];
  const token = configuration['collections_token'];
  if (typeof endpoint !== 'string' || endpoint === '' || typeof token !== 'string' || token === '')
    throw new Error(
      'This step has no collections_endpoint/collections_token in its configuration: on ' +
        'OpenFn.org the worker adds them to steps whose body uses collections; run the built ' +
        'bodies from `npx interop build-openfn` unchanged (docs/deploy.md)',
    );
  return { collections_endpoint: endpoint, collections_token: token };
}

/**
 * Above this many keys a get lists their common prefix instead of asking key by key: a key is one
 * request, a listing one request per page of up to 1000 items (Lightning's default page size), so a
 * listing wins once the keys outnumber the pages it could take for a list this project keeps.
 */
export const KEYS_PER_LISTING = 50;

/** Lightning's key patterns are SQL LIKE: `*` is any run, but `_` also matches any one character. */
const pattern = (prefix: string) => `${prefix}*`;

export function collectionsStore(
  config: CollectionsConfig,
  name: string = COLLECTION_NAME,
): StateStore {
  // The adaptor's operations read the endpoint and token from the state they are given.
  const opState = () => ({ configuration: { ...config }, data: undefined as unknown });
  return {
    async list(prefix) {
      const state = await collections.get(name, { key: pattern(prefix) })(opState());
      const items = (state.data as StoredItem[]).filter((item) => item.key.startsWith(prefix));
      return items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async get(keys, within) {
      if (within !== undefined && keys.length > KEYS_PER_LISTING) {
        const wanted = new Set(keys);
        return (await this.list(within)).filter((item) => wanted.has(item.key));
      }
      const found: StoredItem[] = [];
      for (const key of keys) {
        // One key (no `*`): the adaptor asks for it alone; an absent key answers 204, given as {}.
        const state = await collections.get(name, encodeURIComponent(assertKey(key)))(opState());
        const value = state.data as unknown;
        const absent =
          value === undefined ||
          value === null ||
          (typeof value === 'object' && Object.keys(value as object).length === 0);
        if (!absent) found.push({ key, value });
      }
      return found;
    },
    async set(items) {
      if (items.length === 0) return;
      const byKey = new Map(items.map((item) => [assertKey(item.key), item.value]));
      const keys = [...byKey.keys()];
      // One key per item; the adaptor posts them in batches of 1000 (Lightning's upsert). It calls
      // the key generator once per value, in order; older versions pass (value, index), newer ones
      // (value, state, index), so the keys are handed out in call order instead.
      let next = 0;
      await collections.set(name, () => keys[next++]!, [...byKey.values()])(opState());
    },
    async remove(keys) {
      // A key goes into the URL path: encoded, and one by one (a pattern would also match `_`).
      for (const key of keys)
        await collections.remove(name, encodeURIComponent(assertKey(key)))(opState());
    },
    async removePrefix(prefix) {
      const found = await this.list(prefix);
      await this.remove(found.map((item) => item.key));
    },
  };
}

/** Installed by every OpenFn.org body: steps find their store through stepStore(state). */
export function useCollectionsStore(): void {
  useStateStoreFactory((state) => collectionsStore(collectionsConfig(state)));
}
