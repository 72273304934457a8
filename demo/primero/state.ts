// The Primero emulator's in-memory data, and the seed it is loaded from. A seed holds records in
// Primero's own v2 shapes (what GET /api/v2/cases and /referrals return), plus the users who may
// sign in. Server-set fields missing from a seeded case are filled as Primero would have set them.
import { randomBytes, randomUUID } from 'node:crypto';
import { parsePrimeroCase, parsePrimeroReferral } from '../../src/model/primero.ts';
import { defaultPrimeroProfile } from './profile.ts';
import type { PrimeroProfile } from './profile.ts';

export type CaseRecord = Record<string, unknown> & { id: string };
export type ReferralRecord = Record<string, unknown> & {
  id: string;
  record_id: string;
  status: string;
};

export interface StoredCase {
  record: CaseRecord;
  /** Parsed once so that filters and sorting over 50 000 cases never re-parse dates. */
  createdMs: number;
  updatedMs: number;
  /** Insertion order: the tie-breaker that keeps paging stable. */
  seq: number;
}

/** A role's reach over records (Permission::ALL / AGENCY / GROUP / USER in app/models/user.rb). */
export const GROUP_PERMISSIONS = ['all', 'agency', 'group', 'self'] as const;
export type GroupPermission = (typeof GROUP_PERMISSIONS)[number];

export interface PrimeroUser {
  id: number;
  user_name: string;
  password: string;
  agency: string | undefined;
  /** The role's group permission; seeds without one get 'all' (see demo/README.md). */
  group_permission: GroupPermission;
  /** User groups (unique ids) the user belongs to. */
  groups: string[];
  /** Case fields the user's role has no writable form for (written only if permitted). */
  unwritable_fields: string[];
  failedAttempts: number;
  locked: boolean;
  /** Sign-in attempts (ms) in the last minute, for the 7-a-minute throttle. */
  recentAttempts: number[];
}

export interface PrimeroSession {
  user_name: string;
  /** The CSRF-TOKEN cookie value a cookie-session write must repeat in X-CSRF-Token. */
  csrf: string;
}

export interface PrimeroState {
  /** Which Primero the emulator plays (demo/primero/profile.ts). */
  profile: PrimeroProfile;
  users: Map<string, PrimeroUser>;
  /** Native sessions (v2.11+): session id -> user; a sign-in ends the user's other sessions. */
  sessions: Map<string, PrimeroSession>;
  /**
   * Allowed values of select fields, by field name (case and service-row fields alike): the
   * instance's lookups, checked from v2.15. A field absent here is not checked.
   */
  lookups: Record<string, string[]>;
  cases: Map<string, StoredCase>;
  /** Case ids by the external ids the sync searches on, so a search is not a scan of every case. */
  idsByExternalId: { case_id: Map<string, Set<string>>; oscar_number: Map<string, Set<string>> };
  referralsByCase: Map<string, ReferralRecord[]>;
  /** Signed tokens still allowed (DELETE /api/v2/tokens revokes). */
  tokens: Map<string, { user_name: string; expiresMs: number }>;
  /** Per state, so a replaced state invalidates every token issued before. */
  jwtSecret: Buffer;
  nextSeq: number;
}

export const DEFAULT_PRIMERO_USER = {
  user_name: 'primero_cp',
  password: 'primero-demo-password',
  agency: 'agency-unicef',
};

/**
 * Lookups of the Cambodia instance as this project assumes them: Primero's default gender lookup
 * has no `other` and its risk lookup no `no_action` (config seeds of primeroIMS/primero); the
 * Cambodia configuration is assumed to add both. A seed's `lookups` replaces this.
 */
export const DEFAULT_LOOKUPS: Record<string, string[]> = {
  sex: ['male', 'female', 'other'],
  risk_level: ['high', 'medium', 'low', 'no_action'],
};

export function emptyPrimeroState(profile: PrimeroProfile = defaultPrimeroProfile()): PrimeroState {
  const state: PrimeroState = {
    profile,
    users: new Map(),
    sessions: new Map(),
    lookups: structuredClone(DEFAULT_LOOKUPS),
    cases: new Map(),
    idsByExternalId: { case_id: new Map(), oscar_number: new Map() },
    referralsByCase: new Map(),
    tokens: new Map(),
    jwtSecret: randomBytes(32),
    nextSeq: 1,
  };
  addUser(state, DEFAULT_PRIMERO_USER);
  return state;
}

function addUser(
  state: PrimeroState,
  user: {
    user_name: string;
    password: string;
    agency?: string | undefined;
    group_permission?: GroupPermission;
    groups?: string[];
    unwritable_fields?: string[];
  },
) {
  state.users.set(user.user_name, {
    id: state.users.size + 1,
    user_name: user.user_name,
    password: user.password,
    agency: user.agency,
    group_permission: user.group_permission ?? 'all',
    groups: user.groups ?? [],
    unwritable_fields: user.unwritable_fields ?? [],
    failedAttempts: 0,
    locked: false,
    recentAttempts: [],
  });
}

export const nowIso = () => new Date().toISOString();

export function caseIdDisplay(caseId: string): string {
  return caseId.slice(-7);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function timeMs(value: unknown, where: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new Error(`${where} must be an ISO-8601 datetime`);
  return ms;
}

/** Fills what Primero sets on save: row unique_ids. */
export function ensureRowIds(record: Record<string, unknown>): void {
  const rows = record.services_section;
  if (!Array.isArray(rows)) return;
  for (const row of rows) {
    if (
      isObject(row) &&
      (row.unique_id === undefined || row.unique_id === null || row.unique_id === '')
    ) {
      row.unique_id = randomUUID();
    }
  }
}

export function storeCase(state: PrimeroState, record: CaseRecord): StoredCase {
  const existing = state.cases.get(record.id);
  const stored: StoredCase = {
    record,
    createdMs: Date.parse(String(record.created_at)),
    updatedMs: Date.parse(String(record.last_updated_at)),
    seq: existing?.seq ?? state.nextSeq++,
  };
  state.cases.set(record.id, stored);
  for (const field of ['case_id', 'oscar_number'] as const) {
    const index = state.idsByExternalId[field];
    const before = existing?.record[field];
    const after = record[field];
    if (before === after) continue;
    if (typeof before === 'string') index.get(before)?.delete(record.id);
    if (typeof after === 'string') {
      const ids = index.get(after) ?? new Set<string>();
      ids.add(record.id);
      index.set(after, ids);
    }
  }
  return stored;
}

/** The cases a query can match: by index when it searches an external id or id, else all. */
export function candidateCases(
  state: PrimeroState,
  query: Record<string, string>,
): Iterable<StoredCase> {
  if (typeof query.id === 'string') {
    const stored = state.cases.get(query.id);
    return stored ? [stored] : [];
  }
  for (const field of ['case_id', 'oscar_number'] as const) {
    const value = query[field];
    if (typeof value !== 'string') continue;
    const ids = state.idsByExternalId[field].get(value) ?? new Set<string>();
    return [...ids].flatMap((id) => {
      const stored = state.cases.get(id);
      return stored ? [stored] : [];
    });
  }
  return state.cases.values();
}

/** Throws a message naming the seed entry and field at fault. */
function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error(`${where} must be an array of strings`);
  return value;
}

export function loadPrimeroSeed(
  seed: unknown,
  profile: PrimeroProfile = defaultPrimeroProfile(),
): PrimeroState {
  if (!isObject(seed))
    throw new Error('a Primero seed must be a JSON object {users?, cases?, referrals?, lookups?}');
  for (const key of Object.keys(seed)) {
    if (!['users', 'cases', 'referrals', 'lookups'].includes(key)) {
      throw new Error(
        `unknown seed key "${key}" (a Primero seed has users, cases, referrals, lookups)`,
      );
    }
  }
  const state = emptyPrimeroState(profile);
  if (seed.lookups !== undefined) {
    if (!isObject(seed.lookups))
      throw new Error('seed lookups must be an object {field: [values]}');
    state.lookups = {};
    for (const [field, values] of Object.entries(seed.lookups))
      state.lookups[field] = stringList(values, `seed lookups.${field}`)!;
  }
  if (seed.users !== undefined) {
    if (!Array.isArray(seed.users)) throw new Error('seed users must be an array');
    state.users.clear();
    seed.users.forEach((user: unknown, index) => {
      if (
        !isObject(user) ||
        typeof user.user_name !== 'string' ||
        typeof user.password !== 'string'
      ) {
        throw new Error(`seed users[${index}] needs user_name and password (strings)`);
      }
      if (state.users.has(user.user_name))
        throw new Error(`seed users[${index}]: duplicate user_name`);
      const permission = user.group_permission;
      if (
        permission !== undefined &&
        !(GROUP_PERMISSIONS as readonly unknown[]).includes(permission)
      ) {
        throw new Error(
          `seed users[${index}].group_permission must be one of ${GROUP_PERMISSIONS.join(', ')}`,
        );
      }
      const groups = stringList(user.groups, `seed users[${index}].groups`);
      const unwritable = stringList(
        user.unwritable_fields,
        `seed users[${index}].unwritable_fields`,
      );
      addUser(state, {
        user_name: user.user_name,
        password: user.password,
        agency: typeof user.agency === 'string' ? user.agency : undefined,
        ...(permission !== undefined ? { group_permission: permission as GroupPermission } : {}),
        ...(groups ? { groups } : {}),
        ...(unwritable ? { unwritable_fields: unwritable } : {}),
      });
    });
  }

  const cases = seed.cases ?? [];
  if (!Array.isArray(cases)) throw new Error('seed cases must be an array');
  const now = nowIso();
  cases.forEach((raw: unknown, index) => {
    const where = `seed cases[${index}]`;
    if (!isObject(raw)) throw new Error(`${where} must be an object`);
    const record: Record<string, unknown> = structuredClone(raw);
    record.id ??= randomUUID();
    record.case_id ??= randomUUID();
    if (typeof record.case_id === 'string')
      record.case_id_display ??= caseIdDisplay(record.case_id);
    record.short_id ??= record.case_id_display;
    record.created_at ??= now;
    record.last_updated_at ??= record.created_at;
    record.status ??= 'open';
    record.record_state ??= true;
    record.workflow ??= 'new';
    delete record.enabled; // derived from record_state on every read
    ensureRowIds(record);
    try {
      parsePrimeroCase(record);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    timeMs(record.created_at, `${where}.created_at`);
    timeMs(record.last_updated_at, `${where}.last_updated_at`);
    if (state.cases.has(record.id as string))
      throw new Error(`${where}: duplicate id ${String(record.id)}`);
    storeCase(state, record as CaseRecord);
  });

  const referrals = seed.referrals ?? [];
  if (!Array.isArray(referrals)) throw new Error('seed referrals must be an array');
  referrals.forEach((raw: unknown, index) => {
    const where = `seed referrals[${index}]`;
    if (!isObject(raw)) throw new Error(`${where} must be an object`);
    const referral: Record<string, unknown> = structuredClone(raw);
    referral.id ??= randomUUID();
    referral.type ??= 'Referral';
    referral.record_type ??= 'case';
    referral.status ??= 'in_progress';
    referral.created_at ??= now;
    referral.remote ??= false;
    try {
      parsePrimeroReferral(referral);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    const caseId = referral.record_id as string;
    if (!state.cases.has(caseId))
      throw new Error(`${where}: record_id ${caseId} is not a seeded case id`);
    const list = state.referralsByCase.get(caseId) ?? [];
    list.push(referral as ReferralRecord);
    state.referralsByCase.set(caseId, list);
  });
  return state;
}

/** The state as a seed (GET /__emulator/state). Passwords stay out: add them to reuse it as a seed. */
export function exportPrimeroState(state: PrimeroState): unknown {
  return {
    users: [...state.users.values()].map((u) => ({
      user_name: u.user_name,
      ...(u.agency ? { agency: u.agency } : {}),
      group_permission: u.group_permission,
      ...(u.groups.length ? { groups: u.groups } : {}),
      ...(u.unwritable_fields.length ? { unwritable_fields: u.unwritable_fields } : {}),
      locked: u.locked,
    })),
    lookups: state.lookups,
    cases: [...state.cases.values()].map((c) => c.record),
    referrals: [...state.referralsByCase.values()].flat(),
  };
}
