// The sync's processes (npx interop, the benchmark's worker) run under a heap budget, unless the
// operator gives one in NODE_OPTIONS. Checked on a real Node process, not on the flag text.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAP_BUDGET_MB, syncNodeFlags } from '../../bin/node-flags.js';
import { interop } from './interop-cli.ts';

const MB = 1024 * 1024;

/** The heap limit V8 reports in a Node process started with the sync's flags. */
function heapLimitMb(env: Record<string, string>): number {
  const out = execFileSync(
    process.execPath,
    [...syncNodeFlags(env), '-p', "require('node:v8').getHeapStatistics().heap_size_limit"],
    { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
  );
  return Number(out.trim()) / MB;
}

describe('heap budget of the sync process', () => {
  it(`is ${HEAP_BUDGET_MB} MB of old space by default`, () => {
    const limit = heapLimitMb({});
    // The limit V8 reports adds the young generation to the old space budget.
    expect(limit).toBeGreaterThanOrEqual(HEAP_BUDGET_MB);
    expect(limit).toBeLessThan(HEAP_BUDGET_MB + 128);
  });
  it('an operator raises it with NODE_OPTIONS=--max-old-space-size', () => {
    expect(syncNodeFlags({ NODE_OPTIONS: '--max-old-space-size=1024' })).not.toContainEqual(
      expect.stringMatching(/max-old-space-size/),
    );
    expect(heapLimitMb({ NODE_OPTIONS: '--max-old-space-size=1024' })).toBeGreaterThanOrEqual(1024);
  });
  it('keeps the flag OpenFn.org bodies need', () => {
    expect(syncNodeFlags({})).toContain('--experimental-vm-modules');
  });
  it('npx interop out of its budget says so and how to raise it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'interop-heap-'));
    try {
      // Far too small a budget: the CLI cannot even load. `run` is a command that runs the sync:
      // the launcher starts it in a child with the sync's flags and watches it.
      const result = await interop(['run'], {
        cwd: home,
        env: { NODE_OPTIONS: '--max-old-space-size=8' },
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/out of its heap budget/);
      expect(result.stderr).toMatch(/NODE_OPTIONS=--max-old-space-size=1024/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
