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
