// The Primero client against the Primero emulator over real HTTP (no mocks).
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { defaultPrimeroProfile, startPrimeroEmulator } from '../../demo/primero/index.ts';
import { DEFAULT_PRIMERO_PAGE_SIZE, createPrimeroClient } from '../../src/clients/primero.ts';
import type { PrimeroConfig } from '../../src/clients/primero.ts';
import { ApiError } from '../../src/http/errors.ts';
import { setLogSink } from '../../src/log.ts';

const seed = JSON.parse(
  readFileSync(new URL('../../demo/primero/seed.json', import.meta.url), 'utf8'),
);
const CASE_1 = '9b3c2d7e-1f0a-4c1e-9a55-000000000001';
const ROW_1 = '5e1a9c44-0d9f-4b7e-a6c3-00000000a001';
const REFERRAL_1 = '7d0e4c1a-2b3f-4a5d-8e9f-00000000f001';
const PASSWORD = 'primero-demo-password';

let emulator: RunningEmulator;
let lines: string[] = [];
let restoreLog: () => void;
let config: PrimeroConfig;
const fast = { baseDelayMs: 5, maxDelayMs: 1500 };
const client = (overrides: Partial<PrimeroConfig> = {}) =>
  createPrimeroClient({ ...config, ...overrides }, fast);
const counts = () => emulator.requestCounts();

beforeAll(async () => {
  emulator = await startPrimeroEmulator({ seed });
  config = { url: emulator.url, username: 'primero_cp', password: PASSWORD };
  restoreLog = setLogSink((_level, message) => lines.push(message));
  vi.spyOn(console, 'log').mockImplementation(() => {}); // language-http's own request line
});
afterAll(async () => {
  restoreLog();
  vi.restoreAllMocks();
  await emulator.close();
});
beforeEach(async () => {
  emulator.loadSeed(seed);
  emulator.setFaults({});
  await fetch(`${emulator.url}/__emulator/requests`, { method: 'DELETE' });
  lines = [];
});
afterEach(() => {
  // Privacy: no log line ever carries the password or a token.
  expect(lines.join('\n')).not.toContain(PASSWORD);
  expect(lines.join('\n')).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
});

function bulkSeed(n: number) {
  const start = Date.parse('2024-01-01T00:00:00.000Z');
  return {
    cases: Array.from({ length: n }, (_, i) => ({
      id: `bulk-${String(i).padStart(5, '0')}`,
      case_id: `case-${i}`,
      created_at: new Date(start + i * 60_000).toISOString(),
      last_updated_at: new Date(start + i * 60_000).toISOString(),
      ...(i % 1000 === 7 ? { oscar_number: 'shared-oscar-number' } : {}),
    })),
  };
}

const REFUSED =
  'Primero sign-in failed for user primero_cp: 401 invalid user name or password; not signing in again in this run';

describe('sign-in on v2.5 (a token in the answer)', () => {
  // The shared emulator plays the environment's profile; these need the token of v2.5.
  let v25: RunningEmulator;
  const tokenClient = (overrides: Partial<PrimeroConfig> = {}) =>
    createPrimeroClient({ ...config, url: v25.url, ...overrides }, fast);
  const v25Counts = () => v25.requestCounts();
  beforeAll(async () => {
    v25 = await startPrimeroEmulator({ seed, profile: '2.5' });
  });
  afterAll(() => v25.close());
  beforeEach(async () => {
    v25.loadSeed(seed);
    v25.setFaults({});
    await fetch(`${v25.url}/__emulator/requests`, { method: 'DELETE' });
  });

  it('signs in lazily once and reuses the token', async () => {
    const primero = tokenClient();
    expect(v25Counts()['POST /api/v2/tokens']).toBeUndefined();
    await primero.getCase(CASE_1);
    await primero.listCases({});
    expect(v25Counts()['POST /api/v2/tokens']).toBe(1);
    expect(await primero.signIn()).toEqual({ mode: 'token' });
  });

  it('signs in again once after the token expires', async () => {
    v25.setFaults({ tokenExpiryAfterRequests: 2 });
    const primero = tokenClient();
    for (let i = 0; i < 5; i += 1) expect((await primero.getCase(CASE_1)).id).toBe(CASE_1);
    expect(v25Counts()['POST /api/v2/tokens']).toBe(3);
  });

  it('shares one new sign-in among concurrent requests that met a 401', async () => {
    const primero = tokenClient();
    await primero.getCase(CASE_1);
    v25.setFaults({ tokenExpiryAfterRequests: 0 });
    await fetch(`${v25.url}/__emulator/requests`, { method: 'DELETE' });
    // Every token now expires at once; each retried request fails too, but only one sign-in happens per wave.
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => primero.getCase(CASE_1)),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(v25Counts()['POST /api/v2/tokens']).toBe(1);
  });
});

describe('sign-in on the current Primero (no token: HTTP Basic)', () => {
  let current: RunningEmulator;
  beforeAll(async () => {
    current = await startPrimeroEmulator({ seed, profile: 'current' });
  });
  afterAll(() => current.close());

  it('signs in once, then sends HTTP Basic (no session, no CSRF token) and can write', async () => {
    current.loadSeed(seed);
    const primero = createPrimeroClient({ ...config, url: current.url }, fast);
    expect(await primero.signIn()).toEqual({ mode: 'basic', groupPermission: 'all' });
    await primero.updateCase(CASE_1, { oscar_status: 'active' });
    expect((await primero.getCase(CASE_1)).oscar_status).toBe('active');
    expect(current.requestCounts()['POST /api/v2/tokens']).toBe(1);
  });
});

describe('a refused sign-in', () => {
  it('fails with a message naming the user, never the password', async () => {
    const error = await client({ password: 'wrong' })
      .getCase(CASE_1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toContain(REFUSED);
    expect(JSON.stringify(error)).not.toContain('wrong');
  });

  it('is never retried by the same client: one failure counted, whatever is asked next', async () => {
    const primero = client({ password: 'wrong' });
    for (let i = 0; i < 8; i += 1) await expect(primero.getCase(CASE_1)).rejects.toThrow(REFUSED);
    await expect(
      Promise.all([primero.listCases({}), primero.updateCase(CASE_1, { oscar_status: 'x' })]),
    ).rejects.toThrow(REFUSED);
    expect(counts()['POST /api/v2/tokens']).toBe(1);
    expect(counts()['GET /api/v2/cases/:id']).toBeUndefined();
    // The right password still works: the user was not locked.
    expect((await client().getCase(CASE_1)).id).toBe(CASE_1);
  });

  it('with basicAuth: no sign-in call, and a refused Basic request is not repeated', async () => {
    const primero = client({ basicAuth: true });
    expect((await primero.getCase(CASE_1)).id).toBe(CASE_1);
    expect(counts()['POST /api/v2/tokens']).toBeUndefined();
    const wrong = client({ basicAuth: true, password: 'x' });
    await expect(wrong.getCase(CASE_1)).rejects.toThrow(
      /primero_cp: 401 .*refused the credentials/,
    );
    await expect(wrong.getCase(CASE_1)).rejects.toThrow(/not signing in again/);
    expect(counts()['GET /api/v2/cases/:id']).toBe(2);
  });
});

describe('listing', () => {
  it('follows pages past 1000 records until metadata.total', async () => {
    emulator.loadSeed(bulkSeed(2500));
    const cases = await client().listCases({ last_updated_at: '2024-01-01T00:00:00.000Z..' });
    expect(cases).toHaveLength(2500);
    expect(new Set(cases.map((c) => c.id)).size).toBe(2500);
    expect(counts()['GET /api/v2/cases']).toBe(Math.ceil(2500 / DEFAULT_PRIMERO_PAGE_SIZE));
    await fetch(`${emulator.url}/__emulator/requests`, { method: 'DELETE' });
    const big = createPrimeroClient(config, { ...fast, primeroPageSize: 1000 });
    expect(await big.listCases({})).toHaveLength(2500);
    expect(counts()['GET /api/v2/cases']).toBe(3);
  });

  it("hands each scanned page with its answer's Date header, the first page first", async () => {
    emulator.loadSeed(bulkSeed(2500));
    const from = Math.floor(Date.now() / 1000) * 1000;
    const pages: Array<{ count: number; date?: string }> = [];
    await client().scanCases({}, (page) =>
      pages.push({ count: page.cases.length, ...(page.date ? { date: page.date } : {}) }),
    );
    expect(pages.length).toBe(Math.ceil(2500 / DEFAULT_PRIMERO_PAGE_SIZE));
    expect(pages[0]?.count).toBe(DEFAULT_PRIMERO_PAGE_SIZE);
    for (const page of pages) {
      expect(Date.parse(page.date ?? '')).toBeGreaterThanOrEqual(from);
      expect(Date.parse(page.date ?? '')).toBeLessThanOrEqual(Date.now());
    }
  });

  it('finds ALL cases matching an external id', async () => {
    emulator.loadSeed(bulkSeed(2500));
    const matches = await client().findCases({ oscar_number: 'shared-oscar-number' });
    expect(matches.map((c) => c.id).sort()).toEqual(['bulk-00007', 'bulk-01007', 'bulk-02007']);
    expect(await client().findCases({ case_id: 'case-12' })).toHaveLength(1);
    expect(await client().findCases({ case_id: 'nope' })).toEqual([]);
    await expect(client().findCases({})).rejects.toThrow(/needs a case_id, oscar_number or id/);
  });
});

describe('retries', () => {
  it('retries scripted 429 (Retry-After), 5xx and dropped connections', async () => {
    emulator.setFaults({
      rules: [
        { route: 'GET /api/v2/cases', status: 429, retryAfterSeconds: 0, times: 1 },
        { route: 'GET /api/v2/cases', status: 502, times: 1 },
        { route: 'GET /api/v2/cases', drop: true, times: 1 },
      ],
    });
    const cases = await client().listCases({});
    expect(cases).toHaveLength(3);
    expect(counts()['GET /api/v2/cases']).toBe(4);
  });

  it('gives up after the bounded number of attempts', async () => {
    emulator.setFaults({ rules: [{ route: 'GET /api/v2/cases/:id', status: 500 }] });
    await expect(
      createPrimeroClient(config, { ...fast, maxAttempts: 3 }).getCase(CASE_1),
    ).rejects.toMatchObject({ status: 500 });
    expect(counts()['GET /api/v2/cases/:id']).toBe(3);
  });

  it('creates exactly one case when the answer to the POST is lost', async () => {
    emulator.setFaults({
      rules: [{ route: 'POST /api/v2/cases', drop: true, afterBody: true, times: 1 }],
    });
    const created = await client().createCase({
      name_first: 'Retry',
      module_id: 'primeromodule-cp',
    });
    expect(created.created).toBe(false); // the retry met the case its first attempt had made
    expect((await client().getCase(created.id)).name_first).toBe('Retry');
    expect(counts()['POST /api/v2/cases']).toBe(2);
    const all = await client().listCases({});
    expect(all.filter((c) => c.name_first === 'Retry')).toHaveLength(1);
  });

  it('reports a non-JSON answer clearly without echoing it', async () => {
    emulator.setFaults({
      rules: [{ route: 'GET /api/v2/cases', status: 200, body: '<html>Sokha Chan</html>' }],
    });
    const error = await client()
      .listCases({})
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'primero answered GET /api/v2/cases with a non-JSON body (status 200)',
    );
    expect(JSON.stringify(error)).not.toContain('Sokha');
  });
});

describe('writes', () => {
  it('creates a case with body {data} and a client id, and reads it back once to see it stored', async () => {
    const before = counts()['GET /api/v2/cases/:id'] ?? 0;
    const { id, created: isNew } = await client().createCase({
      name_first: 'New',
      oscar_number: 'O-1',
      services_section: [{ service_type: 'x', service_response_type: 'referral_from_oscar' }],
    });
    expect(isNew).toBe(true);
    expect(counts()['GET /api/v2/cases/:id'] ?? 0).toBe(before + 1);
    const created = await client().getCase(id);
    expect(created).toMatchObject({
      name_first: 'New',
      oscar_number: 'O-1',
      workflow: 'referral_from_oscar',
    });
    expect(created.case_id_display).toBe(created.case_id.slice(-7));
    expect(created.services_section?.[0]?.unique_id).toEqual(expect.any(String));
    const stored = (emulator.state() as { cases: Array<Record<string, unknown>> }).cases.find(
      (c) => c.id === created.id,
    );
    expect(stored).not.toHaveProperty('data');
  });

  it('updates with body {data} (never double-nested) and Primero merge rules', async () => {
    await client().updateCase(CASE_1, {
      oscar_number: 'O-9',
      services_section: [{ unique_id: ROW_1, referral_status_edf41f2: 'accepted_340953' }],
    });
    const updated = await client().getCase(CASE_1);
    expect(updated.oscar_number).toBe('O-9');
    expect(updated.services_section).toHaveLength(1);
    expect(updated.services_section?.[0]).toMatchObject({
      service_type: 'safehouse_service',
      referral_status_edf41f2: 'accepted_340953',
    });
  });

  it('refuses to send a field Primero does not permit, naming it', async () => {
    const bad = { remote: true } as unknown as Parameters<
      ReturnType<typeof client>['updateCase']
    >[1];
    await expect(client().updateCase(CASE_1, bad)).rejects.toThrow(
      /Primero would answer 422 for \/remote/,
    );
    expect(counts()['PATCH /api/v2/cases/:id']).toBeUndefined();
  });

  it('surfaces the 404 of an unknown case as an ApiError with the status', async () => {
    await expect(client().getCase('nope')).rejects.toMatchObject({
      status: 404,
      path: '/api/v2/cases/nope',
    });
  });
});

describe('referrals', () => {
  it('lists, accepts and rejects referrals as typed records', async () => {
    const primero = client();
    const [referral] = await primero.listReferrals(CASE_1);
    expect(referral).toMatchObject({
      id: REFERRAL_1,
      status: 'in_progress',
      service_record_id: ROW_1,
    });
    const accepted = await primero.updateReferral(CASE_1, REFERRAL_1, { status: 'accepted' });
    expect(accepted.status).toBe('accepted');
    expect(accepted).not.toHaveProperty('record');
    const created = await primero.createReferral(CASE_1, {
      transitioned_to: 'agency-cif-user',
      service_record_id: ROW_1,
    });
    const rejected = await primero.updateReferral(CASE_1, created.id, {
      status: 'rejected',
      rejected_reason: 'full',
    });
    expect(rejected).toMatchObject({ status: 'rejected', rejected_reason: 'full' });
    expect((await primero.listReferrals(CASE_1)).map((r) => r.status)).toEqual([
      'accepted',
      'rejected',
    ]);
  });

  it('fails a decision Primero answered 200 without taking (an illegal move is a silent no-op)', async () => {
    const primero = client();
    await primero.updateReferral(CASE_1, REFERRAL_1, { status: 'accepted' });
    await expect(
      primero.updateReferral(CASE_1, REFERRAL_1, { status: 'rejected' }),
    ).rejects.toThrow(
      `Primero did not move referral ${REFERRAL_1} (case ${CASE_1}) to rejected: it is accepted`,
    );
  });

  it('fails a case write Primero did not hold as sent, naming the field, never its value', async () => {
    // The v2.11+ silent drop: this user's role cannot write oscar_status.
    emulator.loadSeed({
      ...seed,
      users: [{ user_name: 'primero_cp', password: PASSWORD, unwritable_fields: ['oscar_status'] }],
    });
    const error = await client()
      .updateCase(CASE_1, { oscar_status: 'Invented-Status', risk_level: 'low' })
      .catch((e: unknown) => e);
    if (defaultPrimeroProfile() === '2.5') {
      // v2.5 refuses the write outright: the 422 naming the field is the item error.
      expect((error as Error).message).toMatch(
        /answered 422 .*Invalid Record JSON.*\/oscar_status/,
      );
      return;
    }
    expect((error as Error).message).toMatch(
      /^Primero did not store oscar_status \(case [\w-]+\): the API user may not write this field/,
    );
    expect((error as Error).message).not.toContain('Invented-Status');
  });
});
