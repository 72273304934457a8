// Services: OSCaR names <-> Primero subtype + type, both directions derived from services.json.
import { MappingError } from './errors.ts';
import type { MappingTables, ServiceTableRow } from './tables.ts';

/** Sent to OSCaR for a Primero service row without a subtype. OSCaR rejects it on purpose, so the
 * case worker sees the rejection and fills the subtype in (partners' agreed rule). */
export const NOT_SPECIFIED_SERVICE = 'Not Specified';

export interface PrimeroService {
  subtype: string;
  type: string;
}

export interface ServiceMapping {
  primeroServiceFor(oscarName: string): PrimeroService;
  oscarServiceNameFor(primeroSubtype: string | null | undefined): string;
}

export function serviceMappingFrom(
  tables: Pick<MappingTables, 'services' | 'files'>,
): ServiceMapping {
  const file = tables.files.services;
  const rowsByName = groupBy(tables.services, (row) => row.oscarName);
  const rowsBySubtype = groupBy(tables.services, (row) => row.primeroSubtype);

  function primeroServiceFor(oscarName: string): PrimeroService {
    const name = oscarName.trim();
    const rows = distinctPairs(rowsByName.get(name) ?? []);
    if (rows.length === 0) {
      throw new MappingError(
        `OSCaR service ${JSON.stringify(name)} is not in the service table: add a row for it to ${file}`,
      );
    }
    const subtypes = new Set(rows.map((row) => row.primeroSubtype));
    if (subtypes.size !== rows.length) {
      throw new MappingError(
        `OSCaR service ${JSON.stringify(name)} has one subtype with two different types in ${file}: keep one row`,
      );
    }
    // The documented rule for a name on several rows: the row marked preferredForOscar wins.
    const chosen = rows.length === 1 ? rows : rows.filter((row) => row.preferredForOscar === true);
    const [only] = chosen;
    if (chosen.length !== 1 || only === undefined) {
      throw new MappingError(
        `OSCaR service ${JSON.stringify(name)} maps to ${rows.length} Primero subtypes ` +
          `(${[...subtypes].join(', ')}) and ${chosen.length === 0 ? 'none' : 'more than one'} ` +
          `is marked "preferredForOscar": true; mark exactly one in ${file}`,
      );
    }
    return { subtype: only.primeroSubtype, type: only.primeroType };
  }

  function oscarServiceNameFor(primeroSubtype: string | null | undefined): string {
    const subtype = (primeroSubtype ?? '').trim();
    if (subtype === '') return NOT_SPECIFIED_SERVICE;
    const names = new Set((rowsBySubtype.get(subtype) ?? []).map((row) => row.oscarName));
    const [only] = names;
    if (only === undefined) {
      throw new MappingError(
        `Primero service subtype ${JSON.stringify(subtype)} is not in the service table: add a row for it to ${file}`,
      );
    }
    if (names.size > 1) {
      throw new MappingError(
        `Primero service subtype ${JSON.stringify(subtype)} maps to ${names.size} OSCaR names ` +
          `(${[...names].join(', ')}): keep one row for it in ${file}`,
      );
    }
    return only;
  }

  return { primeroServiceFor, oscarServiceNameFor };
}

// Identical rows are harmless here (check-mappings reports them); collapse them before deciding.
function distinctPairs(rows: readonly ServiceTableRow[]): ServiceTableRow[] {
  const seen = new Map<string, ServiceTableRow>();
  for (const row of rows) {
    const key = `${row.primeroSubtype}\u0000${row.primeroType}`;
    const previous = seen.get(key);
    seen.set(key, previous?.preferredForOscar ? previous : row);
  }
  return [...seen.values()];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}
