// Lightning's collections API as its router and controller define it (OpenFn/lightning
// lib/lightning_web/router.ex scope "/collections"; lib/lightning_web/controllers/
// collections_controller.ex; lib/lightning/collections.ex): bearer-token auth, one project's
// collections only, key patterns with `*`, pages with a base64 cursor, batch upsert, delete.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../common/harness.ts';
import type { Collection, CollectionsState } from './state.ts';
import { nextTimestamp } from './state.ts';

/** The controller's stream_limit default and what the adaptor assumes (its pageSize 1000). */
export const DEFAULT_LIMIT = 1000;
/** Item.changeset validates value length on a single put. */
export const MAX_VALUE_LENGTH = 1_000_000;
const VALID_PARAMS = ['key', 'cursor', 'limit', 'created_after', 'created_before'];

const notFound = (reply: FastifyReply) => reply.code(404).send({ errors: { detail: 'Not Found' } });
const badRequest = (reply: FastifyReply) =>
  reply.code(400).send({ errors: { detail: 'Bad Request' } });
const unauthorized = (reply: FastifyReply) =>
  reply.code(401).send({ errors: { detail: 'Unauthorized' } });

/**
 * A key pattern as Lightning runs it: SQL LIKE after `*` becomes `%` and `%` and `\` are escaped
 * (collections.ex format_pattern). `_` is not escaped, so it matches any one character.
 */
export function keyPatternMatcher(pattern: string): (key: string) => boolean {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 's');
  return (key) => regex.test(key);
}

type Params = { name: string; key?: string };

export function registerCollectionsRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext<CollectionsState>,
): void {
  /** The collection the request names, when its bearer token's project owns it. */
  const authorised = (request: FastifyRequest, reply: FastifyReply): Collection | undefined => {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    const project = token === undefined ? undefined : ctx.state().tokens.get(token);
    if (project === undefined) {
      unauthorized(reply);
      return undefined;
    }
    const { name } = request.params as Params;
    const collection = ctx.state().collections.get(name);
    if (!collection) {
      notFound(reply);
      return undefined;
    }
    // Policies.Collections :access_collection: the subject must belong to the owning project.
    if (collection.projectId !== project) {
      unauthorized(reply);
      return undefined;
    }
    return collection;
  };

  app.get('/collections/:name', async (request, reply) => {
    const collection = authorised(request, reply);
    if (!collection) return reply;
    const query = request.query as Record<string, string>;
    if (Object.keys(query).some((param) => !VALID_PARAMS.includes(param))) return badRequest(reply);
    const limitText = query['limit'] ?? String(DEFAULT_LIMIT);
    if (!/^[+-]?\d+$/.test(limitText)) return badRequest(reply);
    const limit = Number(limitText);
    let after: string | undefined;
    if (query['cursor'] !== undefined) {
      const decoded = Buffer.from(query['cursor'], 'base64').toString('utf8');
      if (Number.isNaN(Date.parse(decoded)) || !/^\d{4}-\d{2}-\d{2}T/.test(decoded))
        return badRequest(reply);
      after = decoded;
    }
    const matches = query['key'] === undefined ? () => true : keyPatternMatcher(query['key']);
    const selected = [...collection.items.values()].filter(
      (item) =>
        matches(item.key) &&
        (after === undefined || item.insertedAt > after) &&
        (query['created_after'] === undefined || item.insertedAt >= query['created_after']) &&
        (query['created_before'] === undefined || item.insertedAt < query['created_before']),
    );
    const page = selected.slice(0, Math.max(limit, 0));
    const more = selected.length > page.length && page.length > 0;
    const last = page.at(-1);
    return reply.send({
      items: page.map((item) => ({
        key: item.key,
        value: item.value,
        created: item.insertedAt,
        updated: item.updatedAt,
      })),
      cursor: more && last ? Buffer.from(last.insertedAt).toString('base64') : null,
    });
  });

  app.get('/collections/:name/:key', async (request, reply) => {
    const collection = authorised(request, reply);
    if (!collection) return reply;
    const item = collection.items.get((request.params as Params).key!);
    if (!item) return reply.code(204).send();
    return reply.send({
      key: item.key,
      value: item.value,
      created: item.insertedAt,
      updated: item.updatedAt,
    });
  });

  const upsert = (collection: Collection, key: string, value: string, at: string) => {
    const existing = collection.items.get(key);
    collection.items.set(key, {
      key,
      value,
      insertedAt: existing?.insertedAt ?? at,
      updatedAt: at,
    });
  };

  app.put('/collections/:name/:key', async (request, reply) => {
    const collection = authorised(request, reply);
    if (!collection) return reply;
    const value = (request.body as { value?: unknown } | undefined)?.value;
    if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH)
      return reply.send({ upserted: 0, error: 'Format error' });
    upsert(collection, (request.params as Params).key!, value, nextTimestamp(ctx.state()));
    return reply.send({ upserted: 1, error: null });
  });

  app.post('/collections/:name', async (request, reply) => {
    const collection = authorised(request, reply);
    if (!collection) return reply;
    const items = (request.body as { items?: unknown } | undefined)?.items;
    if (!Array.isArray(items)) return badRequest(reply);
    const pairs = items as Array<{ key?: unknown; value?: unknown }>;
    if (pairs.some((p) => typeof p?.key !== 'string' || typeof p?.value !== 'string'))
      return badRequest(reply);
    // insert_all with on_conflict: a key twice in one batch is Postgres' cardinality_violation.
    if (new Set(pairs.map((p) => p.key)).size !== pairs.length)
      return reply.code(500).send({ upserted: 0, error: 'Database Error' });
    for (const pair of pairs)
      upsert(collection, pair.key as string, pair.value as string, nextTimestamp(ctx.state()));
    return reply.send({ upserted: pairs.length, error: null });
  });

  app.delete('/collections/:name/:key', async (request, reply) => {
    const collection = authorised(request, reply);
    if (!collection) return reply;
    const key = (request.params as Params).key!;
    if (!collection.items.delete(key))
      return reply.send({ key, deleted: 0, error: 'Item Not Found' });
    return reply.send({ key, deleted: 1, error: null });
  });

  app.delete('/collections/:name', async (request, reply) => {
    const collection = authorised(request, reply);
    if (!collection) return reply;
    const pattern = (request.query as Record<string, string>)['key'];
    const matches = pattern === undefined ? () => true : keyPatternMatcher(pattern);
    let deleted = 0;
    for (const key of [...collection.items.keys()])
      if (matches(key)) {
        collection.items.delete(key);
        deleted += 1;
      }
    return reply.send({ key: pattern ?? null, deleted, error: null });
  });
}
