// The items that landed in a run (written, or found unchanged), for the local runner's per-item
// history. They are kept here, beside the run, not in the report that travels in the state:
// @openfn/runtime serialises and parses the whole state at every step's end and start and keeps the
// previous step's copy while a step runs, so a list that grows with every item (62 500 at 50 000 +
// 50 000) was copied four times per step boundary (docs/performance.md, "Memory at scale").
// Held on globalThis for the reason item-progress.ts gives (a step compiled into its own bundle
// must reach the run's list); runs are one at a time per process (the runner's lock).
import type { SucceededItem } from './contract.ts';

const KEY = Symbol.for('primero-oscar-interop.item-outcomes');

type Holder = { [KEY]?: SucceededItem[] };

/** Starts keeping the items that land until `stop` is called; `items` is the list kept. */
export function collectSucceeded(): { items: SucceededItem[]; stop: () => void } {
  const holder = globalThis as Holder;
  const items: SucceededItem[] = [];
  holder[KEY] = items;
  return {
    items,
    stop: () => {
      if (holder[KEY] === items) delete holder[KEY];
    },
  };
}

/** Called by outcomes.ts for each item that landed; with no run collecting, it costs nothing. */
export function itemSucceeded(item: SucceededItem): void {
  (globalThis as Holder)[KEY]?.push(item);
}
