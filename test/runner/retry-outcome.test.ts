// A retry says what became of each retried item (issue 18 item 2), and retrying one dead letter
// never revives the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAndReport } from '../../src/runner/environment.ts';
import { retriedOutcomes } from '../../src/runner/retry-outcome.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { TEST_SYSTEMS, createStubWorkflow, createWorld, failedItem } from './stub-workflow.ts';

let home: string;
let store: Store;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'interop-retry-'));
  store = openStore(home);
});
afterEach(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

describe('a retry says what became of each item', () => {
  it('failed again with the reason, then landed; the other dead letters stay as they are', async () => {
    const world = createWorld();
    const runner = createRunner({
      store,
      runWorkflow: createStubWorkflow(world),
      systems: TEST_SYSTEMS,
      settings: { maxAttempts: 1 },
    });
    const keys = ['f2-j2:case:G1', 'f2-j2:case:G2', 'f2-j2:case:G3'];
    for (const key of keys) world.broken.add(key);
    world.incoming = keys.map((key) => failedItem(key, 0));
    await runner.runOnce({ trigger: 'manual', since: '2024-05-01T00:00:00Z' });
    world.incoming = [];
    const letters = store.listDeadLetters();
    expect(letters.map((letter) => letter.key)).toEqual(keys);

    const out: string[] = [];
    const terminal = { out: (text: string) => out.push(text), err: { write: () => true } };
    const first = letters[0]!;
    await runAndReport(
      runner,
      { trigger: 'retry', retry: { deadLetterId: first.id } },
      { terminal },
    );
    expect(out.at(-1)).toBe(
      `Retried ${first.id} (${first.key}): dead-lettered again - ${first.reason}`,
    );
    expect(store.listDeadLetters().map((letter) => letter.key)).toEqual(keys);
    expect(store.lastCarriedState()?.retries).toEqual([]);

    world.broken.delete(first.key);
    await runAndReport(
      runner,
      { trigger: 'retry', retry: { deadLetterId: first.id } },
      { terminal },
    );
    expect(out.at(-1)).toBe(`Retried ${first.id} (${first.key}): landed`);
    // Still two dead letters, counted once, none of them queued.
    expect(store.listDeadLetters().map((letter) => letter.key)).toEqual(keys.slice(1));
    expect(store.lastCarriedState()?.retries).toEqual([]);
    // The run's log says it too (the console's run page shows it).
    const retryRun = store.listRuns()[0]!;
    expect(store.getRunLogs(retryRun.id).map((line) => line.message)).toContain(
      `Retried ${first.id} (${first.key}): landed`,
    );
  });

  it('an item the run did not meet is still waiting', () => {
    const [item] = retriedOutcomes(
      [{ key: 'f1-j2:referral:case-9:svc-1' }],
      { failed: [], deadLettered: [], dryRun: false },
      [],
    );
    expect(item).toMatchObject({ outcome: 'still waiting' });
    expect(item?.reason).toMatch(/stays in the retry list/);
  });
});
