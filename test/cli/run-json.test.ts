// `interop run --json` prints one JSON document on stdout in every outcome; log lines go to stderr,
// also those of requests still in flight when a step failed (f1-j1 fetches the referrals of the
// cases referring to OSCaR in lanes, jobs/f1-j1-get-primero-cases.ts: one refused fetch fails the
// step).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { log, setLogSink } from '../../src/log.ts';
import { systemsEnv } from '../e2e/helpers.ts';
import { worldSystems } from '../reliability/harness.ts';
import { START } from '../reliability/world.ts';
import { interop } from './interop-cli.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('run --json', () => {
  it('a failed step with a request still in flight: stdout is one JSON document', async () => {
    const systems = await worldSystems();
    const home = mkdtempSync(join(tmpdir(), 'interop-json-'));
    dirs.push(home);
    const route = 'GET /api/v2/cases/:id/referrals';
    // The first referrals fetch is refused the credentials (401: the whole system, never retried);
    // the next one answers late. (A 403 would fail only that case: per-item isolation.)
    systems.primero.setFaults({
      rules: [
        {
          route,
          status: 401,
          body: { errors: [{ status: 401, message: 'Unauthorized' }] },
          times: 1,
        },
        { route, delayMs: 1500 },
      ],
    });
    try {
      const result = await interop(['run', '--json', '--since', START], {
        env: {
          INTEROP_HOME: home,
          ...systemsEnv(systems),
        },
        cwd: home,
      });
      // The scenario really happened: the step failed, and the late request was answered.
      expect(systems.primero.requestCounts()[route]).toBeGreaterThanOrEqual(2);
      expect(result.code, result.stderr).toBe(1);
      const summary = JSON.parse(result.stdout) as { status: string; ok: boolean; error: string };
      expect(summary).toMatchObject({ status: 'failed', ok: false });
      expect(summary.error).toContain('f1-j1');
      // Whenever the late answer came (f1-j1's lanes now wait for requests in flight before the step
      // fails), its log line is on stderr or in the run's log, never on stdout.
      expect(result.stdout).not.toMatch(/referrals - 200 in/);
    } finally {
      await systems.close();
    }
  }, 120_000);

  it('log lines outside a run go to stderr, never stdout', () => {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = process.stdout.write;
    const stderr = process.stderr.write;
    process.stdout.write = ((chunk: string) => out.push(String(chunk))) as never;
    process.stderr.write = ((chunk: string) => err.push(String(chunk))) as never;
    try {
      const restore = setLogSink(() => undefined);
      restore();
      for (const level of ['debug', 'info', 'warn', 'error'] as const)
        log[level](`a ${level} line`);
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
    expect(out.join('')).toBe('');
    expect(err.join('')).toContain('a info line');
  });
});
