// What f2 last applied for each child, so that a child OSCaR lists again unchanged costs nothing.
// OSCaR's `since_date` is a date (apis.md §2.2): every run of a day lists again every client changed
// that day, and each would be looked up in Primero to find it "unchanged". f2-j2 keeps, per child,
// a fingerprint of the Primero payload it maps the child to (the case as it would create it, and
// the OSCaR decisions on its referrals), written to the run's store once the child is applied
// (written, or found unchanged). A child whose fingerprint matches is dropped before any Primero
// look-up. A change to any field the mapping reads changes the payload, so it is applied; a change
// OSCaR makes to a field the mapping ignores does not. An explicit start (a backfill) applies every
// child again: it is how an operator repairs a Primero case changed or deleted by hand.
import type { StateStore, StoredItem } from '../../workflow/state-store.ts';
import { assertKey } from '../../workflow/state-store.ts';
import type { OscarChild } from './children.ts';
import { planCaseUpsert } from './plan.ts';
import type { CasePlan } from './plan.ts';
import { nameUuid, rowIdFor, serviceEntriesOf } from './service-rows.ts';

/** Store items `applied:f2:<global id>`, one per child f2 applied. */
const APPLIED_PREFIX = 'applied:f2:';

const keyOf = (globalId: string): string | undefined => {
  try {
    return assertKey(`${APPLIED_PREFIX}${globalId}`);
  } catch {
    // A global id no key can hold is never fingerprinted: the child goes the usual way.
    return undefined;
  }
};

/**
 * The fingerprint of the payload the child maps to: a name-based UUID (SHA-1) of it, portable to
 * the OpenFn.org sandbox (no node:crypto). Undefined when the child does not map (its failure is
 * then reported by the usual path, with its reason).
 */
export function fingerprintOf(
  child: OscarChild,
  syncUser: string,
  today: Date,
): string | undefined {
  return printedPlan(child, syncUser, today).print;
}

/**
 * The fingerprint, with the plan it is made of: the case the child would be created as. f2-j2
 * uses that plan again when Primero has no case for the child, so a new child is planned once.
 * Both are undefined when the child does not map.
 */
export function printedPlan(
  child: OscarChild,
  syncUser: string,
  today: Date,
): { print?: string; created?: CasePlan } {
  try {
    const created = planCaseUpsert({ child, syncUser, today });
    const decisions = serviceEntriesOf(child)
      .filter(
        (entry) => entry.service.referral_id !== null && entry.service.referral_id !== undefined,
      )
      .map((entry) => [rowIdFor(child.globalId, entry), entry.service.referral_status ?? null]);
    const print = nameUuid(`fingerprint:${JSON.stringify({ write: created.write, decisions })}`);
    return { print, created };
  } catch {
    return {};
  }
}

/** What f2 keeps per child it applied: the fingerprint, and the case it was applied to (ids only). */
interface Applied {
  print: string;
  case_id?: string;
}

/** A kept item as stored; a bare string is a fingerprint kept without its case. */
function appliedOf(value: unknown): Applied {
  if (typeof value === 'string') return { print: value };
  const applied = value as Partial<Applied> | null;
  return {
    print: typeof applied?.print === 'string' ? applied.print : '',
    ...(typeof applied?.case_id === 'string' ? { case_id: applied.case_id } : {}),
  };
}

/** The fingerprints held for these children and the means to keep new ones. */
export interface AppliedMemory {
  /** Whether f2 holds what it last applied for this child (a fingerprint to compare with). */
  holds(globalId: string): boolean;
  /** Whether `child` maps to what f2 last applied for it. */
  unchanged(globalId: string, fingerprint: string | undefined): boolean;
  /** The Primero case the child was applied to, when its fingerprint was kept with it. */
  caseId(globalId: string): string | undefined;
  /** Keeps the fingerprint of a child just applied, with its case (nothing in a dry run). */
  remember(globalId: string, fingerprint: string | undefined, caseId?: string): Promise<void>;
  /** Drops the fingerprint of a child that failed (nothing in a dry run). */
  forget(globalId: string): Promise<void>;
}

export async function appliedMemory(
  store: StateStore,
  globalIds: readonly string[],
  options: { dryRun: boolean; reapply: boolean },
): Promise<AppliedMemory> {
  const keys = globalIds.flatMap((id) => keyOf(id) ?? []);
  const held = new Map<string, Applied>();
  if (!options.reapply && keys.length > 0)
    for (const item of await store.get(keys, APPLIED_PREFIX))
      held.set(item.key, appliedOf(item.value));
  const write = coalescedWrites(store);
  return {
    holds(globalId) {
      const key = keyOf(globalId);
      return key !== undefined && held.has(key);
    },
    unchanged(globalId, fingerprint) {
      const key = keyOf(globalId);
      return fingerprint !== undefined && key !== undefined && held.get(key)?.print === fingerprint;
    },
    caseId(globalId) {
      const key = keyOf(globalId);
      return key === undefined ? undefined : held.get(key)?.case_id;
    },
    async remember(globalId, fingerprint, caseId) {
      const key = keyOf(globalId);
      if (options.dryRun || fingerprint === undefined || key === undefined) return;
      const value: Applied = { print: fingerprint, ...(caseId ? { case_id: caseId } : {}) };
      const earlier = held.get(key);
      if (earlier?.print === value.print && earlier.case_id === value.case_id) return;
      await write({ key, value });
      held.set(key, value);
    },
    async forget(globalId) {
      const key = keyOf(globalId);
      if (options.dryRun || key === undefined) return;
      await store.remove([key]);
      held.delete(key);
    },
  };
}

/**
 * Writes asked for in one pass of the job queue go to the store in one `set`; each caller's promise
 * settles with that write. A write check settles hundreds of creates at once (stored-checks.ts):
 * their prints take one transaction locally and one request to the Collection on OpenFn.org, where
 * a write each held up every lane until the last was done. Queued as a microtask, so a lone write
 * waits for nothing.
 */
export function coalescedWrites(
  store: Pick<StateStore, 'set'>,
): (item: StoredItem) => Promise<void> {
  let pending: { items: Map<string, StoredItem>; written: Promise<void> } | undefined;
  return (item) => {
    if (!pending) {
      const items = new Map<string, StoredItem>();
      const written = Promise.resolve().then(() => {
        pending = undefined;
        return store.set([...items.values()]);
      });
      pending = { items, written };
    }
    pending.items.set(item.key, item);
    return pending.written;
  };
}
