// The privacy scan from outside: sentinels in the children's records (names, birth dates, phones,
// referral notes) AND in the systems' error bodies (a 422 quoting the value it refused, an HTML
// error page, a JSON error carrying the value), then every output an operator or a system can see
// is read back: `run` stdout/stderr (`--json` and plain), `status`, `history`, `logs`, every table
// of the run store, the alerts a webhook received, and every console page reachable from the
// overview, fetched over HTTP as the signed-in admin. Not one sentinel may appear.
// The systems' error texts: Primero's error envelope carries `value` and exception messages
// (primero app/services/error_service.rb); OSCaR's upsert answers Rails validation messages
// (oscar-web app/controllers/api/v1/organizations_controller.rb, upsert/create_referral).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runnerBackend } from '../../src/console/runner-backend.ts';
import { startConsole } from '../../src/console/server.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import { STORE_FILE, openStore } from '../../src/runner/store.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import { systemsEnv } from '../e2e/helpers.ts';
import { ADMIN_PASSWORD, signIn } from '../console/console-harness.ts';
import { cli } from './cli.ts';
import { FAST, expectNoLeaks, worldSystems } from './harness.ts';
import { PRIVATE_VALUES, START } from './world.ts';

/** Referral notes of the world (referralOf): free text a case worker wrote about the child. */
const NOTES = 'invented reason of referral';
const [NAME, OTHER_NAME, , , , , , KHMER, , BIRTH, , , PHONE] = PRIVATE_VALUES as string[];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A webhook receiver: every alert body it got. */
async function webhook() {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      bodies.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every row of every table of the run store, as text. */
function storeTables(home: string): string[] {
  const db = new Database(join(home, STORE_FILE), { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all() as Array<{ name: string }>;
    expect(tables.length).toBeGreaterThan(0);
    return tables.map(
      ({ name }) =>
        `${name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all())}`,
    );
  } finally {
    db.close();
  }
}

/** Every console page reachable from the overview by a link, as the signed-in admin. */
async function consolePages(home: string): Promise<string[]> {
  const store = openStore(home);
  const runner = createRunner({ store, runWorkflow, systems: { primero: {}, oscar: {} } as never });
  const running = await startConsole({
    backend: runnerBackend(runner),
    adminSecret: ADMIN_PASSWORD,
    port: 0,
    signInBrake: { baseDelayMs: 150, maxDelayMs: 2_000 },
  });
  try {
    const { cookie } = await signIn(running.url);
    const pages: string[] = [];
    const queue = ['/', '/dead-letters', '/sign-in'];
    const visited = new Set<string>();
    while (queue.length > 0 && visited.size < 200) {
      const path = queue.shift()!;
      if (visited.has(path)) continue;
      visited.add(path);
      const response = await fetch(`${running.url}${path}`, { headers: { cookie } });
      const page = await response.text();
      pages.push(`${path}: ${page}`);
      for (const [, href] of page.matchAll(/href="(\/[^"#]*)"/g)) {
        const target = href!.replace(/&amp;/g, '&');
        if (!visited.has(target) && !target.startsWith('/static')) queue.push(target);
      }
    }
    // The run pages and their live status were reached, not only the overview.
    expect([...visited].some((path) => path.startsWith('/runs/'))).toBe(true);
    for (const path of [...visited].filter((p) => p.startsWith('/runs/'))) {
      const id = path.slice('/runs/'.length);
      const live = await fetch(`${running.url}/live/${id}/status.json`, { headers: { cookie } });
      pages.push(`/live/${id}/status.json: ${await live.text()}`);
    }
    return pages;
  } finally {
    await running.close();
    store.close();
  }
}

describe('privacy scan: sentinels in records and in error bodies, every output read back', () => {
  it('finds none of them in any output, table, alert or console page', async () => {
    const systems = await worldSystems();
    const home = mkdtempSync(join(tmpdir(), 'interop-privacy-scan-'));
    dirs.push(home);
    const hook = await webhook();
    const quoting = `Validation failed: Given name ${NAME} ${KHMER} is too long, phone ${PHONE} is invalid, born ${BIRTH}, "${NOTES} 1"`;
    const html = `<!DOCTYPE html><html><body><h1>We're sorry</h1><p>${quoting}</p></body></html>`;
    systems.primero.setFaults({
      rules: [
        // A JSON error with the value, as Primero's envelope gives it.
        {
          route: 'POST /api/v2/cases',
          status: 422,
          body: {
            errors: [{ status: 422, detail: `${NAME} ${BIRTH}`, message: [quoting], value: PHONE }],
          },
        },
        // An HTML error page from Primero's proxy, quoting what it refused.
        { route: 'PATCH /api/v2/cases/:id', status: 422, body: html },
      ],
    });
    systems.oscar.setFaults({
      rules: [
        // OSCaR's validation messages on the referral it refused.
        {
          route: 'POST /api/v1/organizations/clients/upsert',
          status: 422,
          times: 2,
          body: {
            external_id: 'x',
            message: { given_name: [`${NAME} is too long`], [OTHER_NAME!]: [PHONE] },
          },
        },
        // A 500 HTML page, then OSCaR recovers (the transport retries a listing).
        { route: 'GET /api/v1/organizations/clients', status: 500, body: html, times: 1 },
        {
          route: 'PUT /api/v1/organizations/clients/update_links',
          status: 422,
          body: { error: quoting },
        },
        { route: 'PUT /api/v1/organizations/referrals/update_statuses', status: 422, body: html },
      ],
    });
    try {
      const env = {
        INTEROP_HOME: home,
        ...systemsEnv(systems),
        INTEROP_CONCURRENCY: String(FAST.concurrency),
        INTEROP_MAX_ATTEMPTS: '1',
        INTEROP_ALERT_WEBHOOK_URL: hook.url,
        INTEROP_CONSOLE_URL: 'http://127.0.0.1:1',
      };
      const outputs: string[] = [];
      const run = await cli(['run', '--json', '--verbose', '--since', START], env, home);
      outputs.push(run.stdout, run.stderr);
      const summary = JSON.parse(run.stdout) as { runId: string; failed: unknown[] };
      // The refusals really happened and were reported, by field and kind.
      expect(summary.failed.length, run.stderr).toBeGreaterThan(0);
      expect(run.stdout).toContain('too long');
      const plain = await cli(['run', '--verbose'], env, home);
      outputs.push(plain.stdout, plain.stderr);
      for (const args of [
        ['status', '--json'],
        ['status'],
        ['history', '--json'],
        ['history'],
        ['logs', summary.runId, '--json'],
        ['logs', summary.runId],
      ]) {
        const result = await cli(args, env, home);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        outputs.push(result.stdout, result.stderr);
      }
      // The dead letters made an alert (max attempts 1): it reached the webhook.
      expect(hook.bodies.length).toBeGreaterThan(0);
      const tables = storeTables(home);
      const pages = await consolePages(home);
      const tokens = [...systems.primero.issuedSecrets(), ...systems.oscar.issuedSecrets()];
      expectNoLeaks([...outputs, ...hook.bodies, ...tables, ...pages], [NOTES, ...tokens]);
    } finally {
      await hook.close();
      await systems.close();
    }
  }, 600_000);
});
