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
/** Loads a seed (which ends every session) and signs in again. */
async function reseed(seed: unknown) {
  emulator.loadSeed(seed);
  const response = await signIn();
  auth = {
    'access-token': response.headers.get('access-token')!,
    client: response.headers.get('client')!,
    uid: response.headers.get('uid')!,
  };
}

beforeEach(async () => {
  emulator.setFaults({});
  await reseed(contractSeed());
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
    // oscar-web (9dd3a12) organizations_controller.rb l.38 serializes the non-referred clients
    // with ClientShareExternalSerializer, whose #services (client_share_external_serializer.rb
    // l.70-74) returns related_services only when external_id is present, [] otherwise; #resource
    // (l.66-68) likewise. Referred clients (organization_client_serializer.rb l.81-83) always.
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
    // referred_external is set only when an NGO refers OUT (oscar-web referrals_controller.rb
    // l.27): the accepted child is listed in Part B, with the external_id copied from the referral
    // (clients_controller.rb l.141-155) and no level of risk or reason (apis.md §3.2 O7).
    const listed = (await list()).find((c) => c.global_id === created.client_global_id)!;
    expect(listed).toMatchObject({
      status: 'Accepted',
      external_id: 'case-new',
      resource: 'primero',
      is_referred: true,
    });
    expect(listed).not.toHaveProperty('level_of_risk');
    expect(listed).not.toHaveProperty('reason_for_referral');
    expect(listed.location_current_village_code).toBe('02010203');

    const identitiesBefore = exported().global_identities.length;
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
    // get_referral_attribute minted an identity before the refusal (referral.rb l.86): O3.
    expect(exported().global_identities.length).toBe(identitiesBefore + 1);
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

  it('global_id known, not referred: every attribute get_client_attribute lists becomes what was sent or nil', async () => {
    // oscar-web app/models/client.rb l.902-925 (Client.get_client_attribute), called from
    // organizations_controller.rb render_client_data l.82-102 (apis.md §3.2 O2).
    const result = await call('POST', UPSERT, {
      organization: {
        global_id: G_SHARED,
        organization_name: 'cif',
        family_name: 'Renamed',
        gender: 'female',
        external_id: 'case-x',
        reason_for_referral: 'sent but read from another key',
      },
    });
    expect(result).toEqual({
      status: 200,
      body: { external_id: 'case-x', message: 'Record saved.' },
    });
    const client = cif().clients.find((c) => c.global_id === G_SHARED)!;
    expect(client).toMatchObject({
      family_name: 'Renamed',
      external_id: 'case-x',
      given_name: null,
      local_given_name: null,
      date_of_birth: null,
      reason_for_referral: null,
      province_code: null,
      commune_code: null,
    });
    expect(cif().referrals).toHaveLength(1);
  });

  it('a client update without gender is refused whole (Client validates gender, client.rb l.143)', async () => {
    const result = await call('POST', UPSERT, {
      organization: { global_id: G_SHARED, organization_name: 'cif', family_name: 'Renamed' },
    });
    expect(result).toEqual({
      status: 422,
      body: { external_id: null, message: { gender: ["can't be blank"] } },
    });
    expect(cif().clients.find((c) => c.global_id === G_SHARED)).toMatchObject({
      family_name: 'Person',
    });
  });

  it('referral_status Accepted/Exited/Referred updates the last referral for the external system', async () => {
    const result = await call('POST', UPSERT, {
      organization: {
        global_id: G_REFERRED,
        organization_name: 'cif',
        gender: 'female',
        referral_status: 'Exited',
      },
    });
    expect(result.status).toBe(200);
    expect(cif().referrals[0]!.referral_status).toBe('Exited');
  });

  it('referral_status outside [Accepted, Exited, Referred] answers 422, yet a referral already saved stays (OSCaR order)', async () => {
    const bogus = await call('POST', UPSERT, {
      organization: {
        global_id: G_SHARED,
        organization_name: 'cif',
        gender: 'female',
        referral_status: 'Pending',
      },
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
    // get_referral_attribute sets no status (referral.rb l.72-95): the new referral is 'Referred'.
    expect(
      cif()
        .referrals.filter((r) => r.client_id === 1)
        .map((r) => r.referral_status),
    ).toEqual(['Accepted', 'Referred']);
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
    // oscar-web (9dd3a12) organizations_controller.rb l.117-134 (update_link) calls
    // Client.update_external_ids (client.rb l.386-393), which writes with update_columns: no
    // callbacks, no validation, updated_at unchanged.
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

  it('a linked client is not listed again by a since_date after its last edit: the link moves no date', async () => {
    // Part B's SQL (organizations_controller.rb l.309-311) keeps a client only when DATE(created_at)
    // or DATE(updated_at) is on or after since_date; update_columns left updated_at where it was.
    await call('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: G_SHARED, external_id: 'case-shared', external_id_display: 'd1d2d3' }],
    });
    expect(ids(await list('2024-03-06 00:00:00'))).not.toContain(G_SHARED);
    const again = (await list('2024-03-05 00:00:00')).find((c) => c.global_id === G_SHARED)!;
    expect(again.services).toHaveLength(1);
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
    expect(result.body.error).toBe('ActiveRecord::RecordNotFound');
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

// The real OSCaR's traps (apis.md §3.2), read from Children-in-Families/oscar-web at 9dd3a12:
// app/controllers/api/v1/organizations_controller.rb unless another file is named.
describe('real-system traps: one child held by several NGOs', () => {
  const G_BOTH = G_REFERRED;
  // cif holds the child first (its client row and identity come first), kmr second, ngo3 never.
  function twoNgoSeed() {
    const seed = contractSeed();
    const cifOrg = seed.organizations[0]!;
    const kmr = {
      id: 9,
      short_name: 'kmr',
      integrated: true,
      address_code: '120103',
      clients: [
        {
          id: 1,
          global_id: G_BOTH,
          given_name: 'Invented',
          family_name: 'Person',
          local_given_name: 'Local',
          gender: 'female',
          date_of_birth: '2015-01-01',
          status: 'Active',
          village_code: '12010203',
          created_at: '2024-03-01T02:00:00Z',
        },
      ],
      referrals: [
        {
          id: 1,
          client_id: 1,
          client_global_id: G_BOTH,
          client_name: 'Invented Person',
          ngo_name: 'kmr',
          referred_from: 'kmr',
          referred_to: 'cif',
          level_of_risk: 'low',
          referral_reason: 'Seeded',
          name_of_referee: 'ngo.worker',
          referral_phone: '000000000',
          consent_form: ['form.pdf'],
          services: [SERVICE_KINSHIP.uuid],
        },
      ],
    };
    const ngo3 = { id: 10, short_name: 'ngo3', integrated: true, address_code: '120104' };
    return { ...seed, organizations: [cifOrg, kmr, ngo3, seed.organizations[1]!] };
  }
  const org = (name: string) => exported().organizations.find((o) => o.short_name === name)!;

  beforeEach(async () => {
    await reseed(twoNgoSeed());
  });

  it('O1: a referral to an NGO that does not hold the child creates nothing, updates the FIRST holder and answers 200', async () => {
    // create_referral l.252-281 finds the client only in the receiving tenant; nil goes on to
    // render_client_data l.82-102, which updates the client of global_identity.organizations.first.
    const result = await call(
      'POST',
      UPSERT,
      referral({ global_id: G_BOTH, organization_name: 'ngo3', family_name: 'Overwritten' }),
    );
    expect(result).toEqual({
      status: 200,
      body: { external_id: 'case-new', message: 'Record saved.' },
    });
    expect(org('ngo3').referrals ?? []).toHaveLength(0);
    expect(org('cif').clients.find((c) => c.global_id === G_BOTH)).toMatchObject({
      family_name: 'Overwritten',
      given_name: 'Invented',
    });
    expect(org('kmr').clients[0]).toMatchObject({ family_name: 'Person' });
  });

  it('O1/O2: when the receiving NGO holds the child, its referral is created but the FIRST holder is the one overwritten', async () => {
    const result = await call(
      'POST',
      UPSERT,
      referral({ global_id: G_BOTH, organization_name: 'kmr', family_name: 'Overwritten' }),
    );
    expect(result.status).toBe(200);
    expect(org('kmr').referrals.map((r) => r.referred_from)).toEqual(['kmr', 'primero']);
    expect(org('kmr').clients[0]).toMatchObject({
      family_name: 'Person',
      local_given_name: 'Local',
    });
    expect(org('cif').clients.find((c) => c.global_id === G_BOTH)).toMatchObject({
      family_name: 'Overwritten',
      local_given_name: null,
      reason_for_referral: null,
    });
  });

  it('O5: update_statuses picks the first holder tenant and the referral with that per-tenant id there', async () => {
    // l.165-192: GlobalIdentityOrganization.find_by(global_id) then Referral.find(referral_id).
    // The sender means kmr's referral 1; cif's referral 1 is the one changed.
    const result = await call('PUT', '/api/v1/organizations/referrals/update_statuses', {
      data: [{ client_global_id: G_BOTH, referral_id: 1, referral_status: 'Exited' }],
    });
    expect(result.status).toBe(200);
    expect(org('cif').referrals[0]!.referral_status).toBe('Exited');
    expect(org('kmr').referrals[0]!.referral_status).toBe('Referred');
  });

  it('O5: every Referral validation runs, and the status sentence is appended to any failure', async () => {
    // referral.rb l.18-29: a referral saved before the risk level was required fails now.
    const seed = twoNgoSeed();
    delete (
      (seed.organizations[0] as unknown as { referrals: unknown[] }).referrals[0] as Record<
        string,
        unknown
      >
    ).level_of_risk;
    await reseed(seed);
    const result = await call('PUT', '/api/v1/organizations/referrals/update_statuses', {
      data: [{ client_global_id: G_BOTH, referral_id: 1, referral_status: 'Exited' }],
    });
    expect(result).toEqual({
      status: 422,
      body: {
        error:
          "Level of risk can't be blank. Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
        message: 'Record error. Please check OSCaR logs for details.',
      },
    });
  });

  it('O5: update_statuses without data is a 500 (nil.each is not rescued)', async () => {
    const result = await call('PUT', '/api/v1/organizations/referrals/update_statuses', {});
    expect(result.status).toBe(500);
  });

  it('O6: update_links writes the Primero ids into every NGO copy of the child', async () => {
    // l.117-134 with Client.update_external_ids (client.rb l.386-393).
    const result = await call('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: G_BOTH, external_id: 'case-both', external_id_display: 'both123' }],
    });
    expect(result.status).toBe(200);
    expect(org('cif').clients.find((c) => c.global_id === G_BOTH)!.external_id).toBe('case-both');
    expect(org('kmr').clients[0]!.external_id).toBe('case-both');
  });
});

describe('real-system traps: identity and listing', () => {
  it('O3: an upsert without global_id mints a GlobalIdentity even when the referral is refused', async () => {
    // referral.rb l.86 (get_referral_attribute), called at l.219 before anything is checked.
    const before = exported().global_identities.length;
    const refused = await call('POST', UPSERT, referral({ level_of_risk: undefined }));
    expect(refused.status).toBe(422);
    expect(cif().referrals.filter((r) => r.external_id === 'case-new')).toHaveLength(0);
    expect(exported().global_identities.length).toBe(before + 1);
  });

  it('O4: an unknown global_id saves the referral, then answers 500', async () => {
    // l.224-226: GlobalIdentity.find_by(ulid) is nil after the save.
    const result = await call(
      'POST',
      UPSERT,
      referral({ global_id: '01HV0000000000000000000077', external_id: 'case-unknown' }),
    );
    expect(result.status).toBe(500);
    expect(cif().referrals.filter((r) => r.external_id === 'case-unknown')).toHaveLength(1);
  });

  it('O7: a soft-deleted client is listed in Part B, unflagged; never in Part A', async () => {
    // acts_as_paranoid (client.rb l.11) hides it from the Part A scope; Part B is raw SQL (l.295).
    const seed = contractSeed();
    const referred = seed.organizations[0]!.clients[0] as Record<string, unknown>;
    referred.deleted_at = '2024-03-06T00:00:00Z';
    await reseed(seed);
    const listed = (await list()).find((c) => c.global_id === G_REFERRED)!;
    expect(listed).toHaveProperty('resource', 'primero');
    expect(listed).not.toHaveProperty('level_of_risk');
    expect(JSON.stringify(listed)).not.toContain('deleted');
  });

  it('O7: a referral the NGO never accepted (or declined) is in no listing', async () => {
    await call('POST', UPSERT, referral());
    const created = cif().referrals.find((r) => r.external_id === 'case-new')!;
    expect(ids(await list())).not.toContain(created.client_global_id);
  });

  it('O8: the base filter accepts a local family name instead of the family name, not neither', async () => {
    const seed = contractSeed();
    const shared = seed.organizations[0]!.clients[1] as Record<string, unknown>;
    shared.family_name = null;
    shared.local_family_name = 'Local';
    await reseed(seed);
    expect(ids(await list())).toContain(G_SHARED);
    shared.local_family_name = null;
    await reseed(seed);
    expect(ids(await list())).not.toContain(G_SHARED);
  });
});
