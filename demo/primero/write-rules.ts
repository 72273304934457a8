// What Primero does with the `data` of a case write, per profile:
//  - v2.5 (app/controllers/api/v2/concerns/record.rb `validate_json!` on the raw params, schema with
//    additionalProperties:false): any key the user may not write is a 422 "Invalid Record JSON".
//  - v2.11+ (commit 57a0228cb6, HEAD record.rb l.119-130 `record_params`): strong params built from
//    the same schema drop those keys first, silently, inside services_section rows too; the
//    validation then sees only what is left and the write answers 200.
//  - v2.15+ (commit 41a89c22e5, HEAD json_validator_service.rb l.73-78): a select value must be one
//    of the instance's lookup values, else 422 naming the field's pointer.
// "May not write": not a field of the instance's forms (src/model/primero.ts declares them), or a
// field of a form the user's role cannot write (seed `unwritable_fields`: `oscar_status`, or
// `services_section.oscar_case_worker_name` for a field of the service subform).
import {
  PRIMERO_CASE_FIELD_TYPES,
  PRIMERO_SERVICE_ROW_FIELD_TYPES,
  invalidCaseWritePointers,
  isPermittedCaseField,
  isPermittedServiceRowField,
} from '../../src/model/primero.ts';
import { PROFILE_RULES } from './profile.ts';
import type { PrimeroState, PrimeroUser } from './state.ts';

export type WriteCheck =
  { ok: true; data: Record<string, unknown> } | { ok: false; pointers: string[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The write without the keys the user may not write, and the pointers of those keys. */
function withoutUnpermitted(
  user: PrimeroUser,
  data: Record<string, unknown>,
): { kept: Record<string, unknown>; dropped: string[] } {
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (!isPermittedCaseField(key) || user.unwritable_fields.includes(key)) {
      dropped.push(`/${escape(key)}`);
      continue;
    }
    if (key !== 'services_section' || !Array.isArray(value)) {
      kept[key] = value;
      continue;
    }
    kept[key] = value.map((row: unknown, index) => {
      if (!isObject(row)) return row;
      const keptRow: Record<string, unknown> = {};
      for (const [rowKey, rowValue] of Object.entries(row)) {
        const writable =
          isPermittedServiceRowField(rowKey) &&
          !user.unwritable_fields.includes(`services_section.${rowKey}`);
        if (rowKey === '_destroy' || writable) keptRow[rowKey] = rowValue;
        else dropped.push(`/${key}/${index}/${escape(rowKey)}`);
      }
      return keptRow;
    });
  }
  return { kept, dropped };
}

/** Pointers of select values outside the instance's lookups (case fields and service-row fields). */
function lookupViolations(state: PrimeroState, data: Record<string, unknown>): string[] {
  const outside = (field: string, value: unknown): boolean => {
    const allowed = state.lookups[field];
    if (!allowed || value === null || value === undefined) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => v !== null && !allowed.includes(String(v)));
  };
  const pointers: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key in PRIMERO_CASE_FIELD_TYPES && key !== 'services_section' && outside(key, value))
      pointers.push(`/${escape(key)}`);
  }
  const rows = data.services_section;
  if (Array.isArray(rows)) {
    rows.forEach((row: unknown, index) => {
      if (!isObject(row)) return;
      for (const [rowKey, rowValue] of Object.entries(row)) {
        if (rowKey in PRIMERO_SERVICE_ROW_FIELD_TYPES && outside(rowKey, rowValue))
          pointers.push(`/services_section/${index}/${escape(rowKey)}`);
      }
    });
  }
  return pointers;
}

/** The data Primero goes on to save, or the pointers of its 422 "Invalid Record JSON". */
export function admitCaseWrite(
  state: PrimeroState,
  user: PrimeroUser,
  data: Record<string, unknown>,
): WriteCheck {
  const rules = PROFILE_RULES[state.profile];
  const { kept, dropped } = withoutUnpermitted(user, data);
  if (rules.unpermittedKeys === 'reject') {
    const pointers = [...new Set([...invalidCaseWritePointers(data), ...dropped])];
    return pointers.length ? { ok: false, pointers } : { ok: true, data };
  }
  const wrongType = invalidCaseWritePointers(kept);
  if (wrongType.length) return { ok: false, pointers: wrongType };
  const outsideLookups = rules.checksLookups ? lookupViolations(state, kept) : [];
  if (outsideLookups.length) return { ok: false, pointers: outsideLookups };
  return { ok: true, data: kept };
}
