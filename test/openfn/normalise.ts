// What two runs of the same seed may differ in by nature (clocks, random ids and what shows
// them), replaced by placeholders so emulator states and summaries compare exactly.
export function normalise(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    // Primero's display id is the first 7 hex digits of its random case_id.
    if (/^(case_id_display|short_id|external_id_display)$/.test(key) && /^[0-9a-f]{7}$/.test(value))
      return '<short>';
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/.test(value)) return '<time>';
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(value))
      return '<uuid4>';
    if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(value)) return '<ulid>';
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => normalise(item, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, k)]));
  }
  return value;
}
