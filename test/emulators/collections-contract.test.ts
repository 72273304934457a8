// The Collections emulator against the real @openfn/language-collections operations, and the
// contract it keeps with Lightning (OpenFn/lightning):
// - lib/lightning_web/router.ex, scope "/collections": GET /:name (stream), GET/PUT/DELETE
//   /:name/:key, POST /:name (put_all), DELETE /:name (delete_all), behind :authenticated_api.
// - lib/lightning_web/controllers/collections_controller.ex (as read at commit 020b5232):
//   L16-22 @valid_params key, cursor, limit, created_after, created_before (validate_query_params:
//   anything else 400); L36-47 put answers {upserted: 1} or "Format error"; L49-62 put_all answers
//   {upserted, error}, 500 "Database Error" when the upsert fails; get/2 answers 204 for a missing
//   key; delete/2 answers deleted 0 with "Item Not Found"; validate_cursor: the cursor is the
//   base64 of an ISO timestamp; finish_chunking writes {"items": [...], "cursor": ...}.
// - lib/lightning/collections.ex format_pattern: `*` becomes SQL `%`, `_` is left as LIKE's
//   one-character wildcard; put_all is insert_all with on_conflict replace (one batch may not hold
//   a key twice: cardinality_violation).
// - lib/lightning/collections/item.ex: items encode as {key, value, created, updated}.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections } from '@openfn/language-collections';
import { startCollectionsEmulator } from '../../demo/collections/index.ts';
import type { RunningEmulator } from '../../demo/common/harness.ts';
import { collectionsStore } from '../../src/openfn/collections-store.ts';
import { loadCarried, saveCarried } from '../../src/workflow/carried-items.ts';
import type { CarriedState } from '../../src/workflow/contract.ts';

const TOKEN = 'run-token-project-one';
const OTHER = 'run-token-project-two';
let emulator: RunningEmulator;
let config: { collections_endpoint: string; collections_token: string };

beforeAll(async () => {
  emulator = await startCollectionsEmulator({
    seed: {
      tokens: [
        { token: TOKEN, project_id: 'p1' },
        { token: OTHER, project_id: 'p2' },
      ],
      collections: [
        { name: 'primero-oscar-interop', project_id: 'p1' },
        { name: 'contract', project_id: 'p1' },
        { name: 'elsewhere', project_id: 'p2' },
      ],
    },
  });
  config = { collections_endpoint: `${emulator.url}/collections`, collections_token: TOKEN };
});
afterAll(() => emulator?.close());

const state = (token = TOKEN) => ({ configuration: { ...config, collections_token: token } });
const api = (path: string, init: RequestInit = {}, token = TOKEN) =>
  fetch(`${emulator.url}/collections/${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });

describe('Collections emulator, spoken to by the adaptor', () => {
  it('stores values set in one batch and pages a pattern with the base64 cursor', async () => {
    const values = Array.from({ length: 5 }, (_, i) => ({ n: i }));
    await collections.set('contract', (v: { n: number }) => `page:${v.n}`, values)(state());
    const got = await collections.get('contract', { key: 'page:*', pageSize: 2 })(state());
    expect(got.data.map((item: { key: string }) => item.key)).toEqual([
      'page:0',
      'page:1',
      'page:2',
      'page:3',
      'page:4',
    ]);
    expect(got.data.map((item: { value: unknown }) => item.value)).toEqual(values);
    const first = (await (await api('contract?key=page:*&limit=2')).json()) as any;
    expect(first.items).toHaveLength(2);
    expect(Buffer.from(first.cursor, 'base64').toString()).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const last = (await (
      await api(`contract?key=page:*&limit=3&cursor=${first.cursor}`)
    ).json()) as any;
    expect(last.items.map((i: { key: string }) => i.key)).toEqual(['page:2', 'page:3', 'page:4']);
    expect(last.cursor).toBeNull();
  });

  it('answers a missing key with 204, which the adaptor reads as {}', async () => {
    const response = await api('contract/nothing-here');
    expect(response.status).toBe(204);
    const got = await collections.get('contract', 'nothing-here')(state());
    expect(got.data).toEqual({});
  });

  it('reads `_` in a pattern as any one character, as SQL LIKE does', async () => {
    await collections.set('contract', 'like:a_b', 1)(state());
    await collections.set('contract', 'like:aXb', 2)(state());
    const got = await collections.get('contract', 'like:a_b*')(state());
    expect(got.data.map((item: { key: string }) => item.key).sort()).toEqual([
      'like:aXb',
      'like:a_b',
    ]);
  });

  it('deletes one key or a pattern, and says when a key was not there', async () => {
    await collections.set('contract', (v: string) => `gone:${v}`, ['1', '2', '3'])(state());
    expect(await (await api('contract/gone:1', { method: 'DELETE' })).json()).toEqual({
      key: 'gone:1',
      deleted: 1,
      error: null,
    });
    expect(await (await api('contract/gone:1', { method: 'DELETE' })).json()).toEqual({
      key: 'gone:1',
      deleted: 0,
      error: 'Item Not Found',
    });
    expect(await (await api('contract?key=gone:*', { method: 'DELETE' })).json()).toEqual({
      key: 'gone:*',
      deleted: 2,
      error: null,
    });
  });

  it('refuses a batch holding a key twice, unknown parameters and bad cursors', async () => {
    const twice = await api('contract', {
      method: 'POST',
      body: JSON.stringify({
        items: [
          { key: 'x', value: '1' },
          { key: 'x', value: '2' },
        ],
      }),
    });
    expect(twice.status).toBe(500);
    expect((await api('contract?page=2')).status).toBe(400);
    expect((await api('contract?cursor=bm90IGEgZGF0ZQ==')).status).toBe(400);
    expect((await api('contract?limit=ten')).status).toBe(400);
  });

  it('lets a token use only its own project’s collections', async () => {
    expect((await api('contract', {}, 'no-such-token')).status).toBe(401);
    expect((await api('contract', {}, OTHER)).status).toBe(401);
    expect((await api('no-such-collection')).status).toBe(404);
    await expect(collections.get('elsewhere', 'k')(state())).rejects.toThrow();
    await expect(collections.get('no-such-collection', 'k')(state())).rejects.toThrow(
      /COLLECTION_NOT_FOUND/,
    );
  });
});

describe('the carried state in a Collection', () => {
  it('is one item per cursor set, retry, dead letter and ledger record, rewritten only when changed', async () => {
    const store = collectionsStore(config);
    const retry = {
      key: 'f2-j2:case:G-1',
      step: 'f2-j2' as const,
      kind: 'case' as const,
      ids: { global_id: 'G-1' },
      reason: 'bad',
      attempts: 1,
      firstFailedAt: '2025-01-01T00:00:00Z',
      lastFailedAt: '2025-01-01T00:00:00Z',
    };
    const carried: CarriedState = {
      cursors: { primero: '2025-01-01T00:00:00Z' },
      retries: [retry],
      deadLetters: [],
      sent: [
        { key: 'referral:r1', value: 'sent', at: '2025-01-01T00:00:00Z' },
        { key: 'referral:r2', value: 'sent', at: '2025-01-01T00:00:00Z' },
      ],
    };
    await saveCarried(store, carried);
    const items = (
      emulator.state() as { collections: Record<string, { items: { key: string }[] }> }
    ).collections['primero-oscar-interop']!.items.map((item) => item.key).sort();
    expect(items).toEqual([
      'carried:cursors',
      'carried:retries:f2-j2:case:G-1',
      'carried:sent:referral:r1',
      'carried:sent:referral:r2',
    ]);
    expect(await loadCarried(store)).toEqual({ ...carried, deadLetters: undefined });

    const before = emulator.requestCounts();
    await saveCarried(store, { ...carried, retries: [], sent: carried.sent!.slice(0, 1) });
    const after = emulator.requestCounts();
    const delta = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    // A listing per field, no upsert (nothing changed in place), one DELETE per removed item.
    expect(delta('POST /collections/:name')).toBe(0);
    expect(delta('DELETE /collections/:name/:key')).toBe(2);
    expect((await loadCarried(store))?.sent).toEqual(carried.sent!.slice(0, 1));
  });

  it('reads items by key, and a state saved without its ledger leaves the ledger as stored', async () => {
    const store = collectionsStore(config);
    await saveCarried(store, {
      cursors: { primero: '2025-02-01T00:00:00Z' },
      retries: [],
      deadLetters: [],
      sent: [{ key: 'referral:k1', value: 'sent', at: '2025-02-01T00:00:00Z' }],
    });
    const before = emulator.requestCounts();
    // One request per key (a key is an exact path, never a pattern); an absent key is left out.
    expect(await store.get(['carried:sent:referral:k1', 'carried:sent:referral:none'])).toEqual([
      {
        key: 'carried:sent:referral:k1',
        value: { key: 'referral:k1', value: 'sent', at: '2025-02-01T00:00:00Z' },
      },
    ]);
    const afterGet = emulator.requestCounts();
    expect(
      (afterGet['GET /collections/:name/:key'] ?? 0) - (before['GET /collections/:name/:key'] ?? 0),
    ).toBe(2);

    // The run's end saves the cursors, retries and dead letters only: the ledger's record stays.
    await saveCarried(store, {
      cursors: { primero: '2025-02-02T00:00:00Z' },
      retries: [],
      deadLetters: [],
    });
    const after = emulator.requestCounts();
    expect(
      (after['DELETE /collections/:name/:key'] ?? 0) -
        (afterGet['DELETE /collections/:name/:key'] ?? 0),
    ).toBe(0);
    expect((await loadCarried(store))?.sent).toEqual([
      { key: 'referral:k1', value: 'sent', at: '2025-02-01T00:00:00Z' },
    ]);
  });
});
