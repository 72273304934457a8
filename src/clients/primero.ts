// The Primero API v2 client: the only code that talks to Primero. It signs in lazily, signs in
// again once on a 401, follows pages, and hands back typed records (src/model/primero.ts).
// It bundles into an OpenFn.org job body, so it imports no Node module: ids and base64 come from
// language-http's util.
import { util } from '@openfn/language-http';
import { log } from '../log.ts';
import { ApiError, createTransport } from '../http/transport.ts';
import type { HttpRequest, HttpResponse, TransportOptions } from '../http/transport.ts';
import {
  PrimeroRecordError,
  invalidCaseWritePointers,
  parsePrimeroCase,
  parsePrimeroReferral,
} from '../model/primero.ts';
import type { PrimeroCase, PrimeroCaseWrite, PrimeroReferral } from '../model/primero.ts';

export interface PrimeroConfig {
  url: string;
  username: string;
  password: string;
  /** Send HTTP Basic auth on every request instead of signing in for a token. */
  basicAuth?: boolean;
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
   * over all of Primero's cases whose memory must not grow with their number.
   */
  scanCases(filter: Record<string, string>, visit: (page: ReadableCases) => void): Promise<void>;
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
   * Returns the id; the case is not read back (a read per write doubles the requests).
   */
  createCase(data: PrimeroCaseWrite): Promise<{ id: string; created: boolean }>;
  /** PATCH `{data}` (merged by Primero's rules). */
  updateCase(id: string, data: PrimeroCaseWrite): Promise<void>;
  listReferrals(caseId: string): Promise<PrimeroReferral[]>;
  updateReferral(
    caseId: string,
    referralId: string,
    data: { status: 'accepted' | 'rejected'; rejected_reason?: string },
  ): Promise<PrimeroReferral>;
  createReferral(caseId: string, data: PrimeroReferralCreate): Promise<PrimeroReferral>;
}

export interface UnreadablePrimeroCase {
  /** Primero's id of the record, when it had one. */
  id?: string;
  reason: string;
}

export interface ReadableCases {
  cases: PrimeroCase[];
  unreadable: UnreadablePrimeroCase[];
}

const CASES = '/api/v2/cases';
const PAGE_SIZE = 1000;

const caseUrl = (id: string) => `${CASES}/${encodeURIComponent(id)}`;
const referralsUrl = (caseId: string) => `${caseUrl(caseId)}/referrals`;

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
  options: Partial<TransportOptions> = {},
): PrimeroClient {
  const transport = createTransport({ ...options, baseUrl: config.url, system: 'primero' });
  let token: string | undefined;
  let signingIn: Promise<string> | undefined;

  const signInFailed = (status: number | undefined, reason: string) =>
    new ApiError(
      `Primero sign-in failed for user ${config.username}: ${status ?? 'no answer'} ${reason}`,
      {
        system: 'primero',
        status,
        method: 'POST',
        path: '/api/v2/tokens',
        retryable: false,
      },
    );

  async function signIn(): Promise<string> {
    const response = await transport.send<{ token?: unknown }>({
      method: 'POST',
      path: '/api/v2/tokens',
      body: { user: { user_name: config.username, password: config.password } },
      okStatuses: [401],
    });
    if (response.status === 401) throw signInFailed(401, 'Invalid credentials');
    const fromBody = typeof response.body?.token === 'string' ? response.body.token : undefined;
    const header = response.headers.authorization;
    const fromHeader = header?.startsWith('Bearer ')
      ? header.slice('Bearer '.length).trim()
      : undefined;
    const issued = fromBody ?? fromHeader;
    if (!issued)
      throw signInFailed(
        response.status,
        'the answer carried no token (neither body nor Authorization header)',
      );
    log.debug(`Primero: signed in as ${config.username}`);
    return issued;
  }

  /** One sign-in at a time: concurrent requests that all met a 401 share the next token. */
  function currentToken(stale?: string): Promise<string> {
    if (token && token !== stale) return Promise.resolve(token);
    signingIn ??= signIn().then(
      (issued) => {
        token = issued;
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

  async function send<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    if (config.basicAuth) {
      const basic = util.encode(`${config.username}:${config.password}`, {
        parseJson: false,
      }) as string;
      try {
        return await transport.send<T>({
          ...req,
          headers: { ...req.headers, Authorization: `Basic ${basic}` },
        });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401)
          throw signInFailed(401, 'Invalid credentials');
        throw error;
      }
    }
    const used = await currentToken();
    try {
      return await transport.send<T>({
        ...req,
        headers: { ...req.headers, Authorization: `Bearer ${used}` },
      });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      log.info(`Primero: ${req.method} ${req.path} answered 401, signing in again`);
      const fresh = await currentToken(used);
      return transport.send<T>({
        ...req,
        headers: { ...req.headers, Authorization: `Bearer ${fresh}` },
      });
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
    return { records, total, per };
  }

  async function scanCases(
    filter: Record<string, string>,
    visit: (page: ReadableCases) => void,
  ): Promise<void> {
    // Oldest first: a case created while we page lands after the pages already read instead of
    // shifting them, and duplicates are dropped by id.
    const query = { order_by: 'created_at', order: 'asc', ...filter, per: PAGE_SIZE };
    const seen = new Set<string>();
    const first = await fetchPage(query, 1);
    visit(readPage(first.records, seen));
    let pages = 1;
    if (first.total === undefined) {
      // No metadata: keep asking until a short page, as Primero versions without a total would need.
      let last = first.records;
      while (last.length >= first.per) {
        pages += 1;
        last = (await fetchPage(query, pages)).records;
        visit(readPage(last, seen));
      }
    } else {
      // Later pages in parallel (the transport bounds how many are on the wire); each page is
      // visited as it arrives and dropped.
      const pageCount = Math.ceil(first.total / first.per);
      pages = Math.max(1, pageCount);
      await Promise.all(
        Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) =>
          fetchPage(query, i + 2).then((p) => visit(readPage(p.records, seen))),
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
    const response = await send({ method: 'GET', path: caseUrl(id) });
    return parsePrimeroCase(dataOf(response, `GET ${CASES}/:id`));
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
      const id = data.id ?? (util.uuid() as string);
      const write = { ...data, id };
      assertPermitted(write, `POST ${CASES}`);
      const response = await send({
        method: 'POST',
        path: CASES,
        body: { data: write },
        okStatuses: [409],
      });
      if (response.status === 409)
        log.info(`Primero: case ${id} already exists (an earlier attempt created it)`);
      return { id, created: response.status !== 409 };
    },

    async updateCase(id, data) {
      assertPermitted(data, `PATCH ${CASES}/:id`);
      if (data.id !== undefined && data.id !== id) {
        throw new Error(
          `Refusing to PATCH case ${id} with data.id ${data.id}: the id in the body must match the URL`,
        );
      }
      await send({ method: 'PATCH', path: caseUrl(id), body: { data } });
    },

    async listReferrals(caseId) {
      const response = await send({ method: 'GET', path: referralsUrl(caseId) });
      return listOf(response, `GET ${CASES}/:id/referrals`).map(referralOf);
    },

    async updateReferral(caseId, referralId, data) {
      const response = await send({
        method: 'PATCH',
        path: `${referralsUrl(caseId)}/${encodeURIComponent(referralId)}`,
        body: { data },
      });
      return referralOf(dataOf(response, `PATCH ${CASES}/:id/referrals/:id`));
    },

    async createReferral(caseId, data) {
      // Creating a referral is not idempotent: a retried POST could refer the child twice.
      const response = await send({
        method: 'POST',
        path: referralsUrl(caseId),
        body: { data },
        retry: false,
      });
      return referralOf(dataOf(response, `POST ${CASES}/:id/referrals`));
    },
  };
}
