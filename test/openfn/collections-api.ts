// The Collections API the OpenFn.org bodies keep their state in, for tests: an emulator holding the
// project's empty collection, how a run's steps reach it, and what it holds afterwards.
import { startCollectionsEmulator } from '../../demo/collections/index.ts';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { COLLECTION_NAME } from '../../src/openfn/collections-store.ts';
import { carriedFromItems } from '../../src/workflow/carried-items.ts';
import type { CarriedState } from '../../src/workflow/contract.ts';
import { emptyCarried } from '../../src/workflow/lifecycle.ts';
import type { CollectionsAccess } from './runtime-harness.ts';

const RUN_TOKEN = 'lightning-run-token';

/** A Collections API holding this project's empty collection, and how the steps reach it. */
export async function startCollections(): Promise<{
  api: RunningEmulator;
  access: CollectionsAccess;
}> {
  const api = await startCollectionsEmulator({
    seed: {
      tokens: [{ token: RUN_TOKEN, project_id: 'interop' }],
      collections: [{ name: COLLECTION_NAME, project_id: 'interop' }],
    },
  });
  return {
    api,
    access: { collections_endpoint: `${api.url}/collections`, collections_token: RUN_TOKEN },
  };
}

/** The items of the project's collection, values parsed. */
export function storedItems(api: RunningEmulator): Array<{ key: string; value: unknown }> {
  const exported = api.state() as {
    collections: Record<string, { items: Array<{ key: string; value: string }> }>;
  };
  return exported.collections[COLLECTION_NAME]!.items.map((item) => ({
    key: item.key,
    value: JSON.parse(item.value) as unknown,
  }));
}

/** The carried state the collection holds, lists in key order (as a local run's, sorted). */
export function storedCarried(api: RunningEmulator): CarriedState {
  return sortedCarried({ ...emptyCarried(), ...carriedFromItems(storedItems(api)) });
}

export function sortedCarried(carried: CarriedState): CarriedState {
  const byKey = <T extends { key: string }>(list: readonly T[] = []) =>
    [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    ...carried,
    retries: byKey(carried.retries),
    deadLetters: byKey(carried.deadLetters),
    sent: byKey(carried.sent),
  };
}
