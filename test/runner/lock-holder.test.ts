// The run lock tells a live holder from a dead one, a zombie one, a later process that got the same
// pid, and another machine's. A killed runner whose parent has not reaped it yet is a zombie: it
// still answers kill(pid, 0) (kill(2)), but proc(5) shows state `Z` in /proc/<pid>/stat.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { processRunning } from '../../src/runner/process-identity.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { INTERRUPTED_REASON, openStore } from '../../src/runner/store.ts';
import { TEST_SYSTEMS, createStubWorkflow, createWorld } from './stub-workflow.ts';

const homes: string[] = [];
const parents: ChildProcess[] = [];
afterEach(() => {
  // Ending the non-reaping parent lets init reap the zombie.
  for (const parent of parents.splice(0)) parent.kill('SIGKILL');
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const tempHome = () => {
  const home = mkdtempSync(join(tmpdir(), 'interop-lock-'));
  homes.push(home);
  return home;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const procState = (pid: number) => {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
};

/**
 * Starts `command` in the background of a shell that then becomes `sleep`, which never waits for
 * children: once the background process is killed it stays a zombie until the parent ends.
 * Resolves with the background process's pid once its output contains `ready`.
 */
function startUnreaped(command: string, ready: string): Promise<number> {
  const parent = spawn('sh', ['-c', `${command} & echo "PID $!"; exec sleep 600`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  parents.push(parent);
  let out = '';
  let err = '';
  parent.stderr!.on('data', (chunk) => (err += String(chunk)));
  return new Promise((resolve, reject) => {
    parent.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const pid = /PID (\d+)/.exec(out)?.[1];
      if (pid && out.includes(ready)) resolve(Number(pid));
    });
    parent.on('exit', () => reject(new Error(`the shell ended early: ${err}`)));
  });
}

/** SIGKILLs `pid` and waits (no time limit: the test's own timeout bounds it) until it is a zombie. */
async function killIntoZombie(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  while (procState(pid) !== 'Z') await sleep(20);
}

describe.skipIf(process.platform !== 'linux')('the run lock and its holder', () => {
  it('a zombie is not running, although kill(pid, 0) still reaches it', async () => {
    const pid = await startUnreaped('sleep 600', 'PID');
    expect(processRunning(pid)).toBe(true);
    await killIntoZombie(pid);
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(processRunning(pid)).toBe(false);
  });

  it('a runner SIGKILLed into a zombie does not block the next run', async () => {
    const home = tempHome();
    // A first run sets the cursor the killable run starts from.
    const first = openStore(home);
    await createRunner({
      store: first,
      runWorkflow: createStubWorkflow(createWorld()),
      systems: TEST_SYSTEMS,
    }).runOnce({ trigger: 'manual', since: '2024-05-01T00:00:00Z' });
    first.close();
    const script = join(import.meta.dirname, 'killable-run.ts');
    const pid = await startUnreaped(
      `"${process.execPath}" --import tsx "${script}" "${home}"`,
      'IN f2-j2',
    );
    await killIntoZombie(pid);

    const store = openStore(home);
    try {
      expect(store.lockHolder()).toBeUndefined();
      const next = await createRunner({
        store,
        runWorkflow: createStubWorkflow(createWorld({ now: '2024-06-02T10:00:00.000Z' })),
        systems: TEST_SYSTEMS,
      }).runOnce({ trigger: 'manual' });
      expect(next.status).toBe('succeeded');
      const [latest, killed] = store.listRuns();
      expect(latest?.id).toBe(next.status === 'succeeded' ? next.run.id : undefined);
      expect(killed).toMatchObject({ status: 'interrupted', error: INTERRUPTED_REASON, pid });
    } finally {
      store.close();
    }
  }, 120_000);

  it('a live process that got the holder’s pid later is not the holder', () => {
    const home = tempHome();
    const store = openStore(home);
    try {
      const first = store.acquireLock({ runId: 'run-1' });
      expect(first.ok).toBe(true);
      // Same pid (this process, alive) but recorded by a process started at another time.
      const raw = new Database(join(home, 'interop.sqlite'));
      raw.prepare("UPDATE run_lock SET identity = 'another-boot:12345'").run();
      raw.close();
      expect(store.lockHolder()).toBeUndefined();
      expect(store.acquireLock({ runId: 'run-2' }).ok).toBe(true);
      // The real holder (same pid, same start) is still recognised.
      expect(store.lockHolder()?.runId).toBe('run-2');
      expect(store.acquireLock({ runId: 'run-3' }).ok).toBe(false);
    } finally {
      store.close();
    }
  });

  it("another machine's lock is taken over only once its lease has expired", () => {
    const home = tempHome();
    const store = openStore(home);
    try {
      expect(store.acquireLock({ runId: 'remote-run' }).ok).toBe(true);
      const raw = new Database(join(home, 'interop.sqlite'));
      // A pid that surely is not running here: the other host's process cannot be checked.
      raw.prepare("UPDATE run_lock SET host = 'another-host', pid = 999999999").run();
      const refused = store.acquireLock({ runId: 'local-run' });
      expect(refused).toMatchObject({
        ok: false,
        heldBy: { runId: 'remote-run', host: 'another-host' },
      });
      raw
        .prepare('UPDATE run_lock SET lease_until = ?')
        .run(new Date(Date.now() - 1000).toISOString());
      raw.close();
      expect(store.acquireLock({ runId: 'local-run' }).ok).toBe(true);
    } finally {
      store.close();
    }
  });

  it('a store made before the lock recorded identities gains the column and works', () => {
    const home = tempHome();
    const raw = new Database(join(home, 'interop.sqlite'));
    raw.exec(`CREATE TABLE run_lock (
      id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, run_id TEXT NOT NULL,
      pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL, lease_until TEXT NOT NULL)`);
    raw.close();
    const store = openStore(home);
    try {
      expect(store.acquireLock({ runId: 'run-1' }).ok).toBe(true);
      expect(store.lockHolder()?.runId).toBe('run-1');
    } finally {
      store.close();
    }
  });
});
