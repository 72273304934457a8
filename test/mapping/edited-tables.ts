// Copies of the shipped tables with one edit, as an administrator would make it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedTables, type ProvinceRow, type ServiceTableRow } from '../../src/mapping/index.ts';

export interface EditableTables {
  services: ServiceTableRow[];
  provinces: ProvinceRow[];
  agencies: string[];
}

export function editedTables(edit: (tables: EditableTables) => void): EditableTables {
  const tables: EditableTables = structuredClone({
    services: [...shippedTables.services],
    provinces: [...shippedTables.provinces],
    agencies: [...shippedTables.agencies],
  });
  edit(tables);
  return tables;
}

/** Writes the edited tables to a new temporary folder and returns it (the caller removes it). */
export function writeEditedTables(edit: (tables: EditableTables) => void): string {
  const tables = editedTables(edit);
  const dir = mkdtempSync(join(tmpdir(), 'interop-mapping-'));
  writeFileSync(join(dir, 'services.json'), JSON.stringify(tables.services, null, 2));
  writeFileSync(join(dir, 'provinces.json'), JSON.stringify(tables.provinces, null, 2));
  writeFileSync(join(dir, 'agencies.json'), JSON.stringify(tables.agencies, null, 2));
  return dir;
}
