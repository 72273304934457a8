// The Primero API v2 client: the only code that talks to Primero. It signs in lazily, once, and
// works with any Primero from v2.5 to HEAD without a setting: the token when the sign-in answers
// one (v2.5–v2.10), else HTTP Basic (v2.11+ answers no token; Basic works on every request of
// every version, needs no session and no CSRF token). A refused sign-in is never retried: Primero
// locks the user after six failures. Every case write is checked against what Primero then holds
// (primero-stored.ts). It follows pages and hands back typed records (src/model/primero.ts).
// It bundles into an OpenFn.org job body, so it imports no Node module: ids and base64 come from
// language-http's util.
import { util } from '@openfn/language-http';
import { log } from '../log.ts';
import { ApiError, createTransport } from '../http/transport.ts';
import { pathSegment, recordRefusal } from '../http/record-error.ts';
import { httpDateMs } from '../http/http-date.ts';
import type { HttpRequest, HttpResponse, TransportOptions } from '../http/transport.ts';
import {
  PrimeroRecordError,
  invalidCaseWritePointers,
  parsePrimeroCase,
  parsePrimeroReferral,
} from '../model/primero.ts';
import type { PrimeroCase, PrimeroCaseWrite, PrimeroReferral } from '../model/primero.ts';
import { unstoredError, unstoredFields } from './primero-stored.ts';

export interface PrimeroConfig {
  url: string;
  username: string;
  password: string;
  /** HTTP Basic from the first request, without the sign-in call (not needed: see above). */
  basicAuth?: boolean;
}

export interface PrimeroClientOptions extends Partial<TransportOptions> {
  /** Cases per page of a listing; default DEFAULT_PRIMERO_PAGE_SIZE (Primero caps it at 1000). */
  primeroPageSize?: number;
}

/** What the sign-in answered: the user's reach (v2.11+ says it), for `npx interop check`. */
export interface PrimeroSignIn {
  /** 'token' (v2.5–v2.10) or 'basic' (v2.11+, or basicAuth). */
  mode: 'token' | 'basic';
  /** all / agency / group / self, when the answer carries it (v2.11+). */
  groupPermission?: string;
}

export interface PrimeroReferralCreate {
  transitioned_to?: string;
  transitioned_to_remote?: string;
  transitioned_to_agency?: string;
  service?: string;
  service_record_id?: string;
  remote?: boolean;
  type_of_export?: string;
  notes?: string;
  consent_overridden?: boolean;
}

export interface PrimeroClient {
  /** Every case matching `filter` (Primero filter syntax, e.g. `last_updated_at: '2025-01-01T00:00:00Z..'`), all pages. */
  listCases(filter: Record<string, string>): Promise<PrimeroCase[]>;
  /**
   * Like listCases, but a case of an unexpected shape does not fail the listing: it is returned
   * in `unreadable` (its id and what was wrong, never a value), so one bad record fails alone.
   */
  listCasesReadable(filter: Record<string, string>): Promise<ReadableCases>;
  /**
   * Every case matching `filter`, handed to `visit` one page at a time and not kept: for a pass
   * over all of Primero's cases whose memory must not grow with their number. The first page is
   * visited first; each page carries the `Date` header of its answer.
   */
  scanCases(filter: Record<string, string>, visit: (page: ScannedPage) => void): Promise<void>;
  /** How many cases match `filter` (one request for one record). */
  countCases(filter: Record<string, string>): Promise<number>;
  /** ALL cases matching the external ids given; the caller decides what two matches mean. */
  findCases(filter: {
    case_id?: string;
    oscar_number?: string;
    id?: string;
  }): Promise<PrimeroCase[]>;
  getCase(id: string): Promise<PrimeroCase>;
  /**
   * POST `{data}`. The case gets a client-generated `id` (data.id, else a new UUID) so a retry
   * after a lost answer cannot create a twin: a 409 for that id means an earlier attempt made it.
   * Returns the id once the case is checked as stored (Primero answers 204 and no record, so it is
   * read back; createCaseUnchecked and checkCreated split the two).
   */
  createCase(data: PrimeroCaseWrite): Promise<{ id: string; created: boolean }>;
  /**
   * createCase without the read-back: the caller checks it with checkCreated, for many creates
   * at once from a listing (src/sync/oscar-to-primero/stored-checks.ts).
   */
  createCaseUnchecked(data: PrimeroCaseWrite): Promise<UncheckedCreate>;
  /**
   * createCase's check of one create, with the same errors: against `held` (the case as a
   * listing showed it), else read by id.
   */
  checkCreated(create: UncheckedCreate, held?: PrimeroCase): Promise<void>;
  /** PATCH `{data}` (merged by Primero's rules). */
  updateCase(id: string, data: PrimeroCaseWrite): Promise<void>;
  listReferrals(caseId: string): Promise<PrimeroReferral[]>;
  updateReferral(
    caseId: string,
    referralId: string,
    data: { status: 'accepted' | 'rejected'; rejected_reason?: string },
  ): Promise<PrimeroReferral>;
  createReferral(caseId: string, data: PrimeroReferralCreate): Promise<PrimeroReferral>;
  /** Signs in (if not yet) and says how; throws the refusal. */
  signIn(): Promise<PrimeroSignIn>;
}

/** A case POSTed and not yet checked against what Primero holds. */
export interface UncheckedCreate {
  id: string;
  /** False on a 409: the case existed already (an earlier attempt, or out of the user's sight). */
  created: boolean;
  /** What was sent, id included. */
  sent: PrimeroCaseWrite;
  /**
   * Primero's clock (epoch ms, from the Date header of an answer received before the POST went
   * out): the case's last_updated_at is not earlier. Undefined when no answer said.
   */
  notBefore?: number;
}

export interface UnreadablePrimeroCase {
  /** Primero's id of the record, when it had one. */
  id?: string;
  reason: string;
}

/** One page of a listing, with when Primero answered it. */
export interface ScannedPage extends ReadableCases {
  /** The answer's HTTP `Date` header as Primero sent it (RFC 7231), when it sent one. */
  date?: string;
}

export interface ReadableCases {
  cases: PrimeroCase[];
  unreadable: UnreadablePrimeroCase[];
}

const CASES = '/api/v2/cases';
/**
 * Cases per listing page. Smaller than Primero's cap of 1000: a page of full case records from a
 * loaded Primero can take longer than a request timeout (INTEROP_PRIMERO_PAGE_SIZE changes it).
 */
export const DEFAULT_PRIMERO_PAGE_SIZE = 500;

// Every id in a path is one encoded segment; an id that cannot be one fails its item, not the run.
const caseUrl = (id: string, method: string) =>
  `${CASES}/${pathSegment(id, { system: 'primero', method, path: `${CASES}/:id`, what: 'case' })}`;
const referralsUrl = (caseId: string, method: string) => `${caseUrl(caseId, method)}/referrals`;
const referralUrl = (caseId: string, referralId: string, method: string) =>
  `${referralsUrl(caseId, method)}/${pathSegment(referralId, {
    system: 'primero',
    method,
    path: `${CASES}/:id/referrals/:id`,
    what: `referral of case ${caseId}`,
  })}`;

/**
 * Runs a request about one case: a 403/404/410/422 or an answer of an unexpected shape fails that
 * case (RecordRefusedError, PrimeroRecordError with its id), never the listing or the run.
 */
async function aboutCase<T>(caseId: string, what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof PrimeroRecordError && error.recordId === undefined)
      throw new PrimeroRecordError(error.message, caseId);
    throw recordRefusal(error, caseId, what);
  }
}

function dataOf(response: HttpResponse, where: string): unknown {
  const body = response.body as { data?: unknown } | undefined;
  if (typeof body !== 'object' || body === null || !('data' in body)) {
    throw new PrimeroRecordError(`Primero answered ${where} without a "data" member`);
  }
  return body.data;
}

function listOf(response: HttpResponse, where: string): unknown[] {
  const data = dataOf(response, where);
  if (!Array.isArray(data))
    throw new PrimeroRecordError(`Primero answered ${where} with "data" that is not a list`);
  return data;
}

/** A referral answer carries the changed case fields under `record`; the referral itself is the rest. */
function referralOf(raw: unknown): PrimeroReferral {
  if (typeof raw === 'object' && raw !== null && 'record' in raw) {
    const { record: _record, ...referral } = raw as Record<string, unknown>;
    return parsePrimeroReferral(referral);
  }
  return parsePrimeroReferral(raw);
}

function assertPermitted(data: PrimeroCaseWrite, where: string): void {
  const invalid = invalidCaseWritePointers(data);
  if (invalid.length) {
    throw new Error(
      `Refusing to send ${where}: Primero would answer 422 for ${invalid.join(', ')}; ` +
        `send only the fields declared in src/model/primero.ts (PRIMERO_CASE_FIELDS, PRIMERO_SERVICE_ROW_FIELDS)`,
    );
  }
}

export function createPrimeroClient(
  config: PrimeroConfig,
  options: PrimeroClientOptions = {},
): PrimeroClient {
  const { primeroPageSize = DEFAULT_PRIMERO_PAGE_SIZE, ...transportOptions } = options;
  const PAGE_SIZE = Math.max(1, Math.min(1000, primeroPageSize));
  const transport = createTransport({
    ...transportOptions,
    baseUrl: config.url,
    system: 'primero',
  });
  type Credential = { mode: 'token'; token: string } | { mode: 'basic' };
  let credential: Credential | undefined = config.basicAuth ? { mode: 'basic' } : undefined;
  let signedIn: PrimeroSignIn | undefined = config.basicAuth ? { mode: 'basic' } : undefined;
  let signingIn: Promise<Credential> | undefined;
  /** Set once Primero refused the credentials: nothing more is sent in this client's life. */
  let refused: ApiError | undefined;
  const basic = () =>
    `Basic ${util.encode(`${config.username}:${config.password}`, { parseJson: false }) as string}`;

  const signInFailed = (status: number | undefined, reason: string) =>
    new ApiError(
      `Primero sign-in failed for user ${config.username}: ${status ?? 'no answer'} ${reason}`,
      {
        system: 'primero',
        status,
        method: 'POST',
        path: '/api/v2/tokens',
        retryable: false,
        signIn: true,
      },
    );

  /** Remembers a refusal so that no later request of this run can count another failure. */
  const refuse = (reason: string) => {
    refused ??= signInFailed(
      401,
      `${reason}; not signing in again in this run (Primero locks the user after 6 failures): ` +
        'check PRIMERO_USERNAME and PRIMERO_PASSWORD',
    );
    log.warn(`Primero: ${refused.message}`);
    return refused;
  };

  async function signIn(): Promise<Credential> {
    const response = await transport.send<{ token?: unknown; group_permission?: unknown }>({
      method: 'POST',
      path: '/api/v2/tokens',
      body: { user: { user_name: config.username, password: config.password } },
      // A refusal is an answer, never retried (it would count toward the lockout); 5xx, 429 and
      // lost connections are, as for any request: they count no failed password.
      okStatuses: [401],
    });
    if (response.status === 401) throw refuse('invalid user name or password');
    if (response.status === 429)
      throw signInFailed(
        429,
        'too many sign-ins for this user in the last minute; the next run retries',
      );
    const body = response.body ?? {};
    const groupPermission =
      typeof body.group_permission === 'string' ? { groupPermission: body.group_permission } : {};
    const fromBody = typeof body.token === 'string' ? body.token : undefined;
    const header = response.headers.authorization;
    const fromHeader = header?.startsWith('Bearer ')
      ? header.slice('Bearer '.length).trim()
      : undefined;
    const issued = fromBody ?? fromHeader;
    log.debug(`Primero: signed in as ${config.username} (${issued ? 'token' : 'HTTP Basic'})`);
    signedIn = { mode: issued ? 'token' : 'basic', ...groupPermission };
    // v2.11+ answers no token, only a session cookie whose writes need a CSRF token: HTTP Basic
    // is simpler and is read on every request (devise.rb http_authenticatable = true).
    return issued ? { mode: 'token', token: issued } : { mode: 'basic' };
  }

  /** One sign-in at a time: concurrent requests that all met a 401 share the next credential. */
  function currentCredential(stale?: Credential): Promise<Credential> {
    if (refused) return Promise.reject(refused);
    if (credential && credential !== stale) return Promise.resolve(credential);
    signingIn ??= signIn().then(
      (issued) => {
        credential = issued;
        signingIn = undefined;
        return issued;
      },
      (error: unknown) => {
        signingIn = undefined;
        throw error;
      },
    );
    return signingIn;
  }

  /**
   * The latest Date header Primero answered with (epoch ms). Any answer already received was
   * stamped before a request sent now is handled: a lower bound for what that request stamps.
   */
  let primeroClock: number | undefined;
  const readClock = (response: HttpResponse) => {
    const header = response.headers.date;
    const at = typeof header === 'string' ? httpDateMs(header) : NaN;
    if (!Number.isNaN(at) && (primeroClock === undefined || at > primeroClock)) primeroClock = at;
  };

  const authorization = (used: Credential) =>
    used.mode === 'token' ? `Bearer ${used.token}` : basic();

  async function send<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const used = await currentCredential();
    const attempt = async (with_: Credential) => {
      const response = await transport.send<T>({
        ...req,
        headers: { ...req.headers, Authorization: authorization(with_) },
      });
      readClock(response);
      return response;
    };
    try {
      return await attempt(used);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      // Basic: the password itself was refused (changed mid-run); another try is another failure.
      if (used.mode === 'basic') throw refuse(`${req.method} ${req.path} refused the credentials`);
      log.info(`Primero: ${req.method} ${req.path} answered 401, signing in again`);
      const fresh = await currentCredential(used);
      try {
        return await attempt(fresh);
      } catch (again) {
        if (again instanceof ApiError && again.status === 401)
          throw refuse(`${req.method} ${req.path} refused a fresh sign-in`);
        throw again;
      }
    }
  }

  function readPage(raws: unknown[], seen: Set<string>): ReadableCases {
    const cases: PrimeroCase[] = [];
    const unreadable: UnreadablePrimeroCase[] = [];
    for (const raw of raws) {
      let parsed: PrimeroCase;
      try {
        parsed = parsePrimeroCase(raw);
      } catch (error) {
        if (!(error instanceof PrimeroRecordError)) throw error;
        unreadable.push({
          ...(error.recordId ? { id: error.recordId } : {}),
          reason: error.message,
        });
        continue;
      }
      if (seen.has(parsed.id)) continue;
      seen.add(parsed.id);
      cases.push(parsed);
    }
    return { cases, unreadable };
  }

  async function fetchPage(query: Record<string, string | number>, page: number) {
    const response = await send({ method: 'GET', path: CASES, query: { ...query, page } });
    const records = listOf(response, `GET ${CASES}`);
    const metadata = (response.body as { metadata?: { total?: unknown; per?: unknown } }).metadata;
    const total = typeof metadata?.total === 'number' ? metadata.total : undefined;
    const per = typeof metadata?.per === 'number' && metadata.per > 0 ? metadata.per : PAGE_SIZE;
    const date = response.headers.date;
    return { records, total, per, ...(date ? { date } : {}) };
  }

  async function scanCases(
    filter: Record<string, string>,
    visit: (page: ScannedPage) => void,
  ): Promise<void> {
    // Oldest first: a case created while we page lands after the pages already read instead of
    // shifting them, and duplicates are dropped by id.
    const query = { order_by: 'created_at', order: 'asc', ...filter, per: PAGE_SIZE };
    const seen = new Set<string>();
    const scanned = (page: { records: unknown[]; date?: string }): ScannedPage => ({
      ...readPage(page.records, seen),
      ...(page.date ? { date: page.date } : {}),
    });
    const first = await fetchPage(query, 1);
    visit(scanned(first));
    let pages = 1;
    if (first.total === undefined) {
      // No metadata: keep asking until a short page, as Primero versions without a total would need.
      let last = first.records;
      while (last.length >= first.per) {
        pages += 1;
        const next = await fetchPage(query, pages);
        last = next.records;
        visit(scanned(next));
      }
    } else {
      // Later pages in parallel (the transport bounds how many are on the wire); each page is
      // visited as it arrives and dropped.
      const pageCount = Math.ceil(first.total / first.per);
      pages = Math.max(1, pageCount);
      await Promise.all(
        Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) =>
          fetchPage(query, i + 2).then((p) => visit(scanned(p))),
        ),
      );
    }
    log.debug(`Primero: scanned ${seen.size} cases in ${pages} page(s)`);
  }

  async function listCasesReadable(filter: Record<string, string>): Promise<ReadableCases> {
    const cases: PrimeroCase[] = [];
    const unreadable: UnreadablePrimeroCase[] = [];
    await scanCases(filter, (page) => {
      cases.push(...page.cases);
      unreadable.push(...page.unreadable);
    });
    if (unreadable.length) log.debug(`Primero: ${unreadable.length} unreadable case(s) listed`);
    return { cases, unreadable };
  }

  async function listCases(filter: Record<string, string>): Promise<PrimeroCase[]> {
    const { cases, unreadable } = await listCasesReadable(filter);
    const first = unreadable[0];
    if (first) throw new PrimeroRecordError(first.reason, first.id);
    return cases;
  }

  async function getCase(id: string): Promise<PrimeroCase> {
    return aboutCase(id, `case ${id}`, async () => {
      const response = await send({ method: 'GET', path: caseUrl(id, 'GET') });
      return parsePrimeroCase(dataOf(response, `GET ${CASES}/:id`));
    });
  }

  /**
   * The case as Primero holds it after a write of ours, for the check. A 403 or 404 here means
   * the case exists (the write said so) but the API user cannot see it: an item error that says so.
   */
  async function heldAfterWrite(id: string, what: string): Promise<PrimeroCase> {
    try {
      return await getCase(id);
    } catch (error) {
      if (
        error instanceof ApiError &&
        error.status !== undefined &&
        (error.status === 403 || error.status === 404)
      ) {
        throw new PrimeroRecordError(
          `${what}, but user ${config.username} cannot read it (${error.status}): it is outside ` +
            'the API user\'s scope; give that user group permission "all" (see npx interop check)',
          id,
        );
      }
      throw error;
    }
  }

  function assertHeld(sent: PrimeroCaseWrite, held: PrimeroCase, id: string): void {
    const error = unstoredError(sent, held as Record<string, unknown>, held.case_id ?? id, id);
    if (error) throw error;
  }

  async function createCaseUnchecked(data: PrimeroCaseWrite): Promise<UncheckedCreate> {
    const id = data.id ?? (util.uuid() as string);
    const sent = { ...data, id };
    assertPermitted(sent, `POST ${CASES}`);
    const notBefore = primeroClock;
    const response = await send({
      method: 'POST',
      path: CASES,
      body: { data: sent },
      okStatuses: [409],
    });
    return {
      id,
      created: response.status !== 409,
      sent,
      ...(notBefore !== undefined ? { notBefore } : {}),
    };
  }

  async function checkCreated(create: UncheckedCreate, shown?: PrimeroCase): Promise<void> {
    const { id, created, sent } = create;
    // With a client id Primero answers 204 and no record, so the case is read back (unless a
    // listing showed it). A 409 is an earlier attempt of ours, or a case of that id the API user
    // may no longer see: read it.
    const held =
      shown ??
      (await heldAfterWrite(
        id,
        created ? `Primero accepted case ${id}` : `Primero already holds case ${id} (409)`,
      ));
    assertHeld(sent, held, id);
    if (!created) log.info(`Primero: case ${id} already exists as sent (an earlier attempt)`);
  }

  return {
    listCases,
    listCasesReadable,
    scanCases,

    async countCases(filter) {
      const { total, records } = await fetchPage({ ...filter, per: 1 }, 1);
      return total ?? records.length;
    },

    async findCases(filter) {
      const query: Record<string, string> = {};
      for (const key of ['case_id', 'oscar_number', 'id'] as const) {
        const value = filter[key];
        if (value !== undefined && value !== '') query[key] = value;
      }
      if (!Object.keys(query).length)
        throw new Error('findCases needs a case_id, oscar_number or id to search by');
      return listCases(query);
    },

    getCase,

    async createCase(data) {
      const create = await createCaseUnchecked(data);
      await checkCreated(create);
      return { id: create.id, created: create.created };
    },

    createCaseUnchecked,
    checkCreated,

    async updateCase(id, data) {
      assertPermitted(data, `PATCH ${CASES}/:id`);
      if (data.id !== undefined && data.id !== id) {
        throw new Error(
          `Refusing to PATCH case ${id} with data.id ${data.id}: the id in the body must match the URL`,
        );
      }
      const response = await aboutCase(id, `update of case ${id}`, () =>
        send({ method: 'PATCH', path: caseUrl(id, 'PATCH'), body: { data } }),
      );
      // The answer holds only the fields that changed: when it shows all that was sent, that is
      // enough; otherwise the case is read to tell a dropped field from an unchanged one.
      const answer = (response.body as { data?: unknown } | undefined)?.data;
      const shown = typeof answer === 'object' && answer !== null ? answer : {};
      if (unstoredFields(data, shown as Record<string, unknown>).length === 0) return;
      assertHeld(data, await heldAfterWrite(id, `Primero accepted an update of case ${id}`), id);
    },

    async listReferrals(caseId) {
      return aboutCase(caseId, `referrals of case ${caseId}`, async () => {
        const response = await send({ method: 'GET', path: referralsUrl(caseId, 'GET') });
        return listOf(response, `GET ${CASES}/:id/referrals`).map(referralOf);
      });
    },

    async updateReferral(caseId, referralId, data) {
      const referral = await aboutCase(
        caseId,
        `referral ${referralId} of case ${caseId}`,
        async () => {
          const response = await send({
            method: 'PATCH',
            path: referralUrl(caseId, referralId, 'PATCH'),
            body: { data },
          });
          return referralOf(dataOf(response, `PATCH ${CASES}/:id/referrals/:id`));
        },
      );
      // An illegal or repeated transition is a silent no-op answered 200 (Referral#process!).
      if (referral.status !== data.status) {
        throw new PrimeroRecordError(
          `Primero did not move referral ${referralId} (case ${caseId}) to ${data.status}: it is ${referral.status}`,
          caseId,
        );
      }
      return referral;
    },

    async createReferral(caseId, data) {
      // Creating a referral is not idempotent: a retried POST could refer the child twice.
      return aboutCase(caseId, `new referral of case ${caseId}`, async () => {
        const response = await send({
          method: 'POST',
          path: referralsUrl(caseId, 'POST'),
          body: { data },
          retry: false,
        });
        return referralOf(dataOf(response, `POST ${CASES}/:id/referrals`));
      });
    },

    async signIn() {
      await currentCredential();
      return signedIn ?? { mode: 'basic' };
    },
  };
}
