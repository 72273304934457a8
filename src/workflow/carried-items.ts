// The carried state as store items: one item per field that is a single value (the cursors) and
// one item per element of the list fields (each retry, dead letter and sent-ledger record, keyed
// by its own key), so a change writes only what changed. A new field of CarriedState is one line
// in CARRIED_FIELDS (the compiler insists): 'value' or 'items'.
import type { AwaitingServices, CarriedState, SentRecord } from './contract.ts';
import type { StateStore, StoredItem } from './state-store.ts';
import { assertKey, isKey } from './state-store.ts';

type ListField = {
  [K in keyof CarriedState]-?: NonNullable<CarriedState[K]> extends Array<{ key: string }>
    ? K
    : never;
}[keyof CarriedState];

export const CARRIED_FIELDS: {
  [K in keyof CarriedState]-?: K extends ListField ? 'items' : 'value';
} = {
  cursors: 'value',
  retries: 'items',
  deadLetters: 'items',
  sent: 'items',
  checkpoint: 'value',
  awaitingServices: 'items',
};

export const CARRIED_PREFIX = 'carried:';

const fieldKey = (field: string) => `${CARRIED_PREFIX}${field}`;
const itemKey = (field: string, key: string) => assertKey(`${CARRIED_PREFIX}${field}:${key}`);

/** The store items that hold `carried`. */
export function carriedToItems(carried: Partial<CarriedState>): StoredItem[] {
  const items: StoredItem[] = [];
  for (const [field, kind] of Object.entries(CARRIED_FIELDS)) {
    const value = (carried as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (kind === 'value') items.push({ key: fieldKey(field), value });
    else
      for (const element of value as Array<{ key: string }>)
        items.push({ key: itemKey(field, element.key), value: element });
  }
  return items;
}

/** The carried state the items hold, or undefined when the store holds none (the first run). */
export function carriedFromItems(items: readonly StoredItem[]): Partial<CarriedState> | undefined {
  const carried: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(CARRIED_FIELDS)) {
    if (kind === 'value') {
      const found = items.find((item) => item.key === fieldKey(field));
      if (found) carried[field] = found.value;
    } else {
      const prefix = `${fieldKey(field)}:`;
      const elements = items.filter((item) => item.key.startsWith(prefix));
      if (elements.length > 0) carried[field] = elements.map((item) => item.value);
    }
  }
  return Object.keys(carried).length === 0 ? undefined : (carried as Partial<CarriedState>);
}

/**
 * The store prefixes that hold these fields of the carried state: a value field's own key, a list
 * field's `carried:<field>:`. Reading or rewriting only these leaves the others untouched.
 */
export function carriedPrefixes(fields: readonly (keyof CarriedState)[]): string[] {
  return fields.map((field) =>
    CARRIED_FIELDS[field] === 'value' ? fieldKey(field) : `${fieldKey(field)}:`,
  );
}

const ALL_FIELDS = Object.keys(CARRIED_FIELDS) as (keyof CarriedState)[];
/**
 * Every field but the per-item lists the steps write themselves (the ledger, the children awaiting
 * their services): what a run starts from, those lists being read by the steps when needed.
 */
export const FIELDS_WITHOUT_LEDGER = ALL_FIELDS.filter(
  (field) => field !== 'sent' && field !== 'awaitingServices',
);

/**
 * The fields a save of `next` rewrites: every value field (absent means none), and the list fields
 * it holds. A list field left out (the ledger, which the steps write record by record to the store
 * itself) stays as stored: nothing reads or rewrites the whole ledger at the end of a run.
 */
export function savedFields(next: Partial<CarriedState>): (keyof CarriedState)[] {
  return ALL_FIELDS.filter(
    (field) => CARRIED_FIELDS[field] === 'value' || next[field] !== undefined,
  );
}

/** What to write and remove so that a store holding `before` holds `after` (see savedFields). */
export function carriedChanges(
  before: readonly StoredItem[],
  after: Partial<CarriedState>,
): { set: StoredItem[]; remove: string[] } {
  const prefixes = carriedPrefixes(savedFields(after));
  const old = new Map(
    before
      .filter((item) => prefixes.some((prefix) => item.key.startsWith(prefix)))
      .map((item) => [item.key, JSON.stringify(item.value)]),
  );
  const next = carriedToItems(after);
  const keep = new Set(next.map((item) => item.key));
  return {
    set: next.filter((item) => old.get(item.key) !== JSON.stringify(item.value)),
    remove: [...old.keys()].filter((key) => !keep.has(key)),
  };
}

async function listFields(
  store: StateStore,
  fields: readonly (keyof CarriedState)[],
): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  for (const prefix of carriedPrefixes(fields)) items.push(...(await store.list(prefix)));
  return items;
}

/** These fields of the carried state in the store (all by default), or undefined before any. */
export async function loadCarried(
  store: StateStore,
  fields: readonly (keyof CarriedState)[] = ALL_FIELDS,
): Promise<Partial<CarriedState> | undefined> {
  return carriedFromItems(await listFields(store, fields));
}

/** Makes the store hold `next`, writing only the items that changed (see savedFields). */
export async function saveCarried(store: StateStore, next: Partial<CarriedState>): Promise<void> {
  const changes = carriedChanges(await listFields(store, savedFields(next)), next);
  if (changes.set.length > 0) await store.set(changes.set);
  if (changes.remove.length > 0) await store.remove(changes.remove);
}

/** Sent-ledger records as they change: written (or removed) at once, one item each. */
export async function saveSentChanges(
  store: StateStore,
  changes: { set?: readonly SentRecord[]; remove?: readonly string[] },
): Promise<void> {
  const set = changes.set ?? [];
  const remove = changes.remove ?? [];
  if (set.length > 0)
    await store.set(set.map((record) => ({ key: itemKey('sent', record.key), value: record })));
  if (remove.length > 0) await store.remove(remove.map((key) => itemKey('sent', key)));
}

/**
 * The whole sent ledger as the store holds it now: only for a run that copies it into memory (a
 * dry run, a caller without a durable store). The steps read the records they need instead
 * (loadSentRecords, listSent): a run's cost must not grow with the ledger.
 */
export async function loadSent(store: StateStore): Promise<SentRecord[]> {
  const prefix = `${fieldKey('sent')}:`;
  return (await store.list(prefix)).map((item) => item.value as SentRecord);
}

/**
 * The sent-ledger records under these keys (`referral:<id>`, `link:<global id>`, ...) as the store
 * holds them now; absent keys are left out. One read per kind of record, so a store that lists
 * rather than asks key by key (a Collection, for many keys) lists only that kind.
 */
export async function loadSentRecords(
  store: StateStore,
  keys: Iterable<string>,
): Promise<SentRecord[]> {
  const byKind = new Map<string, string[]>();
  for (const key of new Set(keys)) {
    const stored = `${SENT_PREFIX}${key}`;
    // A key no store item can have was never written.
    if (!isKey(stored)) continue;
    const kind = `${SENT_PREFIX}${key.slice(0, key.indexOf(':') + 1)}`;
    const ofKind = byKind.get(kind);
    if (ofKind) ofKind.push(stored);
    else byKind.set(kind, [stored]);
  }
  const records: SentRecord[] = [];
  for (const [kind, stored] of byKind)
    for (const item of await store.get(stored, kind)) records.push(item.value as SentRecord);
  return records;
}

/** Every sent-ledger record of one kind (`awaiting:`, `referral:`), as the store holds it now. */
export async function listSent(store: StateStore, kind: string): Promise<SentRecord[]> {
  return (await store.list(`${SENT_PREFIX}${kind}`)).map((item) => item.value as SentRecord);
}

/** The children awaiting their services as the store holds them now (one item each). */
export async function loadAwaiting(store: StateStore): Promise<AwaitingServices[]> {
  const prefix = `${fieldKey('awaitingServices')}:`;
  return (await store.list(prefix)).map((item) => item.value as AwaitingServices);
}

/** Children awaiting their services as they change: written (or removed) one item each. */
export async function saveAwaitingChanges(
  store: StateStore,
  changes: { set: readonly AwaitingServices[]; remove: readonly string[] },
): Promise<void> {
  if (changes.set.length > 0)
    await store.set(
      changes.set.map((entry) => ({ key: itemKey('awaitingServices', entry.key), value: entry })),
    );
  if (changes.remove.length > 0)
    await store.remove(changes.remove.map((key) => itemKey('awaitingServices', key)));
}

/** The ledger key of a sent record (what a journal or a counting test sees written). */
export const SENT_PREFIX = `${CARRIED_PREFIX}sent:`;

/**
 * The run context's copy of the carried state leaves the ledger and the children awaiting their
 * services out: either may hold thousands of records and every step output would repeat them.
 * Steps read them from the run's store.
 */
export function withoutLedger(carried: CarriedState): CarriedState {
  const { sent: _sent, awaitingServices: _awaiting, ...rest } = carried;
  return rest;
}
