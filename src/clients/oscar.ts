// The only code that talks to OSCaR's interop API v1 (shared spec apis.md §2). Retries, backoff,
// Retry-After and concurrency come from the shared transport; this file owns sign-in (tokens in
// response headers), one re-sign-in on 401, and parsing responses into typed records.
// Nothing here logs a token, a password or a child's data: only counts, ids and statuses.
import { log } from '../log.ts';
import { describeErrorBody } from '../http/error-text.ts';
import { ApiError, createTransport } from '../http/transport.ts';
import { RecordRefusedError } from '../http/record-error.ts';
import type { HttpRequest, HttpResponse, TransportOptions } from '../http/transport.ts';
import {
  OSCAR_LINK_FIELDS,
  OSCAR_STATUS_UPDATE_FIELDS,
  describeZodIssues,
  listedClient,
  oscarClientRecordSchema,
  oscarUpsertResponseSchema,
  pickKeys,
  pickPermittedUpsertFields,
} from '../model/oscar.ts';
import type {
  ListedClient,
  OscarClientRecord,
  OscarLink,
  OscarStatusUpdate,
  OscarUpsertPayload,
} from '../model/oscar.ts';

export interface OscarConfig {
  url: string;
  email: string;
  password: string;
}

export interface UpsertResult {
  ok: true;
  /** OSCaR's `external_id` in the answer (the Primero case id), when it sent one. */
  externalId?: string;
  message: string;
}

/** A listed client that could not be parsed; the others are returned all the same. */
export interface InvalidOscarClient {
  /** Position in OSCaR's `data` array. */
  index: number;
  globalId?: string;
  /** The organisation and slug OSCaR listed it with, when they are text: its stable identity. */
  organization_name?: string;
  slug?: string;
  /** Field names and what was wrong, never the values. */
  reason: string;
}

/** A listing: the clients parsed (as records, or as ListedClient for f2-j1) and the others. */
export interface OscarClientList<T = OscarClientRecord> {
  clients: T[];
  invalid: InvalidOscarClient[];
}

export interface OscarClient {
  /** Signs in now; other calls sign in lazily when they need to. */
  signIn(): Promise<void>;
  /**
   * The clients changed since `sinceDate` (all without it). With `globalIds`, only the clients with
   * one of those global ids are parsed and returned; the others are let go unread (neither clients
   * nor invalid), so a look-up of a few children costs no parse of the whole listing.
   */
  listClients(opts?: {
    sinceDate?: string;
    globalIds?: ReadonlySet<string>;
  }): Promise<OscarClientList>;
  /**
   * The same listing, each client kept as its JSON text and the fields f2-j1 decides on
   * (ListedClient): f2-j1 holds a whole window of them before it hands them on.
   */
  listClientsPacked(opts?: { sinceDate?: string }): Promise<OscarClientList<ListedClient>>;
  /**
   * 422 → ApiError (status 422) with OSCaR's scrubbed reason. `beforeSend` runs right before each
   * attempt goes on the wire (the caller records that OSCaR may now hold the referral).
   */
  upsertClient(
    organization: OscarUpsertPayload,
    options?: { beforeSend?: () => void },
  ): Promise<UpsertResult>;
  updateLinks(items: OscarLink[]): Promise<void>;
  /** 422 → ApiError (status 422). OSCaR keeps the items before the failing one. */
  updateStatuses(items: OscarStatusUpdate[]): Promise<void>;
}

export const OSCAR_PATHS = {
  signIn: '/api/v1/admin_auth/sign_in',
  clients: '/api/v1/organizations/clients',
  upsert: '/api/v1/organizations/clients/upsert',
  updateLinks: '/api/v1/organizations/clients/update_links',
  updateStatuses: '/api/v1/organizations/referrals/update_statuses',
} as const;

interface Session {
  accessToken: string;
  client: string;
  uid: string;
}

/** A raw listed client's global id, trimmed ('' when it has none). */
const globalIdOfRaw = (raw: unknown): string => {
  const value =
    typeof raw === 'object' && raw !== null
      ? (raw as { global_id?: unknown }).global_id
      : undefined;
  return typeof value === 'string' ? value.trim() : '';
};

/** OSCaR's reason from a 4xx body: field names and error kinds only (see http/error-text.ts). */
export function scrubOscarReason(body: unknown): string {
  return describeErrorBody(body) || 'no readable reason';
}

/**
 * OSCaR refused one record (any 4xx but 401): that item fails, the run goes on. OSCaR's interop
 * paths carry no id (the records travel in the body), so no id is ever placed in a URL here.
 */
function rejection(error: ApiError, what: string, recordId?: string): RecordRefusedError {
  const kind = error.status === 403 ? 'forbidden' : error.status === 404 ? 'not-found' : 'rejected';
  return new RecordRefusedError(
    `OSCaR rejected ${what}: ${error.status} ${scrubOscarReason(error.body)}`,
    {
      system: 'oscar',
      status: error.status,
      method: error.method,
      path: error.path,
      retryable: false,
      kind,
      ...(recordId !== undefined ? { recordId } : {}),
      ...(error.body !== undefined ? { body: error.body } : {}),
    },
  );
}

function malformed(path: string, method: string, status: number, detail: string): ApiError {
  return new ApiError(`OSCaR answered ${method} ${path} with an unexpected body: ${detail}`, {
    system: 'oscar',
    status,
    method,
    path,
    retryable: false,
  });
}

export function createOscarClient(
  config: OscarConfig,
  options: Partial<TransportOptions> = {},
): OscarClient {
  const transport = createTransport({ ...options, baseUrl: config.url, system: 'oscar' });
  let session: Session | undefined;
  // Concurrent calls that all find no session share one sign-in.
  let signingIn: Promise<Session> | undefined;

  async function performSignIn(): Promise<Session> {
    let response: HttpResponse;
    try {
      response = await transport.send({
        method: 'POST',
        path: OSCAR_PATHS.signIn,
        headers: { 'Content-Type': 'application/json' },
        body: { email: config.email, password: config.password },
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        throw new ApiError(
          // The exact text is part of the client's contract; the fix (check email/password) is implied.
          `OSCaR sign-in failed for ${config.email}: 401 Invalid login credentials`,
          {
            system: 'oscar',
            status: 401,
            method: 'POST',
            path: OSCAR_PATHS.signIn,
            retryable: false,
            signIn: true,
          },
        );
      }
      throw error;
    }
    const accessToken = response.headers['access-token'];
    const client = response.headers['client'];
    const uid = response.headers['uid'] ?? config.email;
    if (!accessToken || !client) {
      throw malformed(
        OSCAR_PATHS.signIn,
        'POST',
        response.status,
        'no access-token/client response headers (is the url an OSCaR server, and does a proxy strip headers?)',
      );
    }
    const expiry = Number(response.headers['expiry']);
    log.info(
      `OSCaR signed in as ${config.email}` +
        (Number.isFinite(expiry)
          ? `, token valid until ${new Date(expiry * 1000).toISOString()}`
          : ''),
    );
    return { accessToken, client, uid };
  }

  async function currentSession(): Promise<Session> {
    if (session) return session;
    signingIn ??= performSignIn().finally(() => {
      signingIn = undefined;
    });
    session = await signingIn;
    return session;
  }

  /** Sends with the token headers; on a 401 signs in once more and tries again, once. */
  async function sendSignedIn<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const attempt = async (current: Session) =>
      transport.send<T>({
        ...req,
        headers: {
          'Content-Type': 'application/json',
          ...req.headers,
          'access-token': current.accessToken,
          client: current.client,
          uid: current.uid,
        },
      });
    const used = await currentSession();
    try {
      return await attempt(used);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      log.info(`OSCaR answered ${req.method} ${req.path} with 401: signing in again`);
      // Another concurrent call may already have replaced the expired session.
      if (session === used) session = undefined;
      return attempt(await currentSession());
    }
  }

  /**
   * GET the listing and parse each client, keeping it as `keep` makes it. With `globalIds`, the
   * others are let go unread (neither clients nor invalid).
   */
  async function readListing<T>(
    opts: { sinceDate?: string; globalIds?: ReadonlySet<string> },
    keep: (record: OscarClientRecord) => T,
  ): Promise<OscarClientList<T>> {
    const response = await sendSignedIn<unknown>({
      method: 'GET',
      path: OSCAR_PATHS.clients,
      ...(opts.sinceDate !== undefined ? { query: { since_date: opts.sinceDate } } : {}),
    });
    const data = (response.body as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data)) {
      throw malformed(
        OSCAR_PATHS.clients,
        'GET',
        response.status,
        'data: expected an array of clients',
      );
    }
    const result: OscarClientList<T> = { clients: [], invalid: [] };
    const { globalIds } = opts;
    let skipped = 0;
    data.forEach((raw, index) => {
      // The listing has no pages: tens of thousands of clients in one answer. Each raw record is
      // let go once parsed, so the raw and the parsed listing never both stand in memory whole.
      data[index] = undefined;
      if (globalIds && !globalIds.has(globalIdOfRaw(raw))) {
        skipped += 1;
        return;
      }
      const parsed = oscarClientRecordSchema.safeParse(raw);
      if (parsed.success) {
        result.clients.push(keep(parsed.data));
        return;
      }
      const record = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<
        string,
        unknown
      >;
      const text = (value: unknown) =>
        typeof value === 'string' && value.trim() !== '' ? value : undefined;
      const globalId = text(record.global_id);
      const organization = text(record.organization_name);
      const slug = text(record.slug);
      result.invalid.push({
        index,
        ...(globalId ? { globalId } : {}),
        ...(organization ? { organization_name: organization } : {}),
        ...(slug ? { slug } : {}),
        reason: describeZodIssues(parsed.error),
      });
    });
    log.info(
      `OSCaR listed ${result.clients.length} clients (${result.invalid.length} unreadable)` +
        (globalIds ? `; ${skipped} others not read` : ''),
    );
    return result;
  }

  return {
    async signIn() {
      session = undefined;
      await currentSession();
    },

    listClients(opts = {}) {
      return readListing(opts, (record) => record);
    },

    listClientsPacked(opts = {}) {
      return readListing(opts, listedClient);
    },

    async upsertClient(organization, options = {}) {
      const payload = pickPermittedUpsertFields(organization as Record<string, unknown>);
      const what = `upsert of external_id ${organization.external_id ?? '(none)'}`;
      let response: HttpResponse<unknown>;
      try {
        response = await sendSignedIn<unknown>({
          method: 'POST',
          path: OSCAR_PATHS.upsert,
          body: { organization: payload },
          // OSCaR cannot tell a re-sent referral from a new one (a second Referral is created), so
          // the upsert is repeated only when OSCaR surely did not act on it.
          retry: 'unprocessed',
          ...(options.beforeSend ? { beforeSend: options.beforeSend } : {}),
        });
      } catch (error) {
        // A 401 here is the sign-in failing or the token refused again: not about this referral.
        if (
          error instanceof ApiError &&
          error.status !== undefined &&
          error.status >= 400 &&
          error.status < 500 &&
          error.status !== 401
        ) {
          throw rejection(error, what, organization.external_id ?? organization.global_id);
        }
        throw error;
      }
      const parsed = oscarUpsertResponseSchema.safeParse(response.body);
      if (!parsed.success) {
        throw malformed(
          OSCAR_PATHS.upsert,
          'POST',
          response.status,
          describeZodIssues(parsed.error),
        );
      }
      return {
        ok: true,
        message: parsed.data.message,
        ...(parsed.data.external_id ? { externalId: parsed.data.external_id } : {}),
      };
    },

    async updateLinks(items) {
      if (items.length === 0) return;
      await sendSignedIn({
        method: 'PUT',
        path: OSCAR_PATHS.updateLinks,
        body: { data: items.map((item) => pickKeys(item, OSCAR_LINK_FIELDS)) },
      });
      log.info(`OSCaR linked ${items.length} clients to Primero cases`);
    },

    async updateStatuses(items) {
      if (items.length === 0) return;
      try {
        // OSCaR does not authenticate this action; the token is sent anyway, as the jobs do.
        await sendSignedIn({
          method: 'PUT',
          path: OSCAR_PATHS.updateStatuses,
          body: { data: items.map((item) => pickKeys(item, OSCAR_STATUS_UPDATE_FIELDS)) },
        });
      } catch (error) {
        if (error instanceof ApiError && error.status === 422) {
          throw rejection(error, `referral status update of ${items.length} item(s)`);
        }
        throw error;
      }
      log.info(`OSCaR updated ${items.length} referral statuses`);
    },
  };
}
