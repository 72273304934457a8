// The hand-off of child data between two steps of one run (src/workflow/hand-off.ts): one item
// per record under the run's id, taken (read and removed) by the next step, the rest cleared at
// the run's end; a hand-off that lost items fails loudly instead of syncing part of a window.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  clearHandOffs,
  memoryHandOffStore,
  putHandOff,
  takeHandOff,
} from '../../src/workflow/hand-off.ts';
import { memoryStateStore } from '../../src/workflow/state-store.ts';

describe('a hand-off between steps', () => {
  it('is one item per record, in order, and gone once the next step took it', async () => {
    const store = memoryStateStore();
    const records = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}` }));
    const ref = await putHandOff(store, 'run-1', 'fromOscar.children', records);
    expect(ref).toEqual({ handOff: 'fromOscar.children', count: 12 });
    expect([...store.items.keys()]).toHaveLength(12);
    expect(await takeHandOff(store, 'run-1', ref)).toEqual(records);
    expect(store.items.size).toBe(0);
  });

  it('fails naming the run when items went missing between the steps', async () => {
    const store = memoryStateStore();
    const ref = await putHandOff(store, 'run-2', 'toOscar.referrals', [{ a: 1 }, { a: 2 }]);
    store.items.delete([...store.items.keys()][0]!);
    await expect(takeHandOff(store, 'run-2', ref)).rejects.toThrow(
      /toOscar.referrals of run run-2 holds 1 items, expected 2/,
    );
  });

  it('is cleared at the run’s end without touching another run or the carried state', async () => {
    const store = memoryStateStore();
    await store.set([{ key: 'carried:cursors', value: { primero: 'x' } }]);
    await putHandOff(store, 'run-3', 'toOscar.links', [{ l: 1 }]);
    await putHandOff(store, 'run-4', 'toOscar.links', [{ l: 2 }]);
    await clearHandOffs(store, 'run-3');
    expect([...store.items.keys()].sort()).toEqual([
      'carried:cursors',
      'handoff:run-4:toOscar.links:0000000',
    ]);
  });
});

/** Heap in use after a full collection (the live set), in bytes. */
function liveHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('the local run’s hand-off store', () => {
  it('hands back what it was given, an object as a copy nobody else holds', async () => {
    const store = memoryHandOffStore();
    const record = { id: 'c1', nested: { n: 1 } };
    const ref = await putHandOff(store, 'run-5', 'toOscar.referrals', [record]);
    record.nested.n = 2;
    expect(await takeHandOff(store, 'run-5', ref)).toEqual([{ id: 'c1', nested: { n: 1 } }]);
    expect(await store.list('handoff:')).toEqual([]);
  });

  // f2-j1 hands on every OSCaR child of the window as one JSON text each (PackedChild); at 50 000
  // children that is tens of MB. Serialising each text again (and parsing it back in f2-j2) held
  // the listing twice over at the step boundary: the store keeps the texts as they are.
  it('keeps packed children as they are: neither the put nor the take copies the listing', async () => {
    const store = memoryHandOffStore();
    const packed = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ globalId: `G${i}`, records: [{ note: `"${i}"`.padEnd(8000, 'x') }] }),
    );
    const size = packed.reduce((sum, text) => sum + text.length, 0);
    const before = liveHeap();
    const ref = await putHandOff(store, 'run-6', 'fromOscar.children', packed);
    const afterPut = liveHeap();
    const taken = await takeHandOff<string>(store, 'run-6', ref);
    const afterTake = liveHeap();
    expect(taken).toEqual(packed);
    expect(afterPut - before).toBeLessThan(size / 4);
    expect(afterTake - before).toBeLessThan(size / 4);
  });
});
