// Child data one step fetches and the next step needs (f1-j1's referrals for f1-j2, f2-j1's OSCaR
// children for f2-j2) never travels in a step's output: on OpenFn.org every output is stored as
// a dataclip. The fetching step puts it in the run's state store, one item per element under
// `handoff:<run id>:<name>:<index>`, and hands on only the count; the consuming step takes it
// (reads and removes it), and the run's end removes whatever a failed step left behind.
import type { BaseState } from './state.ts';
import type { StateStore } from './state-store.ts';
import { assertKey } from './state-store.ts';

export const HAND_OFF_PREFIX = 'handoff:';

const runPrefix = (runId: string) => assertKey(`${HAND_OFF_PREFIX}${runId}:`);
const namePrefix = (runId: string, name: string) => assertKey(`${runPrefix(runId)}${name}:`);

/** What a step output says about a hand-off: its name and size, never its contents. */
export interface HandOffRef {
  handOff: string;
  count: number;
}

export async function putHandOff(
  store: StateStore,
  runId: string,
  name: string,
  values: readonly unknown[],
): Promise<HandOffRef> {
  const prefix = namePrefix(runId, name);
  // A step run again within the same run replaces what it put before.
  await store.removePrefix(prefix);
  if (values.length > 0)
    await store.set(
      values.map((value, index) => ({ key: `${prefix}${String(index).padStart(7, '0')}`, value })),
    );
  return { handOff: name, count: values.length };
}

/** The values put under `ref`, in their order, removed from the store. */
export async function takeHandOff<T>(
  store: StateStore,
  runId: string,
  ref: HandOffRef,
): Promise<T[]> {
  const prefix = namePrefix(runId, ref.handOff);
  const items = await store.list(prefix);
  if (items.length !== ref.count)
    throw new Error(
      `The hand-off ${ref.handOff} of run ${runId} holds ${items.length} items, expected ${ref.count}: ` +
        `the run's store lost or gained items between steps; start the run again`,
    );
  await store.removePrefix(prefix);
  return items.map((item) => item.value as T);
}

/** Removes every hand-off of run `runId` (called when the run ends, however it ends). */
export async function clearHandOffs(store: StateStore, runId: string): Promise<void> {
  await store.removePrefix(runPrefix(runId));
}

/** The run's id, under which its hand-offs are kept. */
export function runIdOf(state: BaseState): string {
  const id = state.run.id;
  if (id === undefined || id === '')
    throw new Error(
      'This run has no id: its steps cannot hand data on; start it with runWorkflow or the built f1-j1 body',
    );
  return id;
}

/** A value as the local hand-off holds it: a string as it is, anything else serialised. */
type Held = { text: string } | { json: string };

/**
 * One local run's hand-off, in this process's memory. A string value (f2-j1's packed children,
 * PackedChild: each OSCaR child already one JSON text) is kept as it is: nobody can change a
 * string, so serialising it again would only hold the whole OSCaR listing twice at the end of
 * f2-j1, and parsing it back a second time at the start of f2-j2 (docs/performance.md, "Memory at
 * scale"). Any other value is kept serialised, as memoryStateStore keeps it: no caller shares an
 * object.
 */
export function memoryHandOffStore(): StateStore {
  const items = new Map<string, Held>();
  const valueOf = (held: Held): unknown =>
    'text' in held ? held.text : (JSON.parse(held.json) as unknown);
  return {
    async list(prefix) {
      return [...items.keys()]
        .filter((key) => key.startsWith(prefix))
        .sort()
        .map((key) => ({ key, value: valueOf(items.get(key)!) }));
    },
    async get(keys) {
      return keys.flatMap((key) => {
        const held = items.get(key);
        return held === undefined ? [] : [{ key, value: valueOf(held) }];
      });
    },
    async set(list) {
      for (const { key, value } of list)
        items.set(
          assertKey(key),
          typeof value === 'string' ? { text: value } : { json: JSON.stringify(value) },
        );
    },
    async remove(keys) {
      for (const key of keys) items.delete(key);
    },
    async removePrefix(prefix) {
      for (const key of [...items.keys()]) if (key.startsWith(prefix)) items.delete(key);
    },
  };
}
