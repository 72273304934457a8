// The one error type both clients throw for anything that went wrong on the wire. Its message is
// safe to log: method, path, status and the system's own short error text, never a token, a
// non-JSON body or a record's contents.
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
  }
}

const MAX_SUMMARY = 200;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The system's own short error text from a JSON error body: Primero's envelope
 * `{errors:[{message, detail}]}`, Devise's `{error}` / `{errors:[..]}`, OSCaR's `{message}`.
 * These are fixed server texts, field names and JSON pointers; record values are not read.
 */
export function summarizeErrorBody(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(record.errors)) {
    for (const entry of record.errors) {
      if (typeof entry === 'string') parts.push(entry);
      else if (typeof entry === 'object' && entry !== null) {
        const e = entry as Record<string, unknown>;
        const message = strings(e.message).join('; ');
        const detail = strings(e.detail).join(', ');
        if (message || detail) parts.push(detail ? `${message} (${detail})` : message);
      }
    }
  }
  parts.push(...strings(record.error), ...strings(record.message));
  if (
    typeof record.message === 'object' &&
    record.message !== null &&
    !Array.isArray(record.message)
  ) {
    parts.push(`invalid ${Object.keys(record.message).join(', ')}`);
  }
  const text = parts.join('; ');
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}...` : text;
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
