// Contract tests of the OSCaR interop v1 emulator (shared spec apis.md §2), driven over real HTTP
// with plain fetch, not with our client. All people are invented.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { startOscarEmulator } from '../../demo/oscar/index.ts';
import { ULID_PATTERN } from '../../demo/oscar/ulid.ts';

const EMAIL = 'primero@oscar.test';
const PASSWORD = 'contract-test-password';

const SERVICE_FOSTER = {
  uuid: 'aaaaaaaa-0000-4000-8000-000000000001',
  name: 'Long term foster care',
};
const SERVICE_KINSHIP = { uuid: 'aaaaaaaa-0000-4000-8000-000000000002', name: 'Kinship care' };

const G_REFERRED = '01HV0000000000000000000001';
const G_SHARED = '01HV0000000000000000000002';
const G_LINKED = '01HV0000000000000000000003';
const G_NO_DOB = '01HV0000000000000000000004';
const G_HIDDEN = '01HV0000000000000000000005';

function contractSeed() {
  const person = (overrides: Record<string, unknown>) => ({
    given_name: 'Invented',
    family_name: 'Person',
    gender: 'female',
    date_of_birth: '2015-01-01',
    status: 'Active',
    ...overrides,
  });
  return {
    admin_users: [{ email: EMAIL, password: PASSWORD }],
    external_systems: [{ name: 'primero', token: EMAIL }],
    services: [SERVICE_FOSTER, SERVICE_KINSHIP],
    organizations: [
      {
        id: 7,
        short_name: 'cif',
        integrated: true,
        address_code: '120102',
        clients: [
          person({
            id: 1,
            global_id: G_REFERRED,
            external_id: 'case-referred',
            referred_external: true,
            status: 'Accepted',
            village_code: '12010203',
            created_at: '2024-03-01T02:00:00Z',
            updated_at: '2024-03-05T10:00:00Z',
          }),
          person({
            id: 2,
            global_id: G_SHARED,
            local_given_name: 'Local',
            commune_code: '120102',
            created_at: '2024-02-01T02:00:00Z',
            updated_at: '2024-03-05T10:00:00Z',
            program_enrollments: [
              {
                program_name: 'Support',
                enrollment_date: '2024-02-02',
                services: [SERVICE_KINSHIP.uuid],
              },
            ],
          }),
          person({
            id: 3,
            global_id: G_LINKED,
            external_id: 'case-linked',
            created_at: '2024-01-01T00:00:00Z',
            updated_at: '2024-01-02T00:00:00Z',
            program_enrollments: [
              {
                program_name: 'Support',
                enrollment_date: '2024-01-01',
                services: [SERVICE_KINSHIP.uuid],
              },
            ],
          }),
          person({
            id: 4,
            global_id: G_NO_DOB,
            date_of_birth: null,
            created_at: '2024-03-05T00:00:00Z',
          }),
        ],
        referrals: [
          {
            id: 1,
            client_id: 1,
            client_global_id: G_REFERRED,
            external_id: 'case-referred',
            client_name: 'Invented Person',
            ngo_name: 'primero',
            referred_from: 'primero',
            referred_to: 'cif',
            referral_status: 'Accepted',
            level_of_risk: 'high',
            referral_reason: 'Seeded reason',
            name_of_referee: 'mosvy.worker',
            referral_phone: '000000000',
            services: [SERVICE_FOSTER.uuid],
          },
        ],
      },
      {
        id: 8,
        short_name: 'hidden',
        integrated: false,
        clients: [person({ id: 1, global_id: G_HIDDEN, created_at: '2024-03-05T00:00:00Z' })],
      },
    ],
  };
}

let emulator: RunningEmulator;
let auth: Record<string, string>;

async function signIn(email = EMAIL, password = PASSWORD) {
  return fetch(`${emulator.url}/api/v1/admin_auth/sign_in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = auth,
) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

type Listed = Record<string, unknown> & { global_id: string };

async function list(sinceDate?: string): Promise<Listed[]> {
  const query = sinceDate === undefined ? '' : `?since_date=${encodeURIComponent(sinceDate)}`;
  const result = await call('GET', `/api/v1/organizations/clients${query}`);
  expect(result.status).toBe(200);
  return result.body.data;
}

const ids = (clients: Listed[]) => clients.map((c) => c.global_id);

interface ExportedState {
  organizations: Array<{
    short_name: string;
    clients: Array<Record<string, unknown>>;
    referrals: Array<
      Record<string, unknown> & { id: number; client_global_id: string; client_id: number | null }
    >;
  }>;
  global_identities: Array<{ ulid: string; organizations: unknown[] }>;
}
const exported = () => emulator.state() as ExportedState;
const cif = () => exported().organizations.find((o) => o.short_name === 'cif')!;

const referral = (overrides: Record<string, unknown> = {}) => ({
  organization: {
    external_id: 'case-new',
    external_id_display: 'abc1234',
    given_name: 'Invented',
    family_name: 'Child',
    gender: 'male',
    date_of_birth: '2016-06-06',
    location_current_village_code: '2010203',
    organization_name: 'cif',
    external_case_worker_name: 'mosvy.worker',
    external_case_worker_mobile: '000000000',
    level_of_risk: 'medium',
    is_referred: true,
    services: [{ uuid: SERVICE_FOSTER.uuid, name: SERVICE_FOSTER.name }],
    ...overrides,
  },
});

const UPSERT = '/api/v1/organizations/clients/upsert';

beforeAll(async () => {
  emulator = await startOscarEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  emulator.loadSeed(contractSeed());
  emulator.setFaults({});
  const response = await signIn();
  auth = {
    'access-token': response.headers.get('access-token')!,
    client: response.headers.get('client')!,
    uid: response.headers.get('uid')!,
  };
});

describe('sign-in and authentication (devise_token_auth)', () => {
  it('puts the token in response headers, valid for a week', async () => {
    const response = await signIn();
    expect(response.status).toBe(200);
    expect(response.headers.get('access-token')).toBeTruthy();
    expect(response.headers.get('client')).toBeTruthy();
    expect(response.headers.get('uid')).toBe(EMAIL);
    expect(response.headers.get('token-type')).toBe('Bearer');
    const expiry = Number(response.headers.get('expiry'));
    expect(expiry - Date.now() / 1000).toBeGreaterThan(7 * 24 * 3600 - 60);
    const body = (await response.json()) as { data: unknown };
    expect(body.data).toMatchObject({ email: EMAIL, uid: EMAIL, provider: 'email' });
    expect(JSON.stringify(body)).not.toContain(PASSWORD);
  });

  it('answers 401 with the DTA body for bad credentials', async () => {
    const response = await signIn(EMAIL, 'wrong');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      success: false,
      errors: ['Invalid login credentials. Please try again.'],
    });
    expect((await signIn('nobody@oscar.test', PASSWORD)).status).toBe(401);
  });

  it('answers 401 "You need to sign in" without a token, or with a wrong one, on clients/upsert/update_links', async () => {
    const unauthenticated = { errors: ['You need to sign in or sign up before continuing.'] };
    for (const [method, path, body] of [
      ['GET', '/api/v1/organizations/clients', undefined],
      ['POST', UPSERT, referral()],
      ['PUT', '/api/v1/organizations/clients/update_links', { data: [] }],
    ] as const) {
      const none = await call(method, path, body, {});
      expect(none).toEqual({ status: 401, body: unauthenticated });
      const wrong = await call(method, path, body, { ...auth, 'access-token': 'forged' });
      expect(wrong.status).toBe(401);
    }
    expect(cif().referrals).toHaveLength(1);
  });

  it('accepts the token as query parameters too', async () => {
    const query = new URLSearchParams(auth).toString();
    const response = await fetch(`${emulator.url}/api/v1/organizations/clients?${query}`);
    expect(response.status).toBe(200);
  });

  it('expires a token after the harness tokenExpiryAfterRequests budget', async () => {
    emulator.setFaults({ tokenExpiryAfterRequests: 1 });
    expect((await call('GET', '/api/v1/organizations/clients')).status).toBe(200);
    expect((await call('GET', '/api/v1/organizations/clients')).status).toBe(401);
  });

  it('does not authenticate update_statuses, as OSCaR', async () => {
    const result = await call(
      'PUT',
      '/api/v1/organizations/referrals/update_statuses',
      { data: [{ client_global_id: G_REFERRED, referral_id: 1, referral_status: 'Active' }] },
      {},
    );
    expect(result).toEqual({ status: 200, body: { message: 'Record saved.' } });
  });
});

describe('GET /api/v1/organizations/clients', () => {
  it('lists integrated tenants only, referred (Part A) before the rest, never clients missing names/gender/dob', async () => {
    const clients = await list();
    expect(ids(clients)).toEqual([G_REFERRED, G_SHARED, G_LINKED]);
    expect(ids(clients)).not.toContain(G_NO_DOB);
    expect(ids(clients)).not.toContain(G_HIDDEN);
  });

  it('serializes referred clients with OrganizationClientSerializer (Part A)', async () => {
    const [a] = await list();
    expect(a).toMatchObject({
      global_id: G_REFERRED,
      organization_id: 7,
      organization_name: 'cif',
      organization_address_code: '120102',
      location_current_village_code: '12010203',
      address_current_village_code: '12010203',
      level_of_risk: 'high',
      reason_for_referral: 'Seeded reason',
      is_referred: true,
      status: 'Accepted',
      services: [
        {
          program_name: null,
          enrollment_date: null,
          uuid: SERVICE_FOSTER.uuid,
          name: SERVICE_FOSTER.name,
          referral_id: 1,
          referral_status: 'Accepted',
        },
      ],
    });
    expect(a).not.toHaveProperty('resource');
    expect(a).not.toHaveProperty('local_given_name');
  });

  it('serializes the others with ClientShareExternalSerializer (Part B): resource and services only with an external_id', async () => {
    const clients = await list();
    const shared = clients.find((c) => c.global_id === G_SHARED)!;
    const linked = clients.find((c) => c.global_id === G_LINKED)!;
    expect(shared).toMatchObject({
      external_id: '',
      external_id_display: '',
      mosvy_number: '',
      resource: null,
      services: [],
    });
    expect(shared).toMatchObject({
      local_given_name: 'Local',
      location_current_village_code: '120102',
    });
    expect(linked).toMatchObject({
      external_id: 'case-linked',
      resource: 'primero',
      services: [
        {
          program_name: 'Support',
          enrollment_date: '2024-01-01',
          uuid: SERVICE_KINSHIP.uuid,
          name: 'Kinship care',
        },
      ],
    });
    for (const key of ['organization_id', 'level_of_risk', 'address_current_village_code']) {
      expect(shared).not.toHaveProperty(key);
    }
  });

  it('compares non-referred clients by DATE only: any time on the same day still matches', async () => {
    // G_SHARED was updated 2024-03-05 10:00 UTC.
    expect(ids(await list('2024-03-05 23:59:59'))).toContain(G_SHARED);
    expect(ids(await list('2024-03-05'))).toContain(G_SHARED);
    expect(ids(await list('2024-03-06 00:00:00'))).not.toContain(G_SHARED);
  });

  it('compares referred clients by full timestamp (server zone taken as UTC)', async () => {
    // G_REFERRED was also updated 2024-03-05 10:00 UTC.
    expect(ids(await list('2024-03-05 09:59:59'))).toContain(G_REFERRED);
    expect(ids(await list('2024-03-05 10:00:01'))).not.toContain(G_REFERRED);
    expect(ids(await list('2024-03-05T17:30:00+07:00'))).not.toContain(G_REFERRED);
    expect(ids(await list('2024-03-05T16:30:00+07:00'))).toContain(G_REFERRED);
  });

  it('answers 500 for a since_date Time.parse cannot read', async () => {
    const result = await call('GET', '/api/v1/organizations/clients?since_date=yesterday');
    expect(result.status).toBe(500);
  });
});

describe('POST /api/v1/organizations/clients/upsert: decision tree', () => {
  it('a new referral (no global_id) creates a Referral and a GlobalIdentity ULID, but no client', async () => {
    const result = await call('POST', UPSERT, referral());
    expect(result).toEqual({
      status: 200,
      body: { external_id: 'case-new', message: 'Record saved.' },
    });
    const created = cif().referrals.find((r) => r.external_id === 'case-new')!;
    expect(created.client_global_id).toMatch(ULID_PATTERN);
    expect(created).toMatchObject({
      client_id: null,
      ngo_name: 'primero',
      referred_from: 'primero',
      referred_to: 'cif',
      referral_status: 'Referred',
      level_of_risk: 'medium',
      name_of_referee: 'mosvy.worker',
      referral_phone: '000000000',
      referral_reason: 'N/A',
      services: [SERVICE_FOSTER.uuid],
    });
    expect(exported().global_identities.map((g) => g.ulid)).toContain(created.client_global_id);
    expect(cif().clients).toHaveLength(4);
    expect(ids(await list())).not.toContain(created.client_global_id);
  });

  it('a second referral of a not-yet-accepted referral reuses its client_global_id', async () => {
    await call('POST', UPSERT, referral());
    const second = await call(
      'POST',
      UPSERT,
      referral({ services: [{ name: SERVICE_KINSHIP.name }] }),
    );
    expect(second.status).toBe(200);
    const both = cif().referrals.filter((r) => r.external_id === 'case-new');
    expect(both).toHaveLength(2);
    expect(both[0]!.client_global_id).toBe(both[1]!.client_global_id);
    expect(both[1]!.services).toEqual([SERVICE_KINSHIP.uuid]);
  });

  it("answers 422 'Record was found.' when the referral already has a client and no global_id is sent", async () => {
    await call('POST', UPSERT, referral());
    const created = cif().referrals.find((r) => r.external_id === 'case-new')!;
    const accepted = await call('POST', '/__emulator/oscar/accept-referral', {
      organization_name: 'cif',
      referral_id: created.id,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.global_id).toBe(created.client_global_id);
    // The NGO's acceptance makes the child a referred client (Part A).
    const listed = (await list()).find((c) => c.global_id === created.client_global_id)!;
    expect(listed).toMatchObject({
      status: 'Accepted',
      external_id: 'case-new',
      level_of_risk: 'medium',
      is_referred: true,
    });
    expect(listed.location_current_village_code).toBe('02010203');

    const again = await call('POST', UPSERT, referral());
    expect(again).toEqual({
      status: 422,
      body: {
        external_id: 'case-new',
        message: 'Record was found.',
        errors: {
          global_id: 'global_id must exist.',
          referral_status: 'referral_status must be present.',
        },
      },
    });
    expect(cif().referrals.filter((r) => r.external_id === 'case-new')).toHaveLength(1);
  });

  it('global_id known + is_referred: a new referral on the existing client', async () => {
    const result = await call(
      'POST',
      UPSERT,
      referral({ global_id: G_REFERRED, external_id: 'case-referred' }),
    );
    expect(result).toEqual({
      status: 200,
      body: { external_id: 'case-referred', message: 'Record saved.' },
    });
    const onClient = cif().referrals.filter((r) => r.client_id === 1);
    expect(onClient).toHaveLength(2);
    expect(onClient[1]).toMatchObject({
      client_global_id: G_REFERRED,
      referral_status: 'Referred',
      id: 2,
    });
    const listed = (await list()).find((c) => c.global_id === G_REFERRED)!;
    expect((listed.services as Array<{ referral_id: number }>).map((s) => s.referral_id)).toEqual([
      1, 2,
    ]);
  });

  it('global_id known, not referred: overwrites the client from the payload and answers with its external_id', async () => {
    const result = await call('POST', UPSERT, {
      organization: {
        global_id: G_SHARED,
        organization_name: 'cif',
        family_name: 'Renamed',
        external_id: 'case-x',
      },
    });
    expect(result).toEqual({
      status: 200,
      body: { external_id: 'case-x', message: 'Record saved.' },
    });
    const client = cif().clients.find((c) => c.global_id === G_SHARED)!;
    expect(client).toMatchObject({ family_name: 'Renamed', external_id: 'case-x' });
    expect(cif().referrals).toHaveLength(1);
  });

  it('referral_status Accepted/Exited/Referred updates the last referral for the external system', async () => {
    const result = await call('POST', UPSERT, {
      organization: { global_id: G_REFERRED, organization_name: 'cif', referral_status: 'Exited' },
    });
    expect(result.status).toBe(200);
    expect(cif().referrals[0]!.referral_status).toBe('Exited');
  });

  it('referral_status outside [Accepted, Exited, Referred] answers 422, yet a referral already saved stays (OSCaR order)', async () => {
    const bogus = await call('POST', UPSERT, {
      organization: { global_id: G_SHARED, organization_name: 'cif', referral_status: 'Pending' },
    });
    expect(bogus).toEqual({
      status: 422,
      body: {
        external_id: null,
        message: "Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
      },
    });
    const active = await call(
      'POST',
      UPSERT,
      referral({ global_id: G_REFERRED, referral_status: 'Active' }),
    );
    expect(active.status).toBe(422);
    expect(
      cif()
        .referrals.filter((r) => r.client_id === 1)
        .map((r) => r.referral_status),
    ).toEqual(['Accepted', 'Active']);
  });

  it('drops keys OSCaR does not permit', async () => {
    const result = await call(
      'POST',
      UPSERT,
      referral({ resource: 'Primero', transaction_id: 'tx-1', date_of_referral: '1999-01-01' }),
    );
    expect(result.status).toBe(200);
    const created = cif().referrals.find((r) => r.external_id === 'case-new')!;
    expect(created).not.toHaveProperty('resource');
    expect(created).not.toHaveProperty('transaction_id');
    expect(created.date_of_referral).not.toBe('1999-01-01');
  });

  it('accepts the trailing-slash route the jobs use', async () => {
    expect((await call('POST', `${UPSERT}/`, referral())).status).toBe(200);
  });
});

describe('POST /api/v1/organizations/clients/upsert: validations', () => {
  const rejected = async (overrides: Record<string, unknown>) => {
    const result = await call('POST', UPSERT, referral(overrides));
    expect(result.status).toBe(422);
    expect(cif().referrals.find((r) => r.external_id === 'case-new')).toBeUndefined();
    return result.body;
  };

  it('rejects a referral without level_of_risk', async () => {
    const body = await rejected({ level_of_risk: undefined });
    expect(body).toEqual({
      external_id: 'case-new',
      message: { level_of_risk: ["can't be blank"] },
    });
  });

  it('rejects a level_of_risk outside high/medium/low/no action', async () => {
    expect((await rejected({ level_of_risk: 'extreme' })).message).toEqual({
      level_of_risk: ['is not included in the list'],
    });
  });

  it('rejects a referral without case worker name or phone', async () => {
    expect((await rejected({ external_case_worker_name: undefined })).message).toEqual({
      name_of_referee: ["can't be blank"],
    });
    expect((await rejected({ external_case_worker_mobile: '' })).message).toEqual({
      referral_phone: ["can't be blank"],
    });
  });

  it('rejects a referral whose services are all unknown names (looked up by exact name)', async () => {
    expect((await rejected({ services: [{ name: 'Not Specified' }] })).message).toEqual({
      services: ["can't be blank"],
    });
    expect(
      (await rejected({ services: [{ uuid: SERVICE_FOSTER.uuid, name: 'long term foster care' }] }))
        .message,
    ).toEqual({
      services: ["can't be blank"],
    });
  });

  it('keeps the known services of a mixed list', async () => {
    const result = await call(
      'POST',
      UPSERT,
      referral({ services: [{ name: 'Not Specified' }, { name: SERVICE_KINSHIP.name }] }),
    );
    expect(result.status).toBe(200);
    expect(cif().referrals.find((r) => r.external_id === 'case-new')!.services).toEqual([
      SERVICE_KINSHIP.uuid,
    ]);
  });

  it('answers the generic record error without organization or organization_name', async () => {
    const generic = {
      status: 422,
      body: { message: 'Record error. Please check OSCaR logs for details.' },
    };
    expect(await call('POST', UPSERT, referral({ organization_name: undefined }))).toEqual(generic);
    expect(await call('POST', UPSERT, {})).toEqual(generic);
  });

  it('answers 500 for an unknown organization_name (Apartment cannot switch)', async () => {
    expect((await call('POST', UPSERT, referral({ organization_name: 'nope' }))).status).toBe(500);
  });
});

describe('PUT /api/v1/organizations/clients/update_links', () => {
  it('sets external ids without touching updated_at, skips unknown global_ids', async () => {
    const before = cif().clients.find((c) => c.global_id === G_SHARED)!;
    const result = await call('PUT', '/api/v1/organizations/clients/update_links', {
      data: [
        {
          global_id: G_SHARED,
          external_id: 'case-shared',
          external_id_display: 'd1d2d3',
          is_referred: false,
        },
        {
          global_id: '01HV0000000000000000000099',
          external_id: 'case-ghost',
          external_id_display: 'x',
        },
      ],
    });
    expect(result).toEqual({ status: 200, body: { message: 'Record saved.' } });
    const after = cif().clients.find((c) => c.global_id === G_SHARED)!;
    expect(after).toMatchObject({ external_id: 'case-shared', external_id_display: 'd1d2d3' });
    expect(after.updated_at).toBe(before.updated_at);
    expect(after.synced_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const listed = (await list()).find((c) => c.global_id === G_SHARED)!;
    expect(listed.resource).toBe('primero');
    expect(listed.services).toHaveLength(1);
  });

  it('answers 500 without data (the real controller raises)', async () => {
    expect((await call('PUT', '/api/v1/organizations/clients/update_links', {})).status).toBe(500);
  });
});

describe('PUT /api/v1/organizations/referrals/update_statuses', () => {
  const PATH = '/api/v1/organizations/referrals/update_statuses';

  it('updates each referral found through the GlobalIdentityOrganization', async () => {
    const result = await call('PUT', PATH, {
      data: [
        {
          client_global_id: G_REFERRED,
          referral_id: 1,
          referral_status: 'Exited',
          external_id: 'ignored',
        },
      ],
    });
    expect(result).toEqual({ status: 200, body: { message: 'Record saved.' } });
    expect(cif().referrals[0]!.referral_status).toBe('Exited');
  });

  it('is not transactional: items before the failing one stay updated, later ones are not applied', async () => {
    await call('POST', UPSERT, referral({ global_id: G_REFERRED }));
    const result = await call('PUT', PATH, {
      data: [
        { client_global_id: G_REFERRED, referral_id: 1, referral_status: 'Exited' },
        {
          client_global_id: '01HV0000000000000000000099',
          referral_id: 1,
          referral_status: 'Accepted',
        },
        { client_global_id: G_REFERRED, referral_id: 2, referral_status: 'Accepted' },
      ],
    });
    expect(result.status).toBe(422);
    expect(result.body.message).toBe('Record error. Please check OSCaR logs for details.');
    expect(result.body.error).toContain('GlobalIdentityOrganization');
    expect(cif().referrals.map((r) => r.referral_status)).toEqual(['Exited', 'Referred']);
  });

  it('rejects an unknown status and an unknown referral id with 422', async () => {
    const bad = await call('PUT', PATH, {
      data: [{ client_global_id: G_REFERRED, referral_id: 1, referral_status: 'Done' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toContain(
      "Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
    );
    const missing = await call('PUT', PATH, {
      data: [{ client_global_id: G_REFERRED, referral_id: 99, referral_status: 'Exited' }],
    });
    expect(missing.status).toBe(422);
    expect(cif().referrals[0]!.referral_status).toBe('Accepted');
  });
});

describe('admin surface and faults', () => {
  it('counts requests per route and injects scripted faults in the OSCaR error shape', async () => {
    const route = 'GET /api/v1/organizations/clients';
    const before = emulator.requestCounts()[route] ?? 0;
    emulator.setFaults({ rules: [{ route, status: 500, times: 1 }] });
    const failed = await call('GET', '/api/v1/organizations/clients');
    expect(failed).toEqual({ status: 500, body: { status: 500, error: 'Internal Server Error' } });
    expect((await call('GET', '/api/v1/organizations/clients')).status).toBe(200);
    expect(emulator.requestCounts()[route]).toBe(before + 2);
  });

  it('edits a client as an NGO would, stamping updated_at from the controllable clock', async () => {
    const clock = await call('PUT', '/__emulator/oscar/clock', { now: '2024-04-01T08:00:00Z' });
    expect(clock.status).toBe(200);
    const edit = await call('PATCH', `/__emulator/oscar/clients/${G_LINKED}`, { status: 'Exited' });
    expect(edit.body.updated_at).toBe('2024-04-01T08:00:00.000Z');
    expect(ids(await list('2024-04-01 23:00:00'))).toEqual([G_LINKED]);
  });

  it('rejects a seed with a message naming the bad entry', async () => {
    const seed = contractSeed();
    (seed.organizations[0]!.clients[1] as Record<string, unknown>).created_at = 'not a time';
    expect(() => emulator.loadSeed(seed)).toThrow(
      'organizations[0].clients[1].created_at must be an ISO-8601 timestamp',
    );
  });

  it('never exports passwords or tokens in the state view', () => {
    const text = JSON.stringify(emulator.state());
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(auth['access-token']!);
  });
});
