// Defence in depth: the workflow already logs ids, counts and reasons only, but if a configured
// password or a token ever reaches a line, it is cut out before the line is stored or shown.

const REDACTED = '[redacted]';

// Credentials in the shapes they travel in: auth headers, token/password fields, query parameters.
const CREDENTIAL_SHAPES: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  [
    /\b(access[-_]?token|auth[-_]?token|token|password|passwd|secret|authorization)(["']?\s*[:=]\s*["']?)([^\s"',;&}]+)/gi,
    `$1$2${REDACTED}`,
  ],
];

const escapeForRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type Redactor = (text: string) => string;

/** A function that removes every given secret (and anything shaped like a credential) from a text. */
export function createRedactor(secrets: Array<string | undefined>): Redactor {
  // Very short values would shred ordinary words; a password that short is refused by both systems.
  const literal = [
    ...new Set(secrets.filter((secret): secret is string => !!secret && secret.length >= 4)),
  ]
    .sort((a, b) => b.length - a.length)
    .map(escapeForRegExp);
  const secretPattern = literal.length > 0 ? new RegExp(literal.join('|'), 'g') : undefined;
  return (text) => {
    let clean = secretPattern ? text.replace(secretPattern, REDACTED) : text;
    for (const [pattern, replacement] of CREDENTIAL_SHAPES)
      clean = clean.replace(pattern, replacement);
    return clean;
  };
}

/** Applies a redactor to every string inside a JSON-like value (summaries, failed items). */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((entry) => redactDeep(entry, redact)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, redactDeep(entry, redact)]),
    ) as T;
  }
  return value;
}
