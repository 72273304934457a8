// The one error type both clients throw for anything that went wrong on the wire. Its message is
// safe to log: method, path, status and the keys and kinds of the system's error, never a token, a
// non-JSON body, a value the system quoted back or a record's contents.
import { describeErrorBody } from './error-text.ts';

export type SystemName = 'primero' | 'oscar';

export class ApiError extends Error {
  override name = 'ApiError';
  system: SystemName;
  /** undefined = the request never got an answer (connection refused, dropped, timed out). */
  status: number | undefined;
  method: string;
  path: string;
  retryable: boolean;
  /** With no answer: the connection failure's code (ECONNREFUSED, UND_ERR_SOCKET, ...). */
  code?: string;
  /** Parsed JSON error body ONLY, never raw text. Callers must not log it: it may echo a record. */
  body?: unknown;
  /** The request was a sign-in: a 401 here is the system refusing the credentials. */
  signIn?: boolean;

  constructor(
    message: string,
    details: {
      system: SystemName;
      status: number | undefined;
      method: string;
      path: string;
      retryable: boolean;
      code?: string;
      body?: unknown;
      signIn?: boolean;
    },
  ) {
    super(message);
    if (details.code !== undefined) this.code = details.code;
    this.system = details.system;
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.retryable = details.retryable;
    if (details.body !== undefined) this.body = details.body;
    if (details.signIn) this.signIn = true;
  }
}

/**
 * The system's error text as it may be repeated: keys and error kinds only, never a value the
 * system quoted back (see error-text.ts).
 */
export function summarizeErrorBody(body: unknown): string {
  return describeErrorBody(body);
}

/** Connection failures after which the server surely never saw the request. */
const NOT_CONNECTED = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'];

/**
 * Whether the server surely did not act on the request: it said so (429, 503) or no connection was
 * made. Anything else without a success (no answer mid-request, 500/502/504) may have been applied.
 */
export function surelyUnprocessed(error: ApiError): boolean {
  if (error.status !== undefined) return error.status === 429 || error.status === 503;
  return error.code !== undefined && NOT_CONNECTED.includes(error.code);
}
