// Issue 15 item 2 (the HTTP clients): every id placed in a Primero URL path is one encoded
// segment, refused before any request when it cannot be one; a 403/404/422 about one record is a
// RecordRefusedError, which a step records as that item's failure (isItemError), while a listing
// refused or a 5xx stays an outage. OSCaR's interop paths carry no id: its upsert refusals are
// RecordRefusedErrors too. Real HTTP against the emulators; invented records.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { startPrimeroEmulator } from '../../demo/primero/index.ts';
import { startOscarEmulator } from '../../demo/oscar/index.ts';
import { createPrimeroClient } from '../../src/clients/primero.ts';
import { createOscarClient } from '../../src/clients/oscar.ts';
import { ApiError } from '../../src/http/errors.ts';
import { RecordRefusedError, pathSegment } from '../../src/http/record-error.ts';
import { isItemError } from '../../src/workflow/step-context.ts';
import { baseOscarSeed, basePrimeroSeed, DEMO_CREDENTIALS } from '../e2e/helpers.ts';

const fast = { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 };
const IDS = ['.', '..', 'a/b', '%2e', 'ករណី', 'q?x#y'];

let primero: RunningEmulator;
let oscar: RunningEmulator;
beforeAll(async () => {
  primero = await startPrimeroEmulator({ seed: basePrimeroSeed() });
  oscar = await startOscarEmulator({ seed: baseOscarSeed() });
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([primero.close(), oscar.close()]);
});

const cases = (ids: string[]) =>
  ids.map((id, i) => ({
    id,
    case_id: `case-${i}`,
    name_first: 'Invented',
    sex: 'female',
    created_at: '2025-01-01T00:00:00.000Z',
    last_updated_at: '2025-01-01T00:00:00.000Z',
  }));

beforeEach(() => {
  primero.loadSeed(basePrimeroSeed(cases(IDS.slice(2))));
  primero.setFaults({});
  oscar.setFaults({});
});

const primeroClient = () =>
  createPrimeroClient({ url: primero.url, ...DEMO_CREDENTIALS.primero, basicAuth: true }, fast);

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('pathSegment', () => {
  it('encodes what can be one segment and refuses what cannot', () => {
    const where = { system: 'primero' as const, method: 'GET', path: '/x/:id', what: 'case' };
    expect(pathSegment('a/b', where)).toBe('a%2Fb');
    expect(pathSegment('%2e', where)).toBe('%252e');
    expect(pathSegment('q?x#y', where)).toBe('q%3Fx%23y');
    expect(pathSegment('ក', where)).toBe('%E1%9E%80');
    for (const bad of ['', '.', '..', '\uD800']) {
      const error = (() => {
        try {
          pathSegment(bad, where);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(RecordRefusedError);
      expect(error).toMatchObject({ kind: 'unsafe-id', recordId: bad });
      expect(isItemError(error)).toBe(true);
    }
  });
});

describe('Primero client: ids in paths', () => {
  it('refuses ".", ".." and "" without sending anything; reads encoded ids as the record they name', async () => {
    const client = primeroClient();
    for (const id of ['.', '..', '']) {
      const before = JSON.stringify(primero.requestCounts());
      for (const call of [
        () => client.getCase(id),
        () => client.updateCase(id, { oscar_number: 'G-1' }),
        () => client.listReferrals(id),
        () => client.updateReferral(id, 'r-1', { status: 'accepted' }),
        () => client.updateReferral('case-x', id, { status: 'accepted' }),
      ]) {
        const error = await caught(call());
        expect(error).toBeInstanceOf(RecordRefusedError);
        expect((error as RecordRefusedError).kind).toBe('unsafe-id');
        expect(isItemError(error)).toBe(true);
      }
      expect(JSON.stringify(primero.requestCounts())).toBe(before);
    }
    for (const id of IDS.slice(2)) expect((await client.getCase(id)).id).toBe(id);
  });

  it('a 404 or 403 about one case is an item failure naming it; a 503 or a refused listing is not', async () => {
    const client = primeroClient();
    const gone = await caught(client.listReferrals('no-such-case'));
    expect(gone).toBeInstanceOf(RecordRefusedError);
    expect(gone).toMatchObject({ kind: 'not-found', status: 404, recordId: 'no-such-case' });
    expect((gone as Error).message).toMatch(/referrals of case no-such-case/);
    expect(isItemError(gone)).toBe(true);

    primero.setFaults({ rules: [{ route: 'PATCH /api/v2/cases/:id', status: 403, times: 1 }] });
    const hidden = await caught(client.updateCase('a/b', { oscar_number: 'G-1' }));
    expect(hidden).toMatchObject({ kind: 'forbidden', recordId: 'a/b' });
    expect(isItemError(hidden)).toBe(true);

    primero.setFaults({ rules: [{ route: 'GET /api/v2/cases/:id', status: 503 }] });
    const down = await caught(client.getCase('a/b'));
    expect(down).toBeInstanceOf(ApiError);
    expect(down).not.toBeInstanceOf(RecordRefusedError);
    expect(isItemError(down)).toBe(false);

    primero.setFaults({ rules: [{ route: 'GET /api/v2/cases', status: 403 }] });
    const listing = await caught(client.listCases({ oscar_number: 'G-1' }));
    expect(isItemError(listing)).toBe(false);
  });
});

describe('OSCaR client: one refused upsert', () => {
  it('a 404, 403 or 422 on an upsert is a RecordRefusedError; a 503 is not', async () => {
    const client = createOscarClient({ url: oscar.url, ...DEMO_CREDENTIALS.oscar }, fast);
    const upsert = () =>
      client.upsertClient({ external_id: 'case-1', organization_name: 'cif' } as never);
    for (const status of [404, 403, 422]) {
      oscar.setFaults({
        rules: [{ route: 'POST /api/v1/organizations/clients/upsert', status, times: 1 }],
      });
      const error = await caught(upsert());
      expect(error).toBeInstanceOf(RecordRefusedError);
      expect(error).toMatchObject({ status, recordId: 'case-1' });
      expect(isItemError(error)).toBe(true);
    }
    oscar.setFaults({
      rules: [{ route: 'POST /api/v1/organizations/clients/upsert', status: 503 }],
    });
    const down = await caught(upsert());
    expect(isItemError(down)).toBe(false);
  });
});
