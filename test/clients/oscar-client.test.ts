// The OSCaR client against the OSCaR emulator: header tokens, one re-sign-in on 401, retries from
// the shared transport, typed parsing, scrubbed errors, and logs free of tokens and child data.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { startOscarEmulator } from '../../demo/oscar/index.ts';
import { ApiError } from '../../src/http/transport.ts';
import { createOscarClient } from '../../src/clients/oscar.ts';
import type { OscarClient } from '../../src/clients/oscar.ts';
import { setLogSink } from '../../src/log.ts';
import type { OscarUpsertPayload } from '../../src/model/oscar.ts';

const demoSeed = JSON.parse(
  readFileSync(new URL('../../demo/oscar/seed.json', import.meta.url), 'utf8'),
);
const EMAIL = demoSeed.admin_users[0].email as string;
const PASSWORD = demoSeed.admin_users[0].password as string;
const SIGN_IN = 'POST /api/v1/admin_auth/sign_in';
const LIST = 'GET /api/v1/organizations/clients';

let emulator: RunningEmulator;
let client: OscarClient;
let logLines: string[];
let restoreLog: () => void;

const fast = { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 4 };

function seedWith(mutate: (seed: typeof demoSeed) => void) {
  const seed = structuredClone(demoSeed);
  mutate(seed);
  return seed;
}

const referralPayload = (overrides: Partial<OscarUpsertPayload> = {}): OscarUpsertPayload => ({
  external_id: 'case-client-test',
  external_id_display: 'ct12345',
  given_name: 'Invented',
  family_name: 'Childname',
  gender: 'female',
  date_of_birth: '2017-07-07',
  organization_name: 'cif',
  external_case_worker_name: 'mosvy.worker',
  external_case_worker_mobile: '000000000',
  level_of_risk: 'low',
  is_referred: true,
  services: [{ name: 'Kinship care' }],
  ...overrides,
});

beforeAll(async () => {
  emulator = await startOscarEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.loadSeed(demoSeed);
  emulator.setFaults({});
  client = createOscarClient({ url: emulator.url, email: EMAIL, password: PASSWORD }, fast);
  logLines = [];
  restoreLog = setLogSink((level, message) => logLines.push(`${level} ${message}`));
});
afterEach(() => restoreLog());

const count = (route: string) => emulator.requestCounts()[route] ?? 0;

describe('sign-in', () => {
  it('signs in lazily once and sends the header tokens on later calls', async () => {
    const signInsBefore = count(SIGN_IN);
    const first = await client.listClients();
    await client.listClients({ sinceDate: '2024-03-01 00:00:00' });
    expect(count(SIGN_IN) - signInsBefore).toBe(1);
    expect(first.clients.map((c) => c.global_id)).toContain('01HQ7Z8Y6K3M4N5P6Q7R8S9T0V');
  });

  it('fails with a message naming the email, never the password', async () => {
    const bad = createOscarClient(
      { url: emulator.url, email: EMAIL, password: 'wrong-secret' },
      fast,
    );
    const error = await bad.signIn().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).message).toBe(
      `OSCaR sign-in failed for ${EMAIL}: 401 Invalid login credentials`,
    );
    expect(JSON.stringify(logLines)).not.toContain('wrong-secret');
  });

  it('signs in again once when the token expires (harness tokenExpiryAfterRequests)', async () => {
    emulator.setFaults({ tokenExpiryAfterRequests: 2 });
    const signInsBefore = count(SIGN_IN);
    for (let i = 0; i < 5; i++) await client.listClients();
    // Requests 1-2 use token A, the 3rd gets 401 → token B for 3-4, the 5th → token C.
    expect(count(SIGN_IN) - signInsBefore).toBe(3);
  });

  it('gives up after one re-sign-in when OSCaR keeps answering 401', async () => {
    emulator.setFaults({ tokenExpiryAfterRequests: 0 });
    const signInsBefore = count(SIGN_IN);
    const error = await client.listClients().catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(401);
    expect(count(SIGN_IN) - signInsBefore).toBe(2);
  });

  it('shares one sign-in between concurrent calls', async () => {
    const signInsBefore = count(SIGN_IN);
    await Promise.all([client.listClients(), client.listClients(), client.listClients()]);
    expect(count(SIGN_IN) - signInsBefore).toBe(1);
  });
});

describe('retries come from the shared transport', () => {
  it('retries a scripted 429 (Retry-After) and 5xx, then succeeds', async () => {
    emulator.setFaults({
      rules: [
        { route: LIST, status: 429, retryAfterSeconds: 0, times: 1 },
        { route: LIST, status: 502, times: 1 },
      ],
    });
    const before = count(LIST);
    const result = await client.listClients();
    expect(result.clients.length).toBeGreaterThan(0);
    expect(count(LIST) - before).toBe(3);
  });

  it('stops after maxAttempts and reports the status', async () => {
    emulator.setFaults({ rules: [{ route: LIST, status: 503 }] });
    const error = await client.listClients().catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).retryable).toBe(true);
  });
});

describe('listClients', () => {
  it('parses both serializer shapes into typed records', async () => {
    const { clients, invalid } = await client.listClients();
    expect(invalid).toEqual([]);
    const referred = clients.find((c) => c.global_id === '01HQ7Z8Y6K3M4N5P6Q7R8S9T0V')!;
    expect(referred).toMatchObject({
      level_of_risk: 'high',
      organization_id: 1,
      is_referred: true,
    });
    expect(referred.services?.[0]).toMatchObject({ referral_id: 1, referral_status: 'Accepted' });
    const shared = clients.find((c) => c.global_id === '01HQ7Z8Y6K3M4N5P6Q7R8S9T2X')!;
    expect(shared).toMatchObject({ resource: 'primero', local_given_name: null });
    expect(shared.services?.[0]?.enrollment_date).toBe('2024-01-15');
  });

  it('returns a client without global_id in `invalid` with a reason naming the field, and keeps the others', async () => {
    emulator.loadSeed(
      seedWith((seed) => {
        seed.organizations[0].clients[1].global_id = null;
      }),
    );
    const { clients, invalid } = await client.listClients();
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.reason).toMatch(/^global_id: /);
    expect(invalid[0]!.globalId).toBeUndefined();
    // Its organisation and slug are its identity from run to run (issue 15 item 4).
    expect(invalid[0]).toMatchObject({
      organization_name: expect.any(String),
      slug: expect.any(String),
    });
    expect(clients.length).toBeGreaterThan(1);
  });
});

describe('listClientsPacked (f2-j1: a whole window held until it is handed on)', () => {
  it('keeps each client as the JSON of its parsed record and the fields f2-j1 decides on; unreadable ones as listClients does', async () => {
    emulator.loadSeed(
      seedWith((seed) => {
        seed.organizations[0].clients[1].global_id = null;
      }),
    );
    const parsed = await client.listClients();
    const packed = await client.listClientsPacked();
    expect(packed.invalid).toEqual(parsed.invalid);
    expect(packed.clients.map((c) => JSON.parse(c.json))).toEqual(parsed.clients);
    const pick = ({ global_id, organization_name, slug, is_referred, external_id }: any) => ({
      global_id,
      organization_name,
      slug,
      is_referred,
      external_id,
    });
    expect(packed.clients.map(pick)).toEqual(parsed.clients.map(pick));
    // Text and the decision fields only: no parsed record is held beside its text.
    for (const listed of packed.clients)
      expect(
        Object.values(listed).every((value) => typeof value !== 'object' || value === null),
      ).toBe(true);
  });
});

describe('listClients for a few global ids (f1-j2: the NGOs holding known children)', () => {
  it('parses and returns only those clients; the others, unreadable ones included, are not read', async () => {
    emulator.loadSeed(
      seedWith((seed) => {
        seed.organizations[0].clients[1].global_id = null;
      }),
    );
    const all = await client.listClients();
    const wanted = all.clients[0]!.global_id;
    const { clients, invalid } = await client.listClients({
      globalIds: new Set([wanted, 'G-NOT-IN-OSCAR']),
    });
    expect(all.clients.length).toBeGreaterThan(1);
    expect(all.invalid).toHaveLength(1);
    expect(clients.map((c) => c.global_id)).toEqual(
      all.clients.filter((c) => c.global_id === wanted).map((c) => c.global_id),
    );
    expect(invalid).toEqual([]);
  });
});

describe('upsertClient', () => {
  it('creates a referral and returns OSCaR external_id and message', async () => {
    const result = await client.upsertClient(referralPayload());
    expect(result).toEqual({ ok: true, externalId: 'case-client-test', message: 'Record saved.' });
  });

  it('throws a 422 ApiError with field names and messages, never the child data', async () => {
    const error = await client
      .upsertClient(
        referralPayload({ level_of_risk: undefined, services: [{ name: 'Not Specified' }] }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toContain('case-client-test');
    expect((error as ApiError).message).toContain("field level_of_risk: can't be blank");
    expect((error as ApiError).message).toContain("field services: can't be blank");
    expect((error as ApiError).message).not.toContain('Childname');
  });

  it("reports OSCaR's 'Record was found.' with its reasons", async () => {
    const error = await client
      .upsertClient(
        referralPayload({
          external_id: '8f14e45f-demo-4c1a-9a01-000000000001',
          services: [{ name: 'Kinship care' }],
        }),
      )
      .catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toContain('Record was found.');
    expect((error as ApiError).message).toContain('field global_id: must exist');
  });

  it('sends only the permitted keys', async () => {
    const withExtras = {
      ...referralPayload(),
      resource: 'Primero',
      transaction_id: 'tx',
    } as OscarUpsertPayload;
    await client.upsertClient(withExtras);
    const state = emulator.state() as {
      organizations: Array<{ referrals: Array<Record<string, unknown>> }>;
    };
    const created = state.organizations[0]!.referrals.at(-1)!;
    expect(created.external_id).toBe('case-client-test');
  });
});

describe('updateLinks and updateStatuses', () => {
  it('links a client to its Primero case', async () => {
    await client.updateLinks([
      {
        global_id: '01HQ7Z8Y6K3M4N5P6Q7R8S9T1W',
        external_id: 'case-linked',
        external_id_display: 'l1n2k3',
      },
    ]);
    const { clients } = await client.listClients();
    expect(clients.find((c) => c.global_id === '01HQ7Z8Y6K3M4N5P6Q7R8S9T1W')).toMatchObject({
      external_id: 'case-linked',
      resource: 'primero',
    });
  });

  it('updates referral statuses and throws a 422 ApiError for a bad item', async () => {
    await client.updateStatuses([
      { client_global_id: '01HQ7Z8Y6K3M4N5P6Q7R8S9T0V', referral_id: 1, referral_status: 'Exited' },
    ]);
    const error = await client
      .updateStatuses([
        {
          client_global_id: '01HQ7Z8Y6K3M4N5P6Q7R8S9T0V',
          referral_id: 42,
          referral_status: 'Exited',
        },
      ])
      .catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toContain(
      'Record error. Please check OSCaR logs for details.; not found',
    );
  });

  it('sends nothing for an empty list', async () => {
    const before = count('PUT /api/v1/organizations/clients/update_links');
    await client.updateLinks([]);
    await client.updateStatuses([]);
    expect(count('PUT /api/v1/organizations/clients/update_links')).toBe(before);
  });
});

describe('privacy', () => {
  it('never logs a token, the password or child data', async () => {
    emulator.setFaults({
      tokenExpiryAfterRequests: 1,
      rules: [{ route: LIST, status: 503, times: 1 }],
    });
    await client.listClients();
    await client.listClients();
    await client.upsertClient(referralPayload()).catch(() => undefined);
    await client.upsertClient(referralPayload({ level_of_risk: undefined })).catch(() => undefined);
    const text = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of [PASSWORD, 'Childname', 'Dara', '2014-05-17', '012000001'])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/access-token/i);
  });
});
