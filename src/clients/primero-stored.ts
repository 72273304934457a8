// "A write counts only when seen" (apis.md §3.1 P2, P3): Primero from v2.11 drops keys the API
// user may not write and answers 200 (HEAD app/controllers/api/v2/concerns/record.rb l.119-130),
// inside services_section rows too, and silently reverts an owned_by naming no user
// (app/models/concerns/ownable.rb l.79-96). So after a write the client compares what it sent with
// what Primero holds and fails the item, naming the field or user, when they differ.
import {
  PRIMERO_CASE_FIELD_TYPES,
  PRIMERO_SERVICE_ROW_FIELD_TYPES,
  PrimeroRecordError,
} from '../model/primero.ts';
import type { PrimeroCaseWrite, PrimeroFieldKind } from '../model/primero.ts';

/** A field Primero does not hold as sent: a case field, or a field of one service row. */
export interface UnstoredField {
  field: string;
  /** The service row's unique_id, for a services_section field (or a whole row: field ''). */
  row?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const blank = (value: unknown) => value === undefined || value === null || value === '';

function sameValue(kind: PrimeroFieldKind | undefined, sent: unknown, held: unknown): boolean {
  if (blank(sent) || blank(held)) return blank(sent) && blank(held);
  if (kind === 'datetime' && typeof sent === 'string' && typeof held === 'string')
    return Date.parse(sent) === Date.parse(held);
  if (Array.isArray(sent) && Array.isArray(held))
    return sent.length === held.length && sent.every((v, i) => String(v) === String(held[i]));
  return JSON.stringify(sent) === JSON.stringify(held);
}

/**
 * Fields of `sent` that `held` does not hold with the value sent. `held` is the case as Primero
 * returns it, or a write's answer (only the fields that changed): there, a missing field is not
 * proof of a drop, only a reason to read the case.
 */
export function unstoredFields(
  sent: PrimeroCaseWrite,
  held: Record<string, unknown>,
): UnstoredField[] {
  const missing: UnstoredField[] = [];
  for (const [field, value] of Object.entries(sent)) {
    if (field === 'id') continue;
    if (field !== 'services_section') {
      const kind = (PRIMERO_CASE_FIELD_TYPES as Record<string, PrimeroFieldKind>)[field];
      if (!sameValue(kind, value, held[field])) missing.push({ field });
      continue;
    }
    const heldRows = Array.isArray(held.services_section)
      ? held.services_section.filter(isObject)
      : [];
    for (const row of (value ?? []) as Array<Record<string, unknown>>) {
      const rowId = typeof row.unique_id === 'string' ? row.unique_id : undefined;
      // A row sent without an id gets one from Primero: nothing to match it by.
      if (!rowId) continue;
      const heldRow = heldRows.find((candidate) => candidate.unique_id === rowId);
      if (row._destroy === true) {
        if (heldRow) missing.push({ field: '_destroy', row: rowId });
        continue;
      }
      if (!heldRow) {
        missing.push({ field: '', row: rowId });
        continue;
      }
      for (const [rowField, rowValue] of Object.entries(row)) {
        if (rowField === 'unique_id') continue;
        const kind = (PRIMERO_SERVICE_ROW_FIELD_TYPES as Record<string, PrimeroFieldKind>)[
          rowField
        ];
        if (!sameValue(kind, rowValue, heldRow[rowField]))
          missing.push({ field: rowField, row: rowId });
      }
    }
  }
  return missing;
}

const describe = (item: UnstoredField) =>
  item.row === undefined
    ? item.field
    : item.field === ''
      ? `service row ${item.row}`
      : `services_section row ${item.row} field ${item.field}`;

/**
 * The item error for a write Primero did not take as sent: the owner first (its own reason), then
 * the fields (names only, never values). Undefined when everything sent is held.
 */
export function unstoredError(
  sent: PrimeroCaseWrite,
  held: Record<string, unknown>,
  caseLabel: string,
  recordId: string,
): PrimeroRecordError | undefined {
  const missing = unstoredFields(sent, held);
  if (missing.length === 0) return undefined;
  if (missing.some((item) => item.field === 'owned_by' && item.row === undefined)) {
    return new PrimeroRecordError(
      `Primero did not store owned_by=${String(sent.owned_by)}: the user does not exist or the API user ` +
        `cannot assign it (case ${caseLabel}); create the user in Primero or fix the mapping`,
      recordId,
    );
  }
  const names = missing.slice(0, 5).map(describe).join(', ');
  const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
  return new PrimeroRecordError(
    `Primero did not store ${names}${more} (case ${caseLabel}): the API user may not write ` +
      `${missing.length > 1 ? 'these fields' : 'this field'}; give its role a form with them in Primero`,
    recordId,
  );
}
