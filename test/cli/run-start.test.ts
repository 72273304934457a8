// What a no-op `interop run` pays besides its own work (docs/performance.md, "Start-up"): the
// compiled CLI runs the sync with the OpenFn adaptor and runtime bundled in (one chunk, not some
// 1 500 files resolved and read one by one), loads nothing of the console, the emulators or mail,
// and starts no module-loader thread.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystems, systemsEnv } from '../e2e/helpers.ts';
import type { Systems } from '../e2e/helpers.ts';
import { interop } from './interop-cli.ts';

const RECORDER = fileURLToPath(new URL('./fixtures/load-recorder.mjs', import.meta.url));

let systems: Systems;
let home: string;
beforeAll(async () => {
  systems = await startSystems();
  home = mkdtempSync(join(tmpdir(), 'interop-run-start-'));
});
afterAll(async () => {
  await systems?.close();
  rmSync(home, { recursive: true, force: true });
});

/** `interop run --json` on `home`, with every module each process resolves (and every module hook
 * registered) recorded; lines `pid url`. */
async function recordedRun(log: string) {
  const result = await interop(['run', '--json', '--since', '2025-01-01T00:00:00Z'], {
    cwd: home,
    env: {
      INTEROP_HOME: home,
      ...systemsEnv(systems),
      LOAD_LOG: log,
      NODE_OPTIONS: `--import=${RECORDER}`,
    },
  });
  const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { ...result, urls: lines.map((line) => line.split(' ')[1]!) };
}

describe('a no-op interop run (compiled)', () => {
  it('runs the bundled sync, loads no console, emulator, mail or tsx, and starts no loader thread', async () => {
    // The first run syncs the demo seed; the second finds nothing new: the no-op an hourly timer
    // runs most of the time.
    const first = await recordedRun(join(home, 'first.log'));
    expect(first.code, first.stderr).toBe(0);
    const noop = await recordedRun(join(home, 'noop.log'));
    expect(noop.code, noop.stderr).toBe(0);
    // The demo seed holds a child OSCaR refuses on purpose: its retry is the run's only work.
    const summary = JSON.parse(noop.stdout) as { status: string; error?: string };
    expect(summary.error).toBeUndefined();
    expect(summary.status).toMatch(/^succeeded/);

    const loaded = (part: string) => noop.urls.filter((url) => url.includes(part));
    expect(loaded('/dist/cli/run-').length).toBeGreaterThan(0);
    // Bundled: the adaptor's and the runtime's files are not read from node_modules one by one
    // (@openfn/language-common alone pulls in date-fns, lodash, undici, cheerio: ~1 500 files).
    expect(loaded('/node_modules/@openfn/')).toEqual([]);
    for (const unused of ['fastify', 'nodemailer', 'tsx', '/demo/', 'esbuild'])
      expect(loaded(unused), unused).toEqual([]);
    // No TypeScript: only the mapping tables are read from src/ (data an administrator edits).
    expect(noop.urls.filter((url) => url.includes('/src/') && !url.endsWith('.json'))).toEqual([]);
    // @openfn/runtime registers an ESM resolve hook per run unless disableEsmHook is set
    // (@openfn/runtime 1.9.5, src/runtime.ts and src/modules/register-esm-hook.ts): a loader
    // thread that these jobs (functions, not source text) never need.
    expect(noop.urls.filter((url) => url.startsWith('register:'))).toEqual([]);
  }, 120_000);
});
