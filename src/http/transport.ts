// The transport under both clients. It sends every request through @openfn/language-http's request
// primitive, so the same code runs inside an OpenFn.org job where only that adaptor can be imported.
// It owns the wire concerns: host guard, retries with backoff and jitter, Retry-After, concurrency,
// JSON parsing, and errors that are safe to log.
import { util } from '@openfn/language-http';
import { log } from '../log.ts';
import { ApiError, summarizeErrorBody, surelyUnprocessed } from './errors.ts';
import type { SystemName } from './errors.ts';
import { createLimiter } from './limiter.ts';
import { backoffDelayMs, isRetryableStatus, retryAfterMs, sleep } from './retry.ts';

export { ApiError, surelyUnprocessed } from './errors.ts';

export interface TransportOptions {
  baseUrl: string;
  system: SystemName;
  /** Requests of this transport on the wire at once; default 4. */
  concurrency?: number;
  /** Attempts per request including the first; default 5. */
  maxAttempts?: number;
  /** Backoff base; default 250 ms. */
  baseDelayMs?: number;
  /** Cap on any single wait, Retry-After included; default 10 000 ms. */
  maxDelayMs?: number;
  /** Per attempt; default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * Per attempt, headers and body. Long enough for a slow full listing: a page of whole Primero case
 * records, or OSCaR's clients listing (no pages, several queries per client). INTEROP_HTTP_TIMEOUT_MS.
 */
export const DEFAULT_TIMEOUT_MS = 120_000;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path relative to baseUrl. An absolute URL is refused so credentials never leave the host. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * Default true for every method: the sync's writes are idempotent by design (client ids,
   * deterministic row ids), so POST is retried like the rest. Pass false to send once.
   * 'unprocessed' retries only when the server surely did not act on the request (429, 503, or
   * no connection made): for writes a server cannot deduplicate, such as OSCaR's referral upsert.
   */
  retry?: boolean | 'unprocessed';
  /** Statuses returned as a response instead of thrown, e.g. [422]. */
  okStatuses?: number[];
  /**
   * Called right before each attempt goes on the wire (after waiting for a concurrency slot): the
   * last moment to record, durably, that a write which cannot be deduplicated may reach the server.
   */
  beforeSend?: () => void;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or undefined for an empty body. */
  body: T;
}

export interface Transport {
  send<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string | undefined;
  durationMs: number;
}

function normalizeHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * scheme://host[:port] of an absolute URL. A regex, not `URL`: inside an OpenFn.org job the code runs
 * in a vm context that has the JavaScript built-ins but not Node's globals.
 */
function originOf(url: string): string | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)/i.exec(url);
  if (!match) return undefined;
  return `${match[1]}://${match[2]}`.toLowerCase();
}

/** Throws unless `path` is a relative path; the message names both hosts, never a credential. */
function assertRelativePath(system: SystemName, baseOrigin: string, path: string): void {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
    const target = originOf(path.startsWith('//') ? `http:${path}` : path) ?? 'another host';
    throw new Error(
      `Refusing to send a ${system} request to ${target}: the ${system} client only talks to ${baseOrigin} ` +
        `and takes paths relative to it (e.g. /api/v2/cases)`,
    );
  }
  if (!path.startsWith('/')) {
    throw new Error(`A ${system} request path must start with "/", got "${path.slice(0, 40)}"`);
  }
}

function connectionCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown }; name?: unknown };
  const code = e?.code ?? e?.cause?.code ?? e?.name;
  return typeof code === 'string' ? code : 'connection error';
}

export function createTransport(options: TransportOptions): Transport {
  const parsedOrigin = originOf(options.baseUrl);
  if (!parsedOrigin || !/^https?:/.test(parsedOrigin)) {
    throw new Error(
      `${options.system} url must start with http:// or https:// (e.g. https://primero.example.org)`,
    );
  }
  const baseOrigin: string = parsedOrigin;
  const system = options.system;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limiter = createLimiter(options.concurrency ?? 4);
  // language-http joins baseUrl and path; a trailing slash on the base would double up.
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function attempt(req: HttpRequest, body: string | undefined): Promise<RawResponse> {
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) query[key] = String(value);
    }
    const started = Date.now();
    const state = { configuration: { baseUrl }, data: undefined, references: [] };
    const next = await util.request(req.method, req.path, {
      headers: { Accept: 'application/json', ...req.headers },
      query,
      body,
      // Statuses are ours to judge; the raw text is parsed here so a non-JSON body is never echoed.
      errors: false,
      parseAs: 'text',
      timeout: timeoutMs,
      // A redirect would carry the Authorization header to wherever it points.
      maxRedirections: 0,
    })(state);
    const response = next.response as {
      statusCode: number;
      headers: Record<string, string | string[] | undefined>;
    };
    return {
      statusCode: response.statusCode,
      headers: response.headers,
      text: typeof next.data === 'string' ? next.data : undefined,
      durationMs: Date.now() - started,
    };
  }

  async function send<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    assertRelativePath(system, baseOrigin, req.path);
    const where = `${req.method} ${req.path}`;
    const retry = req.retry ?? true;
    const attempts = retry ? maxAttempts : 1;
    const payload = jsonText(req.body);
    let lastError: ApiError | undefined;

    for (let n = 1; n <= attempts; n += 1) {
      let waitMs: number | undefined;
      try {
        const raw = await limiter.run(() => {
          req.beforeSend?.();
          return attempt(req, payload);
        });
        const status = raw.statusCode;
        log.debug(`${where} - ${status} in ${raw.durationMs} ms`);
        const headers = normalizeHeaders(raw.headers);
        let body: unknown;
        let parsed = true;
        if (raw.text !== undefined && raw.text.trim() !== '') {
          try {
            body = JSON.parse(raw.text);
          } catch {
            parsed = false;
          }
        }
        const ok = (status >= 200 && status < 300) || (req.okStatuses ?? []).includes(status);
        if (!parsed) {
          throw new ApiError(
            `${system} answered ${where} with a non-JSON body (status ${status})`,
            {
              system,
              status,
              method: req.method,
              path: req.path,
              retryable: isRetryableStatus(status),
            },
          );
        }
        if (ok) return { status, headers, body: body as T };
        if (status >= 300 && status < 400) {
          throw new ApiError(
            `${system} answered ${where} with a redirect (status ${status}); redirects are not followed so ` +
              `credentials stay on ${baseOrigin}: check the configured ${system} url`,
            { system, status, method: req.method, path: req.path, retryable: false, body },
          );
        }
        const summary = summarizeErrorBody(body);
        const error = new ApiError(
          `${system} answered ${where} with ${status}${summary ? `: ${summary}` : ''}`,
          {
            system,
            status,
            method: req.method,
            path: req.path,
            retryable: isRetryableStatus(status),
            body,
          },
        );
        if (status === 429 || status === 503) waitMs = retryAfterMs(headers['retry-after']);
        throw error;
      } catch (caught) {
        const error =
          caught instanceof ApiError
            ? caught
            : new ApiError(`${system} did not answer ${where}: ${connectionCode(caught)}`, {
                system,
                status: undefined,
                method: req.method,
                path: req.path,
                retryable: true,
                code: connectionCode(caught),
              });
        if (!(caught instanceof ApiError))
          log.debug(`${where} - no answer (${connectionCode(caught)})`);
        lastError = error;
        const retryable = retry === 'unprocessed' ? surelyUnprocessed(error) : error.retryable;
        if (!retryable || n >= attempts) throw error;
        const delay = Math.min(maxDelayMs, waitMs ?? backoffDelayMs(n, baseDelayMs, maxDelayMs));
        log.info(
          `${where} - ${error.status ?? 'no answer'}, attempt ${n}/${attempts}, retrying in ${delay} ms`,
        );
        await sleep(delay);
      }
    }
    // Unreachable: the loop either returns or throws; kept for the type checker.
    throw lastError ?? new Error(`${where}: no attempt made`);
  }

  return { send };
}

/**
 * The body as JSON text, made once per request. language-http sends a string as it is, but copies
 * an object key by key before it encodes it, looking for state references (a function is called
 * with the state, a Date becomes {}), which costs a case record's size in copies on every attempt.
 */
function jsonText(body: unknown): string | undefined {
  if (!body) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}
