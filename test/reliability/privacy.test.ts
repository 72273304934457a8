// Guarantee 5: nothing leaks. The CLI's output of a real run against the emulators, everything the
// run store keeps (the SQLite file itself, byte for byte) and the OpenFn bodies `build-openfn`
// generates hold none of the seed children's names, birth dates or phones, and no password or
// token in use. (Every other scenario file scans its own logs, summaries and carried states.)
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../../src/runner/store.ts';
import { systemsEnv } from '../e2e/helpers.ts';
import { ROOT, cli } from './cli.ts';
import { FAST, expectNoLeaks, worldSystems } from './harness.ts';
import { PRIVATE_VALUES, START } from './world.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'interop-privacy-'));
  dirs.push(dir);
  return dir;
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
        ...systemsEnv(systems),
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

  // The systems' own error text may quote the value they refused (Primero's envelope carries
  // `value` and exception messages, app/services/error_service.rb; OSCaR's Rails messages embed
  // attribute values, api/v1/organizations/clients_controller.rb upsert). Every write answers 422
  // with a body quoting the world's children: none of it may reach an output or the store.
  it('writes refused with 422 bodies that quote child data: no output and no stored row repeats them', async () => {
    const systems = await worldSystems();
    const home = tempDir();
    const [name, otherName, , , , , , khmer, , birth, , , phone] = PRIVATE_VALUES;
    const quoting = `Validation failed: Given name ${name} ${khmer} is too long, phone ${phone} is invalid`;
    const primeroRefusal = {
      errors: [
        {
          status: 422,
          resource: `/api/v2/cases/${otherName}`,
          detail: `${name} ${birth}`,
          message: [`${otherName} is too long`, quoting],
          value: phone,
        },
        {
          status: 422,
          resource: '/api/v2/cases',
          detail: 'name_first',
          message: [quoting],
          value: name,
        },
      ],
    };
    const oscarRefusal = {
      external_id: 'x',
      message: { given_name: [`${name} is too long`], [otherName!]: [phone] },
      errors: { phone: `${phone} is invalid` },
      error: quoting,
    };
    const refuse = (route: string, body: unknown) => ({ route, status: 422, body });
    systems.primero.setFaults({
      rules: [
        refuse('POST /api/v2/cases', primeroRefusal),
        refuse('PATCH /api/v2/cases/:id', primeroRefusal),
        refuse('POST /api/v2/cases/:id/referrals', primeroRefusal),
        refuse('PATCH /api/v2/cases/:id/referrals/:referralId', primeroRefusal),
      ],
    });
    systems.oscar.setFaults({
      rules: [
        refuse('POST /api/v1/organizations/clients/upsert', oscarRefusal),
        refuse('PUT /api/v1/organizations/clients/update_links', oscarRefusal),
        refuse('PUT /api/v1/organizations/referrals/update_statuses', oscarRefusal),
      ],
    });
    try {
      const env = {
        INTEROP_HOME: home,
        ...systemsEnv(systems),
        INTEROP_CONCURRENCY: String(FAST.concurrency),
      };
      const run = await cli(['run', '--json', '--verbose', '--since', START], env, home);
      const summary = JSON.parse(run.stdout) as { runId: string; failed: unknown[] };
      // The refusals really happened and were reported, by field and kind.
      expect(summary.failed.length, run.stderr).toBeGreaterThan(0);
      expect(run.stdout).toContain('too long');
      const outputs = [run.stdout, run.stderr];
      for (const args of [
        ['status', '--json'],
        ['history', '--json'],
        ['logs', summary.runId, '--json'],
      ]) {
        const result = await cli(args, env, home);
        expect(result.code, result.stderr).toBe(0);
        outputs.push(result.stdout, result.stderr);
      }
      const store = readFileSync(join(home, STORE_FILE)).toString('utf8');
      const wal = filesUnder(home).map((path) => readFileSync(path).toString('utf8'));
      expectNoLeaks([...outputs, store, ...wal]);
    } finally {
      await systems.close();
    }
  }, 180_000);

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
