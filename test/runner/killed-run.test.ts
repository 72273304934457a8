import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunner } from '../../src/runner/run-once.ts';
import { INTERRUPTED_REASON, openStore } from '../../src/runner/store.ts';
import { TEST_SYSTEMS, createStubWorkflow, createWorld, failedItem } from './stub-workflow.ts';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** Starts the child run and resolves once it is blocked inside f2-j2. */
function startChildRun(home: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'killable-run.ts'), home],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const inF2j2 = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('IN f2-j2')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before f2-j2: ${stderr}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  return { child, inF2j2, exited };
}

describe('a run killed half-way (SIGKILL during f2-j2)', () => {
  it('leaves the store consistent and the next run covers the same window again', async () => {
    const home = mkdtempSync(join(tmpdir(), 'interop-kill-'));
    homes.push(home);
    let store = openStore(home);
    await createRunner({
      store,
      runWorkflow: createStubWorkflow(createWorld()),
      systems: TEST_SYSTEMS,
    }).runOnce({
      trigger: 'manual',
      since: '2024-05-01T00:00:00Z',
    });
    const before = store.lastCarriedState();
    expect(before?.cursors.primero).toBe('2024-06-01T10:00:00.000Z');
    store.close();

    const { child, inF2j2, exited } = startChildRun(home);
    await inF2j2;
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const raw = new Database(join(home, 'interop.sqlite'), { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    store = openStore(home);
    const killed = store.listRuns()[0]!;
    expect(killed.status).toBe('interrupted');
    expect(killed.error).toBe(INTERRUPTED_REASON);
    expect(store.getRunLogs(killed.id).map((line) => line.message)).toContain(
      'fetched 2 OSCaR clients',
    );
    expect(store.lockHolder()).toBeUndefined();
    expect(store.lastCarriedState()).toEqual(before);

    const world = createWorld({
      now: '2024-06-02T10:00:00.000Z',
      incoming: [failedItem('f2-j2:case:G1', 0), failedItem('f2-j2:case:G2', 0)],
    });
    const next = await createRunner({
      store,
      runWorkflow: createStubWorkflow(world),
      systems: TEST_SYSTEMS,
    }).runOnce({
      trigger: 'schedule',
    });
    expect(next.status).toBe('succeeded');
    expect(world.calls[0]?.carried?.cursors).toEqual(before?.cursors);
    expect(world.written).toEqual(['f2-j2:case:G1', 'f2-j2:case:G2']);
    expect(store.lastCarriedState()?.cursors.primero).toBe('2024-06-02T10:00:00.000Z');
    expect(store.listRuns().map((run) => run.status)).toEqual([
      'succeeded',
      'interrupted',
      'succeeded',
    ]);
    store.close();
  });
});
