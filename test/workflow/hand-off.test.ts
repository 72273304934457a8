// The hand-off of child data between two steps of one run (src/workflow/hand-off.ts): one item
// per record under the run's id, taken (read and removed) by the next step, the rest cleared at
// the run's end; a hand-off that lost items fails loudly instead of syncing part of a window.
import { describe, expect, it } from 'vitest';
import { clearHandOffs, putHandOff, takeHandOff } from '../../src/workflow/hand-off.ts';
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
