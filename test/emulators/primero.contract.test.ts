// Contract tests: the Primero emulator driven over real HTTP with plain fetch (not our client),
// one describe per documented behaviour in apis.md §1.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import {
  DEFAULT_PRIMERO_USER,
  PRIMERO_PROFILES,
  startPrimeroEmulator,
} from '../../demo/primero/index.ts';

/** fetch's json() is typed unknown; these tests read documented shapes. */
const json = (response: Response): Promise<any> => response.json();

const seed = JSON.parse(
  readFileSync(new URL('../../demo/primero/seed.json', import.meta.url), 'utf8'),
);
const CASE_1 = '9b3c2d7e-1f0a-4c1e-9a55-000000000001';
const CASE_2 = '9b3c2d7e-1f0a-4c1e-9a55-000000000002';
const CASE_3 = '9b3c2d7e-1f0a-4c1e-9a55-000000000003';
const ROW_1 = '5e1a9c44-0d9f-4b7e-a6c3-00000000a001';
const REFERRAL_1 = '7d0e4c1a-2b3f-4a5d-8e9f-00000000f001';

let emulator: RunningEmulator;
let token: string;

async function signIn(user_name: string, password: string) {
  return fetch(`${emulator.url}/api/v2/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: { user_name, password } }),
  });
}

async function api(method: string, path: string, body?: unknown, auth = `Bearer ${token}`) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      authorization: auth,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

/** n generated cases, created one minute apart. */
function bulkSeed(n: number) {
  const start = Date.parse('2024-01-01T00:00:00.000Z');
  return {
    cases: Array.from({ length: n }, (_, i) => ({
      id: `bulk-${String(i).padStart(5, '0')}`,
      case_id: `case-${i}`,
      created_at: new Date(start + i * 60_000).toISOString(),
      last_updated_at: new Date(start + i * 60_000).toISOString(),
      oscar_number: i % 2 ? `oscar-${i % 10}` : undefined,
      workflow: i % 3 ? 'new' : 'referral_to_oscar',
    })),
  };
}

beforeAll(async () => {
  // apis.md §1 describes v2.5; the traps of later versions have their own describes below.
  emulator = await startPrimeroEmulator({ seed, profile: '2.5' });
});
afterAll(() => emulator.close());
/** Replacing the state invalidates every token issued before, so sign in again. */
async function reseed(next: unknown) {
  emulator.loadSeed(next);
  const response = await signIn('primero_cp', 'primero-demo-password');
  token = (await json(response)).token;
}

beforeEach(async () => {
  emulator.setFaults({});
  await reseed(seed);
});

describe('POST /api/v2/tokens', () => {
  it('answers the JWT in the body and in the Authorization header', async () => {
    const response = await signIn('primero_cp', 'primero-demo-password');
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({
      id: expect.any(Number),
      user_name: 'primero_cp',
      token: expect.any(String),
    });
    expect(body.token.split('.')).toHaveLength(3);
    expect(response.headers.get('authorization')).toBe(`Bearer ${body.token}`);
  });

  it('issues tokens that expire after one hour', async () => {
    const body = await json(await signIn('primero_cp', 'primero-demo-password'));
    const payload = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('answers 401 {error} for bad credentials', async () => {
    const response = await signIn('primero_cp', 'wrong');
    expect(response.status).toBe(401);
    expect(await json(response)).toEqual({ error: 'Invalid User name or password.' });
    expect((await signIn('nobody', 'x')).status).toBe(401);
  });

  it('locks the account after 6 failed attempts, and throttles the 8th attempt in a minute with 429', async () => {
    emulator.loadSeed(seed);
    for (let i = 0; i < 6; i += 1) expect((await signIn('mgrstg', 'wrong')).status).toBe(401);
    const locked = await signIn('mgrstg', 'primero-demo-password');
    expect(locked.status).toBe(401);
    expect((await json(locked)).error).toBeDefined();
    const throttled = await signIn('mgrstg', 'primero-demo-password');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('revokes a token on DELETE', async () => {
    expect((await api('DELETE', '/api/v2/tokens', {})).status).toBe(200);
    expect((await api('GET', '/api/v2/cases')).status).toBe(401);
  });
});

describe('authentication on the API', () => {
  it('answers 401 in the error envelope without a token, with a bad one, and after expiry', async () => {
    for (const auth of ['', 'Bearer not-a-jwt', `Bearer ${token}x`]) {
      const response = await api('GET', '/api/v2/cases', undefined, auth);
      expect(response.status).toBe(401);
      expect(response.body.errors[0]).toMatchObject({ status: 401, resource: '/api/v2/cases' });
    }
  });

  it('expires a token after N requests when that fault is set', async () => {
    emulator.setFaults({ tokenExpiryAfterRequests: 2 });
    expect((await api('GET', '/api/v2/cases')).status).toBe(200);
    expect((await api('GET', '/api/v2/cases')).status).toBe(200);
    const expired = await api('GET', '/api/v2/cases');
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].message).toBe('Signature has expired');
  });

  it('accepts HTTP Basic auth (language-primero basicAuth)', async () => {
    const basic = `Basic ${Buffer.from('primero_cp:primero-demo-password').toString('base64')}`;
    expect((await api('GET', '/api/v2/cases', undefined, basic)).status).toBe(200);
    const wrong = `Basic ${Buffer.from('primero_cp:nope').toString('base64')}`;
    expect((await api('GET', '/api/v2/cases', undefined, wrong)).status).toBe(401);
  });

  it('documents a default demo user', () => {
    expect(DEFAULT_PRIMERO_USER.user_name).toBe('primero_cp');
  });
});

describe('GET /api/v2/cases: paging', () => {
  it('caps per at 1000 and reports total, per and page', async () => {
    await reseed(bulkSeed(2500));
    const first = await api('GET', '/api/v2/cases?per=5000');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(1000);
    expect(first.body.metadata).toEqual({ total: 2500, per: 1000, page: 1 });
    const third = await api('GET', '/api/v2/cases?per=1000&page=3');
    expect(third.body.data).toHaveLength(500);
    expect(third.body.metadata.page).toBe(3);
  });

  it('defaults to 20 per page, newest created first', async () => {
    await reseed(bulkSeed(30));
    const response = await api('GET', '/api/v2/cases');
    expect(response.body.data).toHaveLength(20);
    expect(response.body.data[0].id).toBe('bulk-00029');
    const ascending = await api('GET', '/api/v2/cases?order_by=created_at&order=asc&per=2');
    expect(ascending.body.data.map((c: { id: string }) => c.id)).toEqual([
      'bulk-00000',
      'bulk-00001',
    ]);
  });

  // The sync's Primero cursor is when its listing began on Primero's clock: the listing's Date
  // header (src/workflow/primero-reread.ts). A real Primero answers through nginx
  // (docker/nginx/root/etc/nginx/conf.d/primero.conf.template, commit 001bde2, l.58-63:
  // `location @app` proxies to Puma), and nginx sends its own Date on every answer (it drops the
  // upstream's unless told otherwise); Puma/Rack would send one too. RFC 7231 §7.1.1.2: an origin
  // server with a clock must send it, in IMF-fixdate form.
  it('answers a listing with an HTTP Date header on its own clock', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const response = await api('GET', '/api/v2/cases?per=1');
    const date = response.headers.get('date') ?? '';
    expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(date)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(date)).toBeLessThanOrEqual(Date.now());
  });

  it('returns each record with id and enabled', async () => {
    const response = await api('GET', '/api/v2/cases?per=10');
    for (const record of response.body.data)
      expect(record).toMatchObject({ id: expect.any(String), enabled: true });
  });
});

describe('GET /api/v2/cases: filters', () => {
  const ids = (body: { data: Array<{ id: string }> }) => body.data.map((c) => c.id).sort();

  it('filters last_updated_at by from.. and from..to, inclusively', async () => {
    expect(
      ids((await api('GET', '/api/v2/cases?last_updated_at=2025-02-03T10:00:00.000Z..')).body),
    ).toEqual([CASE_2, CASE_3]);
    expect(
      ids((await api('GET', '/api/v2/cases?last_updated_at=2025-01-01..2025-02-03')).body),
    ).toEqual([CASE_1, CASE_2]);
  });

  it('answers 500 for a range bound that is neither a date nor a time (e.g. "undefined..")', async () => {
    const response = await api('GET', '/api/v2/cases?last_updated_at=undefined..');
    expect(response.status).toBe(500);
    expect(response.body.errors[0].status).toBe(500);
  });

  it('matches case_id, oscar_number and id exactly, returning every match', async () => {
    expect(
      ids((await api('GET', '/api/v2/cases?case_id=8a11c0de-77aa-4f0b-b3d2-00000f9e8d7c')).body),
    ).toEqual([CASE_2]);
    expect(ids((await api('GET', `/api/v2/cases?id=${CASE_3}`)).body)).toEqual([CASE_3]);
    await reseed(bulkSeed(100));
    const matches = await api('GET', '/api/v2/cases?oscar_number=oscar-3&per=1000');
    expect(matches.body.metadata.total).toBe(10);
  });

  it('finds a case by the oscar_number a PATCH gave it, and no longer by the old one', async () => {
    await reseed(bulkSeed(100));
    const one = ids((await api('GET', '/api/v2/cases?oscar_number=oscar-3&per=1')).body)[0]!;
    expect(
      (await api('PATCH', `/api/v2/cases/${one}`, { data: { oscar_number: 'moved-9' } })).status,
    ).toBe(200);
    expect(ids((await api('GET', '/api/v2/cases?oscar_number=moved-9')).body)).toEqual([one]);
    const old = await api('GET', '/api/v2/cases?oscar_number=oscar-3&per=1000');
    expect(old.body.metadata.total).toBe(9);
    expect(ids(old.body)).not.toContain(one);
  });

  it('filters workflow, status and record_state', async () => {
    expect(ids((await api('GET', '/api/v2/cases?workflow=referral_to_oscar')).body)).toEqual([
      CASE_1,
    ]);
    expect(ids((await api('GET', '/api/v2/cases?status=closed')).body)).toEqual([CASE_3]);
    expect(
      ids((await api('GET', '/api/v2/cases?status=open,closed&record_state=true')).body),
    ).toHaveLength(3);
    expect((await api('GET', '/api/v2/cases?record_state=false')).body.data).toHaveLength(0);
  });

  it('ignores unknown query keys such as remote and scope', async () => {
    const response = await api('GET', '/api/v2/cases?remote=true&scope=x&per=50');
    expect(response.status).toBe(200);
    expect(response.body.metadata.total).toBe(3);
  });
});

describe('GET /api/v2/cases/:id', () => {
  it('returns {data} for a known id and 404 in the envelope otherwise', async () => {
    expect((await api('GET', `/api/v2/cases/${CASE_1}`)).body.data).toMatchObject({
      id: CASE_1,
      case_id_display: '0a1b2c3d'.slice(-7),
    });
    const missing = await api('GET', '/api/v2/cases/no-such-id');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      errors: [
        {
          status: 404,
          resource: '/api/v2/cases/no-such-id',
          message: 'Not Found',
          detail: "Couldn't find Child with 'id'=no-such-id",
        },
      ],
    });
  });
});

describe('POST /api/v2/cases', () => {
  it('answers 422 with JSON pointers for unknown fields, nested service-row keys included', async () => {
    const response = await api('POST', '/api/v2/cases', {
      data: {
        name_first: 'A',
        remote: true,
        services_section: [{ service_type: 'x', colour: 'red' }],
      },
    });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      errors: [
        {
          status: 422,
          resource: '/api/v2/cases',
          message: 'Invalid Record JSON',
          detail: ['/remote', '/services_section/0/colour'],
        },
      ],
    });
  });

  it('refuses server-set fields and values of the wrong type', async () => {
    const response = await api('POST', '/api/v2/cases', {
      data: { case_id: 'x', workflow: 'new', age: 'ten', consent_for_services: 'yes' },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].detail).toEqual([
      '/case_id',
      '/workflow',
      '/age',
      '/consent_for_services',
    ]);
  });

  it('sets id, case_id, case_id_display, workflow, timestamps and row unique_ids, answering only what was set', async () => {
    const response = await api('POST', '/api/v2/cases', {
      data: {
        name_first: 'A',
        module_id: 'primeromodule-cp',
        services_section: [{ service_type: 'x' }],
      },
    });
    expect(response.status).toBe(200);
    const created = response.body.data;
    expect(created).toMatchObject({
      id: expect.any(String),
      enabled: true,
      name_first: 'A',
      workflow: 'new',
    });
    expect(created.case_id_display).toBe(created.case_id.slice(-7));
    expect(created.services_section[0].unique_id).toEqual(expect.any(String));
    expect(created.last_updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('answers 204 with no body for a client-generated id, and 409 when it exists', async () => {
    const id = '0c5a7a58-4b53-4b6e-9f3b-4d7b2b9f7c11';
    const first = await api('POST', '/api/v2/cases', { data: { id, name_first: 'B' } });
    expect(first.status).toBe(204);
    expect(first.body).toBeUndefined();
    expect((await api('GET', `/api/v2/cases/${id}`)).body.data.name_first).toBe('B');
    const again = await api('POST', '/api/v2/cases', { data: { id, name_first: 'B' } });
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({
      status: 409,
      message: 'Conflict: A record with this id already exists',
    });
  });

  it('sets workflow from the newest service row not yet implemented', async () => {
    const response = await api('POST', '/api/v2/cases', {
      data: {
        services_section: [
          {
            service_response_type: 'referral_to_oscar',
            service_response_day_time: '2025-01-01T00:00:00.000Z',
          },
          {
            service_response_type: 'referral_from_oscar',
            service_response_day_time: '2025-02-01T00:00:00.000Z',
          },
          {
            service_response_type: 'service_being_provided_by_oscar_partner_47618',
            service_implemented: 'implemented',
            service_response_day_time: '2025-03-01T00:00:00.000Z',
          },
        ],
      },
    });
    expect(response.body.data.workflow).toBe('referral_from_oscar');
  });
});

describe('PATCH /api/v2/cases/:id: merge rules', () => {
  const getCase = async (id: string) => (await api('GET', `/api/v2/cases/${id}`)).body.data;

  it('merges a service row by unique_id, keeps unmatched rows and appends new ones with a unique_id', async () => {
    const response = await api('PATCH', `/api/v2/cases/${CASE_1}`, {
      data: {
        services_section: [
          { unique_id: ROW_1, referral_status_edf41f2: 'accepted_340953' },
          { service_type: 'other', service_response_type: 'referral_from_oscar' },
        ],
      },
    });
    expect(response.status).toBe(200);
    const rows = (await getCase(CASE_1)).services_section;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      unique_id: ROW_1,
      service_type: 'safehouse_service',
      referral_status_edf41f2: 'accepted_340953',
    });
    expect(rows[1]).toMatchObject({ unique_id: expect.any(String), service_type: 'other' });
  });

  it('cannot clear a subform with [], but removes a row sent with _destroy', async () => {
    await api('PATCH', `/api/v2/cases/${CASE_1}`, { data: { services_section: [] } });
    expect((await getCase(CASE_1)).services_section).toHaveLength(1);
    await api('PATCH', `/api/v2/cases/${CASE_1}`, {
      data: { services_section: [{ unique_id: ROW_1, _destroy: true }] },
    });
    expect((await getCase(CASE_1)).services_section).toEqual([]);
  });

  it('replaces arrays of scalars and nulls, answers only changed fields, and moves last_updated_at', async () => {
    const before = await getCase(CASE_1);
    const response = await api('PATCH', `/api/v2/cases/${CASE_1}`, {
      data: {
        risk_level: 'high',
        oscar_number: 'X1',
        services_section: [{ unique_id: ROW_1, service_subtype: ['a'] }],
        name_last: null,
      },
    });
    expect(Object.keys(response.body.data).sort()).toEqual([
      'enabled',
      'id',
      'last_updated_at',
      'name_last',
      'oscar_number',
      'services_section',
    ]);
    const after = await getCase(CASE_1);
    expect(after.services_section[0].service_subtype).toEqual(['a']);
    expect(after.name_last).toBeNull();
    expect(after.last_updated_at > before.last_updated_at).toBe(true);
  });

  it('recomputes workflow when services change', async () => {
    await api('PATCH', `/api/v2/cases/${CASE_2}`, {
      data: {
        services_section: [
          {
            service_response_type: 'referral_from_oscar',
            service_response_day_time: '2025-05-01T00:00:00.000Z',
          },
        ],
      },
    });
    expect((await getCase(CASE_2)).workflow).toBe('referral_from_oscar');
    const filtered = await api('GET', '/api/v2/cases?workflow=referral_from_oscar');
    expect(filtered.body.data.map((c: { id: string }) => c.id)).toEqual([CASE_2]);
  });

  it('answers 422 for unknown fields (nested too) and a different id, 404 for an unknown case', async () => {
    const invalid = await api('PATCH', `/api/v2/cases/${CASE_1}`, {
      data: { id: CASE_2, services_section: [{ unique_id: ROW_1, oscar_ref: '1' }] },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors[0].detail).toEqual(['/services_section/0/oscar_ref', '/id']);
    expect((await api('PATCH', '/api/v2/cases/nope', { data: {} })).status).toBe(404);
  });
});

describe('referrals', () => {
  it("lists a case's referrals", async () => {
    const response = await api('GET', `/api/v2/cases/${CASE_1}/referrals`);
    expect(response.body.data).toEqual([
      expect.objectContaining({
        id: REFERRAL_1,
        status: 'in_progress',
        record_type: 'case',
        service_record_id: ROW_1,
      }),
    ]);
    expect((await api('GET', '/api/v2/cases/nope/referrals')).status).toBe(404);
  });

  it('creates a referral in_progress, marks the service row referred and assigns the receiving user', async () => {
    const response = await api('POST', `/api/v2/cases/${CASE_2}/referrals`, {
      data: { transitioned_to: 'agency-cif-user', notes: 'n', service_record_id: 'none' },
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      status: 'in_progress',
      record_id: CASE_2,
      transitioned_by: 'primero_cp',
      user_can_accept_or_reject: true,
    });
    expect(response.body.data.record.assigned_user_names).toEqual(['agency-cif-user']);
  });

  it('refuses a referral without consent (422 detail consent) unless consent_overridden', async () => {
    const refused = await api('POST', `/api/v2/cases/${CASE_3}/referrals`, {
      data: { transitioned_to: 'u' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({
      status: 422,
      detail: 'consent',
      message: expect.any(Array),
    });
    const overridden = await api('POST', `/api/v2/cases/${CASE_3}/referrals`, {
      data: { transitioned_to: 'u', consent_overridden: true },
    });
    expect(overridden.status).toBe(200);
    const blank = await api('POST', `/api/v2/cases/${CASE_2}/referrals`, { data: {} });
    expect(blank.body.errors[0]).toMatchObject({ detail: 'transitioned_to' });
  });

  it('follows the status machine: in_progress -> accepted -> done; illegal moves are silent 200 no-ops', async () => {
    const path = `/api/v2/cases/${CASE_1}/referrals/${REFERRAL_1}`;
    const done = await api('PATCH', path, { data: { status: 'done' } });
    expect(done.status).toBe(200);
    expect(done.body.data.status).toBe('in_progress');
    const accepted = await api('PATCH', path, { data: { status: 'accepted', colour: 'ignored' } });
    expect(accepted.body.data).toMatchObject({
      status: 'accepted',
      responded_at: expect.any(String),
    });
    expect((await api('PATCH', path, { data: { status: 'rejected' } })).body.data.status).toBe(
      'accepted',
    );
    const finished = await api('PATCH', path, {
      data: { status: 'done', rejection_note: 'placed' },
    });
    expect(finished.body.data.status).toBe('done');
    const row = (await api('GET', `/api/v2/cases/${CASE_1}`)).body.data.services_section[0];
    expect(row).toMatchObject({
      service_implemented: 'implemented',
      note_on_referral_from_provider: 'placed',
    });
  });

  it('rejects from in_progress with a reason', async () => {
    const response = await api('PATCH', `/api/v2/cases/${CASE_1}/referrals/${REFERRAL_1}`, {
      data: { status: 'rejected', rejected_reason: 'no capacity' },
    });
    expect(response.body.data).toMatchObject({
      status: 'rejected',
      rejected_reason: 'no capacity',
    });
    expect(
      (
        await api('PATCH', `/api/v2/cases/${CASE_1}/referrals/${REFERRAL_1}`, {
          data: { status: 'accepted' },
        })
      ).body.data.status,
    ).toBe('rejected');
  });

  it('answers 404 for an unknown referral', async () => {
    const response = await api('PATCH', `/api/v2/cases/${CASE_1}/referrals/nope`, {
      data: { status: 'accepted' },
    });
    expect(response.status).toBe(404);
    expect(response.body.errors[0]).toMatchObject({ status: 404, message: 'Not Found' });
  });
});

describe('error envelope', () => {
  it('wraps unknown routes and scripted faults as {errors:[{status,resource,message}]}', async () => {
    const unknown = await api('GET', '/api/v2/nothing');
    expect(unknown.body.errors[0]).toMatchObject({
      status: 404,
      resource: '/api/v2/nothing',
      message: 'Not Found',
    });
    emulator.setFaults({
      rules: [{ route: 'GET /api/v2/cases', status: 503, retryAfterSeconds: 3, times: 1 }],
    });
    const unavailable = await api('GET', '/api/v2/cases');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('3');
    expect(unavailable.body.errors[0]).toMatchObject({
      status: 503,
      resource: '/api/v2/cases',
      message: 'Service Unavailable',
    });
  });
});

describe('admin surface', () => {
  it('counts requests per route and exports the state without passwords', async () => {
    await fetch(`${emulator.url}/__emulator/requests`, { method: 'DELETE' });
    await api('GET', '/api/v2/cases');
    await api('GET', `/api/v2/cases/${CASE_1}`);
    const counts = await json(await fetch(`${emulator.url}/__emulator/requests`));
    expect(counts).toEqual({ 'GET /api/v2/cases': 1, 'GET /api/v2/cases/:id': 1 });
    const state = await json(await fetch(`${emulator.url}/__emulator/state`));
    expect(state.cases).toHaveLength(3);
    expect(state.referrals).toHaveLength(1);
    expect(JSON.stringify(state)).not.toContain('primero-demo-password');
  });

  it('refuses a seed with an invalid case, naming it', async () => {
    const response = await fetch(`${emulator.url}/__emulator/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        cases: [{ id: 'a' }, { id: 'b', services_section: [{ unique_id: 5 }] }],
      }),
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toContain(
      'seed cases[1]: Primero case b is not as expected: field services_section[0].unique_id',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// apis.md §3.1: what the real Primero does that its API documents do not say. Each describe
// starts its own emulator with the profile it is about; paths are in primeroIMS/primero.
// ---------------------------------------------------------------------------------------------

const API_USER = { user_name: 'primero_cp', password: 'primero-demo-password' };
const basic = (user = API_USER) =>
  `Basic ${Buffer.from(`${user.user_name}:${user.password}`).toString('base64')}`;

/** A plain HTTP call to `emu` with the given headers (no client of ours). */
async function call(
  emu: RunningEmulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const response = await fetch(`${emu.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

function signInTo(emu: RunningEmulator, user = API_USER) {
  return fetch(`${emu.url}/api/v2/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
}

/** The two cookies a v2.11+ sign-in sets, as a Cookie header and the CSRF token. */
function sessionOf(response: Response): { cookie: string; csrf: string } {
  const cookies = response.headers.getSetCookie().map((line) => line.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('CSRF-TOKEN='))!.slice('CSRF-TOKEN='.length);
  return { cookie: cookies.join('; '), csrf };
}

describe('v2.11+ sign-in (P1): no token, a session cookie, CSRF on cookie writes, Basic everywhere', () => {
  // HEAD app/controllers/api/v2/tokens_controller.rb l.17-19 (answer), l.87-95 (other sessions
  // end); config/initializers/session_store.rb l.12-15 (_app_session); application_api_controller.rb
  // l.12-13 with concerns/csrf_protection.rb l.14-31 (CSRF, skipped for HTTP Basic);
  // config/initializers/devise.rb l.76 and l.94 (http_authenticatable, no session for http_auth).
  let current: RunningEmulator;
  beforeAll(async () => {
    current = await startPrimeroEmulator({ seed, profile: 'current' });
  });
  afterAll(() => current.close());
  beforeEach(() => current.loadSeed(seed));

  it('answers {id, user_name, group_permission} and cookies, no token in body or header', async () => {
    const response = await signInTo(current);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toEqual({ id: 1, user_name: 'primero_cp', group_permission: 'all' });
    expect(response.headers.get('authorization')).toBeNull();
    const { cookie, csrf } = sessionOf(response);
    expect(cookie).toMatch(/_app_session=\w+/);
    expect(csrf).not.toBe('');
  });

  it('reads with the session cookie; a Bearer header authenticates nobody', async () => {
    const { cookie } = sessionOf(await signInTo(current));
    expect((await call(current, 'GET', `/api/v2/cases/${CASE_1}`, { cookie })).status).toBe(200);
    const bearer = await call(current, 'GET', '/api/v2/cases', { authorization: 'Bearer x.y.z' });
    expect(bearer.status).toBe(401);
    expect(bearer.body.errors[0].status).toBe(401);
  });

  it('refuses a cookie-session write without X-CSRF-Token (403), takes it with the token', async () => {
    const { cookie, csrf } = sessionOf(await signInTo(current));
    const data = { data: { oscar_status: 'Active' } };
    const path = `/api/v2/cases/${CASE_1}`;
    const refused = await call(current, 'PATCH', path, { cookie }, data);
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].message).toBe("Can't verify CSRF token authenticity.");
    const taken = await call(current, 'PATCH', path, { cookie, 'x-csrf-token': csrf }, data);
    expect(taken.status).toBe(200);
  });

  it("ends the user's other sessions at each sign-in", async () => {
    const first = sessionOf(await signInTo(current));
    const second = sessionOf(await signInTo(current));
    expect((await call(current, 'GET', '/api/v2/cases', { cookie: first.cookie })).status).toBe(
      401,
    );
    expect((await call(current, 'GET', '/api/v2/cases', { cookie: second.cookie })).status).toBe(
      200,
    );
  });

  it('takes HTTP Basic on reads and writes with no session and no CSRF token', async () => {
    const auth = { authorization: basic() };
    expect((await call(current, 'GET', '/api/v2/cases', auth)).status).toBe(200);
    const patched = await call(current, 'PATCH', `/api/v2/cases/${CASE_1}`, auth, {
      data: { oscar_status: 'Active' },
    });
    expect(patched.status).toBe(200);
  });
});

describe('sign-in failures (P7): 6 failures lock the user, 7 attempts a minute answer 429', () => {
  // spec/requests/api/v2/tokens_controller_spec.rb (HEAD l.143-155); Devise lockable counts
  // every database authentication, HTTP Basic included.
  it.each(PRIMERO_PROFILES)(
    '%s: a wrong Basic password counts toward the lockout',
    async (profile) => {
      const emu = await startPrimeroEmulator({ seed, profile });
      try {
        const wrong = { authorization: basic({ ...API_USER, password: 'wrong' }) };
        for (let i = 0; i < 6; i += 1)
          expect((await call(emu, 'GET', '/api/v2/cases', wrong)).status).toBe(401);
        const right = await call(emu, 'GET', '/api/v2/cases', { authorization: basic() });
        expect(right.status).toBe(401); // locked: the right password no longer works
      } finally {
        await emu.close();
      }
    },
  );

  it.each(PRIMERO_PROFILES)(
    '%s: 6 failed sign-ins lock, the 8th attempt in a minute is 429',
    async (profile) => {
      const emu = await startPrimeroEmulator({ seed, profile });
      try {
        for (let i = 0; i < 6; i += 1)
          expect((await signInTo(emu, { ...API_USER, password: 'wrong' })).status).toBe(401);
        expect((await signInTo(emu)).status).toBe(401);
        expect((await signInTo(emu)).status).toBe(429);
      } finally {
        await emu.close();
      }
    },
  );
});

describe('fields Primero will not write (P2)', () => {
  const write = {
    data: {
      oscar_status: 'Active',
      remote: true,
      services_section: [{ unique_id: ROW_1, service_type: 'x', not_a_field: 'y' }],
    },
  };
  const withRestrictedUser = {
    ...seed,
    users: [{ ...API_USER, unwritable_fields: ['oscar_status', 'services_section.service_type'] }],
  };

  it('v2.5: any key the user may not write is a 422 with its pointer', async () => {
    // v2.5.0 app/controllers/api/v2/concerns/record.rb validate_json! on the raw params.
    const emu = await startPrimeroEmulator({ seed: withRestrictedUser, profile: '2.5' });
    try {
      const answer = await call(
        emu,
        'PATCH',
        `/api/v2/cases/${CASE_1}`,
        { authorization: basic() },
        write,
      );
      expect(answer.status).toBe(422);
      expect(answer.body.errors[0].detail.sort()).toEqual([
        '/oscar_status',
        '/remote',
        '/services_section/0/not_a_field',
        '/services_section/0/service_type',
      ]);
    } finally {
      await emu.close();
    }
  });

  it('v2.11+: those keys are dropped silently with 200, inside service rows too', async () => {
    // Commit 57a0228cb6; HEAD record.rb l.119-130 (strong params before validate_json! l.87-89).
    const emu = await startPrimeroEmulator({ seed: withRestrictedUser, profile: 'current' });
    try {
      const auth = { authorization: basic() };
      const answer = await call(emu, 'PATCH', `/api/v2/cases/${CASE_1}`, auth, write);
      expect(answer.status).toBe(200);
      const held = (await call(emu, 'GET', `/api/v2/cases/${CASE_1}`, auth)).body.data;
      expect(held.oscar_status).toBeUndefined();
      expect(held.remote).toBeUndefined();
      const row = held.services_section.find((r: any) => r.unique_id === ROW_1);
      expect(row.not_a_field).toBeUndefined();
      expect(row.service_type).toBe('safehouse_service');
    } finally {
      await emu.close();
    }
  });

  it("v2.15+: a select value outside the instance's lookups is a 422 naming the field", async () => {
    // Commit 41a89c22e5; HEAD json_validator_service.rb l.73-78 (enum from the field's options).
    const defaults = {
      ...seed,
      lookups: { sex: ['male', 'female'], risk_level: ['high', 'medium', 'low'] },
    };
    const emu = await startPrimeroEmulator({ seed: defaults, profile: 'current' });
    try {
      const answer = await call(
        emu,
        'PATCH',
        `/api/v2/cases/${CASE_1}`,
        { authorization: basic() },
        {
          data: { sex: 'other', risk_level: 'no_action' },
        },
      );
      expect(answer.status).toBe(422);
      expect(answer.body.errors[0]).toMatchObject({
        message: 'Invalid Record JSON',
        detail: ['/sex', '/risk_level'],
      });
    } finally {
      await emu.close();
    }
  });
});

describe.each(PRIMERO_PROFILES)('Primero %s', (profile) => {
  let emu: RunningEmulator;
  const scoped = {
    ...seed,
    users: [
      { ...API_USER, agency: 'agency-unicef', group_permission: 'group', groups: ['national'] },
      { user_name: 'national_worker', password: 'p', groups: ['national'] },
      { user_name: 'mgrstg', password: 'p', agency: 'agency-mosvy', groups: ['province-19'] },
    ],
  };
  beforeAll(async () => {
    emu = await startPrimeroEmulator({ seed: scoped, profile });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.loadSeed(scoped));
  const auth = () => ({ authorization: basic() });

  it('owner (P3): an owned_by naming no user is reverted; on create the case has no owner', async () => {
    // app/models/concerns/ownable.rb HEAD l.79-96 (update_owned_by / revert_owned_by).
    const id = '11111111-2222-4333-8444-000000000001';
    // A user of group scope could not even read a case left with no owner: this one sees all.
    emu.loadSeed({ ...scoped, users: [{ ...API_USER }, ...scoped.users.slice(1)] });
    expect(
      (
        await call(emu, 'POST', '/api/v2/cases', auth(), {
          data: { id, owned_by: 'nobody', name_first: 'A' },
        })
      ).status,
    ).toBe(204);
    const created = (await call(emu, 'GET', `/api/v2/cases/${id}`, auth())).body.data;
    expect(created.owned_by).toBeNull();
    await call(emu, 'PATCH', `/api/v2/cases/${id}`, auth(), {
      data: { owned_by: 'national_worker' },
    });
    const patched = await call(emu, 'PATCH', `/api/v2/cases/${id}`, auth(), {
      data: { owned_by: 'nobody' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data.owned_by).toBeUndefined(); // not changed, so not in the answer
    expect((await call(emu, 'GET', `/api/v2/cases/${id}`, auth())).body.data.owned_by).toBe(
      'national_worker',
    );
  });

  it("scope (P4): a case handed outside the user's group vanishes from its searches; GET 403, create 409", async () => {
    // app/models/user.rb HEAD l.500-507 (user_query_scope); ownable.rb l.109-129 (associated
    // users, groups, agencies); error_service.rb l.15-17 (403), l.25-33 (409).
    const id = '11111111-2222-4333-8444-000000000002';
    await call(emu, 'POST', '/api/v2/cases', auth(), {
      data: { id, owned_by: 'national_worker', oscar_number: 'G-SCOPE' },
    });
    const found = () => call(emu, 'GET', '/api/v2/cases?oscar_number=G-SCOPE', auth());
    expect((await found()).body.data).toHaveLength(1);
    await call(emu, 'PATCH', `/api/v2/cases/${id}`, auth(), { data: { owned_by: 'mgrstg' } });
    expect((await found()).body).toMatchObject({ data: [], metadata: { total: 0 } });
    expect((await call(emu, 'GET', `/api/v2/cases/${id}`, auth())).status).toBe(403);
    expect((await call(emu, 'GET', `/api/v2/cases/${id}/referrals`, auth())).status).toBe(403);
    const again = await call(emu, 'POST', '/api/v2/cases', auth(), {
      data: { id, oscar_number: 'G-SCOPE' },
    });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].message).toBe('Conflict: A record with this id already exists');
  });

  it('late commit (P5): a case stamped before the last listing appears after it', async () => {
    // app/models/concerns/historical.rb HEAD l.27, l.76-80: last_updated_at set in before_save.
    const allAuth = { authorization: basic() };
    emu.loadSeed({ ...seed, users: [{ ...API_USER }] });
    const listed = await call(
      emu,
      'GET',
      '/api/v2/cases?last_updated_at=2025-01-01T00:00:00Z..&per=100',
      allAuth,
    );
    const newest = Math.max(...listed.body.data.map((c: any) => Date.parse(c.last_updated_at)));
    const stamped = new Date(newest - 60_000).toISOString();
    const committed = await fetch(`${emu.url}/__emulator/late-commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        data: { id: 'late-1', name_first: 'Late' },
        last_updated_at: stamped,
      }),
    });
    expect(committed.status).toBe(200);
    const since = new Date(newest).toISOString();
    const after = await call(emu, 'GET', `/api/v2/cases?last_updated_at=${since}..`, allAuth);
    expect(after.body.data.map((c: any) => c.id)).not.toContain('late-1');
    const earlier = new Date(newest - 5 * 60_000).toISOString();
    const margin = await call(emu, 'GET', `/api/v2/cases?last_updated_at=${earlier}..`, allAuth);
    expect(margin.body.data.map((c: any) => c.id)).toContain('late-1');
  });
});
