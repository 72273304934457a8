// Guarantee 5: nothing leaks. The CLI's output of a real run against the emulators, everything the
// run store keeps (the SQLite file itself, byte for byte) and the OpenFn bodies `build-openfn`
// generates hold none of the seed children's names, birth dates or phones, and no password or
// token in use. (Every other scenario file scans its own logs, summaries and carried states.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../../src/runner/store.ts';
import { FAST, expectNoLeaks, worldSystems } from './harness.ts';
import { START } from './world.ts';

const ROOT = join(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'interop-privacy-'));
  dirs.push(dir);
  return dir;
}

function cli(args: string[], env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/interop.js'), ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('privacy', () => {
  it('the scan itself finds a name, a birth date, a password and a token', () => {
    for (const text of [
      'case of Sreymom',
      'born 2012-07-19',
      'pw demo-only-password',
      'tok abc123',
    ])
      expect(() => expectNoLeaks([text], ['abc123'])).toThrow();
  });

  it('`interop run --json --verbose` against the emulators: output and run store hold no child data or secret', async () => {
    const systems = await worldSystems();
    const home = tempDir();
    try {
      const env = {
        INTEROP_HOME: home,
        PRIMERO_URL: systems.primero.url,
        PRIMERO_USERNAME: systems.systems.primero.username,
        PRIMERO_PASSWORD: systems.systems.primero.password,
        OSCAR_URL: systems.oscar.url,
        OSCAR_EMAIL: systems.systems.oscar.email,
        OSCAR_PASSWORD: systems.systems.oscar.password,
        INTEROP_CONCURRENCY: String(FAST.concurrency),
      };
      const first = await cli(['run', '--json', '--verbose', '--since', START], env, home);
      const second = await cli(['run', '--json', '--verbose'], env, home);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ status: 'succeeded', ok: true });
      expect(second.code, second.stderr).toBe(0);
      // The run really moved children's data between the systems.
      expect(JSON.parse(first.stdout).steps['f1-j2'].written).toBeGreaterThan(0);
      expect(JSON.parse(first.stdout).steps['f2-j2'].written).toBeGreaterThan(0);
      const store = readFileSync(join(home, STORE_FILE)).toString('utf8');
      const storeFiles = filesUnder(home)
        .filter((path) => path !== join(home, STORE_FILE))
        .map((path) => readFileSync(path).toString('utf8'));
      const tokens = [...systems.primero.issuedSecrets(), ...systems.oscar.issuedSecrets()];
      expect(tokens.length).toBeGreaterThan(0);
      expectNoLeaks(
        [first.stdout, first.stderr, second.stdout, second.stderr, store, ...storeFiles],
        tokens,
      );
    } finally {
      await systems.close();
    }
  }, 60_000);

  it.skipIf(!existsSync(join(ROOT, 'src/openfn/build.ts')))(
    '`interop build-openfn`: the generated bodies and project hold no child data or secret',
    async () => {
      const out = tempDir();
      const result = await cli(
        ['build-openfn', '--out', out],
        {
          OPENFN_CREDENTIAL_OWNER: 'ops@example.org',
          PRIMERO_PASSWORD: 'primero-demo-password',
          OSCAR_PASSWORD: 'demo-only-password',
        },
        ROOT,
      );
      expect(result.code, result.stderr).toBe(0);
      const files = filesUnder(out);
      expect(files.length).toBeGreaterThan(0);
      expectNoLeaks([result.stdout, result.stderr, ...files.map((f) => readFileSync(f, 'utf8'))]);
    },
    60_000,
  );
});
