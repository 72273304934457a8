// A system's JSON error body reduced to what is safe to repeat: field names and the kind of each
// error ("field given_name: too long"), never the text around them. Both systems may quote the value
// they refused: Primero's envelope carries `value` and exception messages in `detail`/`message`
// (app/services/error_service.rb), OSCaR's Rails messages can embed attribute values
// (`{message: {field: [msgs]}}`, `{error: "Validation failed: ..."}`). So no server text is copied
// unless it is one of the systems' own fixed sentences; everything else becomes a kind or nothing.

const MAX_SUMMARY = 300;

/**
 * The systems' fixed sentences, repeated word for word. Primero: error_service.rb and
 * tokens/post.md; OSCaR: api/v1/organizations/clients_controller.rb, referrals_controller.rb,
 * devise_token_auth's failure texts.
 */
const FIXED_SENTENCES = new Set([
  'Invalid Record JSON',
  'Forbidden',
  'Not Found',
  'Unauthorized',
  'Service Unavailable',
  'Internal Server Error',
  'Conflict: A record with this id already exists',
  'Invalid User name or password.',
  'Record error. Please check OSCaR logs for details.',
  'Record saved.',
  'Record was found.',
  "Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
  'Invalid login credentials. Please try again.',
  'You need to sign in or sign up before continuing.',
]);

/** Rails and JSON-schema validation phrases, in the order they are tested; the label is shown. */
const KINDS: Array<[RegExp, string]> = [
  [/too long/i, 'too long'],
  [/too short/i, 'too short'],
  [/can'?t be blank|must be present|is required|is missing|must be given/i, "can't be blank"],
  [
    /must be one of \['Accepted', 'Exited', 'Referred'\]/,
    "not one of 'Accepted', 'Exited', 'Referred'",
  ],
  [
    /not included in the list|must be one of (?!\['Accepted')|not an allowed|is reserved/i,
    'not an allowed value',
  ],
  [/already been taken|already exists|is not unique|duplicate/i, 'already exists'],
  [/must exist/i, 'must exist'],
  [/not found|couldn'?t find|does not exist/i, 'not found'],
  [/not a number|must be a number|must be an integer|must be greater|must be less/i, 'bad number'],
  [/consent/i, 'consent missing'],
  [/not permitted|not allowed|forbidden|permission/i, 'not permitted'],
  [/invalid|is not valid|wrong format|malformed|doesn'?t match|does not match/i, 'invalid'],
];

/**
 * Field names and JSON pointers: what a key looks like in either system (lowercase snake_case,
 * /services_section/0/service_type). A key that does not (a capitalised name used as a key) is
 * shown as `(field)`.
 */
const KEY = /^\/?[a-z_][a-z0-9_]{0,63}(?:\/(?:[a-z_][a-z0-9_]{0,63}|\d{1,6}))*$/;

/** A key as shown, or `(field)` when it does not look like a field name. */
export function safeKey(value: unknown): string {
  return typeof value === 'string' && KEY.test(value.trim()) ? value.trim() : '(field)';
}

/** The kinds of error one server text names, never the text itself (which may quote a value). */
export function errorKinds(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const trimmed = text.trim();
  if (FIXED_SENTENCES.has(trimmed)) return [trimmed];
  const kinds = KINDS.filter(([pattern]) => pattern.test(trimmed)).map(([, label]) => label);
  // The first matching kind is the most specific one; "invalid" alone when nothing else matched.
  const found = [...new Set(kinds)];
  if (found.length > 1) return found.filter((kind) => kind !== 'invalid');
  return found.length ? found : trimmed === '' ? [] : ['rejected'];
}

const listOf = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];

const kindsOf = (value: unknown): string[] => [
  ...new Set(listOf(value).flatMap((entry) => errorKinds(entry))),
];

/** `{field: [msgs]}` or `{field: msg}` → "field given_name: too long". */
function describeFields(fields: Record<string, unknown>): string[] {
  return Object.entries(fields).map(([field, messages]) => {
    const kinds = kindsOf(messages);
    return `field ${safeKey(field)}${kinds.length ? `: ${kinds.join(', ')}` : ''}`;
  });
}

/** One entry of Primero's `errors` list: `message` (string or list) and `detail` (field/pointers). */
function describePrimeroEntry(entry: Record<string, unknown>): string {
  const kinds = kindsOf(entry.message);
  const fields = listOf(entry.detail)
    .filter((detail) => typeof detail === 'string' && KEY.test(detail.trim()))
    .map((detail) => (detail as string).trim());
  const what = kinds.join(', ') || 'rejected';
  return fields.length ? `${what} (${fields.join(', ')})` : what;
}

/**
 * The safe text of a JSON error body of either system: Primero's `{errors: [{status, resource,
 * detail, message, value}]}`, Devise's `{error}` / `{errors: [..]}`, OSCaR's `{message}` (a sentence
 * or `{field: [msgs]}`), `{errors: {field: msg}}` and `{error}`. Values, `resource` and `value` are
 * never read into the text.
 */
export function describeErrorBody(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return '';
  const record = body as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['message', 'error'] as const) {
    const value = record[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      parts.push(...describeFields(value as Record<string, unknown>));
    else parts.push(...kindsOf(value));
  }
  const errors = record.errors;
  if (Array.isArray(errors)) {
    for (const entry of errors) {
      if (typeof entry === 'object' && entry !== null && !Array.isArray(entry))
        parts.push(describePrimeroEntry(entry as Record<string, unknown>));
      else parts.push(...errorKinds(entry));
    }
  } else if (typeof errors === 'object' && errors !== null) {
    parts.push(...describeFields(errors as Record<string, unknown>));
  }
  const text = [...new Set(parts.filter(Boolean))].join('; ');
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}...` : text;
}
