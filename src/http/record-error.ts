// Answers about ONE record, told apart from an outage of the whole system: an id that cannot be a
// URL path segment, or a 403/404/422 on a request addressed to one record. The step fails that
// item with its ids and this reason and goes on (src/workflow/step-context.ts isItemError); only
// sign-in, listings and repeated 5xx or lost connections fail a run.
import { ApiError, summarizeErrorBody } from './errors.ts';
import type { SystemName } from './errors.ts';

/** Why one record could not be read or written. */
export type RecordErrorKind = 'unsafe-id' | 'not-found' | 'forbidden' | 'rejected';

/**
 * One record refused; an ApiError still (status, method, path), so code that looks at the status
 * keeps working. Its message names the record's id and what to do, never a value of the record.
 */
export class RecordRefusedError extends ApiError {
  override name = 'RecordRefusedError';
  readonly kind: RecordErrorKind;
  /** The id of the record the answer is about (as the caller named it). */
  readonly recordId: string | undefined;

  constructor(
    message: string,
    details: ConstructorParameters<typeof ApiError>[1] & {
      kind: RecordErrorKind;
      recordId?: string;
    },
  ) {
    const { kind, recordId, ...rest } = details;
    super(message, rest);
    this.kind = kind;
    this.recordId = recordId;
  }
}

/** Ids a URL path would read as something else once normalised, or as nothing at all. */
const DOT_SEGMENTS = new Set(['', '.', '..']);

/**
 * `id` as one URL path segment (encodeURIComponent: `/`, `?`, `#` and `%` cannot escape it), or a
 * RecordRefusedError when no encoding can make it one: empty, `.` and `..` are removed or climb a
 * level in every URL parser, and a lone UTF-16 surrogate has no UTF-8 form.
 */
export function pathSegment(
  id: string,
  where: { system: SystemName; method: string; path: string; what: string },
): string {
  const refuse = (why: string) =>
    new RecordRefusedError(
      `Refusing ${where.method} ${where.path} for ${where.what} "${id.slice(0, 64)}": ${why}; ` +
        `correct the id in ${where.system === 'oscar' ? 'OSCaR' : 'Primero'}`,
      {
        system: where.system,
        status: undefined,
        method: where.method,
        path: where.path,
        retryable: false,
        kind: 'unsafe-id',
        recordId: id,
      },
    );
  if (typeof id !== 'string' || DOT_SEGMENTS.has(id))
    throw refuse('an id that is empty, "." or ".." cannot be a URL path segment');
  try {
    return encodeURIComponent(id);
  } catch {
    throw refuse('the id is not valid Unicode text');
  }
}

const KIND_OF_STATUS: Record<number, RecordErrorKind> = {
  403: 'forbidden',
  404: 'not-found',
  410: 'not-found',
  422: 'rejected',
};

/**
 * A 403/404/410/422 answered to a request about one record, as that record's failure; anything
 * else (401, 429, 5xx, no answer) is returned unchanged: it is about the system, not the record.
 */
export function recordRefusal(error: unknown, recordId: string, what: string): unknown {
  if (!(error instanceof ApiError) || error instanceof RecordRefusedError) return error;
  const kind = error.status === undefined ? undefined : KIND_OF_STATUS[error.status];
  if (kind === undefined) return error;
  const system = error.system === 'oscar' ? 'OSCaR' : 'Primero';
  const why =
    kind === 'forbidden'
      ? 'the API user may not see or change it (its scope, or the record was reassigned)'
      : kind === 'not-found'
        ? 'it was deleted, merged or hidden from the API user since it was listed'
        : 'the system refused it';
  // Keys and error kinds only (error-text.ts): never a value the system quoted back.
  const summary = error.body === undefined ? '' : summarizeErrorBody(error.body);
  return new RecordRefusedError(
    `${system} answered ${error.status} for ${what} (${error.method} ${error.path}): ${why}` +
      `${summary ? ` (${summary})` : ''}; the item is retried next run`,
    {
      system: error.system,
      status: error.status,
      method: error.method,
      path: error.path,
      retryable: false,
      kind,
      recordId,
      ...(error.body !== undefined ? { body: error.body } : {}),
    },
  );
}
