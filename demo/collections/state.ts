// The Collections emulator's state: the collections of one Lightning instance, each bound to a
// project, and the bearer tokens that may use them. A seed names both:
//   { "tokens": [{ "token": "...", "project_id": "p1" }],
//     "collections": [{ "name": "primero-oscar-interop", "project_id": "p1" }] }
// Items are Lightning's collections_items rows (lib/lightning/collections/item.ex): key, value (a
// string, at most 1 000 000 characters on a single put), inserted_at, updated_at.

export interface CollectionItem {
  key: string;
  value: string;
  insertedAt: string;
  updatedAt: string;
}

export interface Collection {
  name: string;
  projectId: string;
  /** In insertion order, as Lightning streams them. */
  items: Map<string, CollectionItem>;
}

export interface CollectionsState {
  /** Bearer token -> the project it acts for (a run token or a personal access token). */
  tokens: Map<string, string>;
  collections: Map<string, Collection>;
  /** Last timestamp handed out, so that every insert has its own (see demo/README.md). */
  clock: number;
}

export const emptyCollectionsState = (): CollectionsState => ({
  tokens: new Map(),
  collections: new Map(),
  clock: 0,
});

function list(root: Record<string, unknown>, field: string): Record<string, unknown>[] {
  const value = root[field] ?? [];
  if (!Array.isArray(value)) throw new Error(`seed.${field} must be an array`);
  return value.map((entry, index) => {
    if (!entry || typeof entry !== 'object')
      throw new Error(`seed.${field}[${index}] must be an object`);
    return entry as Record<string, unknown>;
  });
}

function text(entry: Record<string, unknown>, field: string, where: string): string {
  const value = entry[field];
  if (typeof value !== 'string' || value === '')
    throw new Error(`${where}.${field} must be a non-empty string`);
  return value;
}

export function loadCollectionsSeed(seed: unknown): CollectionsState {
  if (!seed || typeof seed !== 'object' || Array.isArray(seed))
    throw new Error('The Collections seed must be an object { tokens, collections }');
  const root = seed as Record<string, unknown>;
  const unknown = Object.keys(root).filter((key) => !['tokens', 'collections'].includes(key));
  if (unknown.length > 0) throw new Error(`Unknown seed keys: ${unknown.join(', ')}`);
  const state = emptyCollectionsState();
  list(root, 'tokens').forEach((entry, i) =>
    state.tokens.set(
      text(entry, 'token', `seed.tokens[${i}]`),
      text(entry, 'project_id', `seed.tokens[${i}]`),
    ),
  );
  list(root, 'collections').forEach((entry, i) => {
    const name = text(entry, 'name', `seed.collections[${i}]`);
    if (state.collections.has(name))
      throw new Error(`seed.collections[${i}]: a collection named ${name} exists already`);
    state.collections.set(name, {
      name,
      projectId: text(entry, 'project_id', `seed.collections[${i}]`),
      items: new Map(),
    });
  });
  return state;
}

/** An ISO timestamp later than every one handed out before (microsecond precision, as Postgres). */
export function nextTimestamp(state: CollectionsState): string {
  const nowMicros = Date.now() * 1000;
  state.clock = Math.max(state.clock + 1, nowMicros);
  const millis = Math.floor(state.clock / 1000);
  const micros = String(state.clock % 1000).padStart(3, '0');
  return new Date(millis).toISOString().replace('Z', `${micros}Z`);
}

export function exportCollectionsState(state: CollectionsState) {
  return {
    collections: Object.fromEntries(
      [...state.collections.values()].map((c) => [
        c.name,
        { project_id: c.projectId, items: [...c.items.values()] },
      ]),
    ),
  };
}
