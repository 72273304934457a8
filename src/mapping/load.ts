// Reads the tables from disk for the CLI (check-mappings). Kept out of index.ts on purpose: the
// jobs bundle the shipped JSON and must not import node:fs on OpenFn.org.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MappingError } from './errors.ts';
import {
  MAPPING_FILE_NAMES,
  parseMappingTables,
  type MappingFiles,
  type MappingTables,
} from './tables.ts';

/** Environment variable naming a folder of tables to use instead of the shipped ones. */
export const MAPPING_DIR_ENV = 'INTEROP_MAPPING_DIR';

/** The folder holding the shipped services.json, provinces.json and agencies.json. */
export function shippedMappingDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** Load and validate the three tables of `dir`; throws MappingError naming the file (and row). */
export function loadMappingTables(dir: string): MappingTables {
  const files: MappingFiles = {
    services: shown(join(dir, MAPPING_FILE_NAMES.services)),
    provinces: shown(join(dir, MAPPING_FILE_NAMES.provinces)),
    agencies: shown(join(dir, MAPPING_FILE_NAMES.agencies)),
  };
  return parseMappingTables(
    {
      services: readJson(join(dir, MAPPING_FILE_NAMES.services), files.services),
      provinces: readJson(join(dir, MAPPING_FILE_NAMES.provinces), files.provinces),
      agencies: readJson(join(dir, MAPPING_FILE_NAMES.agencies), files.agencies),
    },
    files,
  );
}

function readJson(path: string, shownAs: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new MappingError(
      `${shownAs} ${reason}: every mapping folder needs services.json, provinces.json and agencies.json`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MappingError(
      `${shownAs} is not valid JSON (${(error as Error).message}): fix it and run \`npx interop check-mappings\``,
    );
  }
}

// Paths relative to the working directory read best in a terminal; others stay absolute.
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere !== '' && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path;
}
