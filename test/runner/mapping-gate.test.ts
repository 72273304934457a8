// The console and the timer go through the same refusing runner as the CLI: while a table needs
// attention no run starts, the console's Run says why, and the overview lists the problems.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runnerBackend } from '../../src/console/runner-backend.ts';
import { overviewPage } from '../../src/console/views/overview.ts';
import { refusingOnBrokenTables } from '../../src/runner/mapping-gate.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { TEST_SYSTEMS, createStubWorkflow, createWorld } from './stub-workflow.ts';

const PROBLEM =
  '[src/mapping/agencies.json:27:1] not valid JSON: a value is missing here; JSON allows no comma after the last entry of a list or object: remove it';

let store: Store | undefined;
let home: string | undefined;
afterEach(() => {
  store?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

function runners(problems: string[]) {
  home = mkdtempSync(join(tmpdir(), 'interop-gate-'));
  store = openStore(home);
  let syncs = 0;
  const stub = createStubWorkflow(createWorld());
  const inner = createRunner({
    store,
    systems: TEST_SYSTEMS,
    runWorkflow: async (options) => {
      syncs += 1;
      return stub(options);
    },
  });
  const runner = refusingOnBrokenTables(inner, () => problems);
  return { runner, syncs: () => syncs };
}

describe('runs while the mapping tables need attention', () => {
  it('are refused with the list, and nothing is attempted or recorded', async () => {
    const { runner, syncs } = runners([PROBLEM]);
    const result = await runner.runOnce({ trigger: 'schedule', since: '2025-01-01T00:00:00Z' });
    expect(result).toMatchObject({ status: 'refused' });
    expect(result.status === 'refused' && result.reason).toBe(
      `The mapping tables need attention (1 problem(s)); nothing was run:\n  - ${PROBLEM}\n` +
        'Fix them (src/mapping/README.md), check with `npx interop check-mappings`, then run again.',
    );
    expect(syncs()).toBe(0);
    // Stored as refused with the same list: the history and the verdict say why nothing ran.
    expect(runner.store.listRuns().map((run) => [run.status, run.error?.split('\n')[0]])).toEqual([
      ['refused', 'The mapping tables need attention (1 problem(s)); nothing was run:'],
    ]);
  });

  it('go ahead once the tables are fine', async () => {
    const { runner, syncs } = runners([]);
    const result = await runner.runOnce({ trigger: 'manual', since: '2025-01-01T00:00:00Z' });
    expect(result.status).toBe('succeeded');
    expect(syncs()).toBe(1);
  });

  it("the console's Run says why, and its overview lists the problems", async () => {
    const { runner } = runners([PROBLEM]);
    const backend = runnerBackend(runner, { mappingProblems: () => [PROBLEM] });
    const started = await backend.startRun({ kind: 'now' }, {});
    expect(started).toEqual({ error: expect.stringContaining(PROBLEM) });
    const overview = await backend.overview();
    expect(overview.mappingProblems).toEqual([PROBLEM]);
    const page = String(overviewPage(overview, { nonce: 'n', csrfToken: 't' }));
    expect(page).toContain('id="mapping-tables"');
    expect(page).toContain('src/mapping/agencies.json:27:1');
    expect(page).toMatch(/runs are refused until they\s+are fixed/);
  });
});
