// Reads the tables from disk for the CLI (check-mappings, and the check before every run). Kept out
// of index.ts on purpose: the jobs bundle the shipped JSON and must not import node:fs on
// OpenFn.org. Nothing here throws on a broken table: every problem of every file becomes a finding
// with its file and line, so an administrator fixes them all in one go.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkMappings, whereOf, type MappingFinding, type MappingReport } from './check.ts';
import { MappingError } from './errors.ts';
import { readJsonSource } from './json-source.ts';
import {
  MAPPING_FILE_NAMES,
  tableIssues,
  type MappingFiles,
  type MappingTables,
} from './tables.ts';

/** Environment variable naming a folder of tables to check instead of the shipped ones. */
export const MAPPING_DIR_ENV = 'INTEROP_MAPPING_DIR';

const TABLES = ['services', 'provinces', 'agencies'] as const satisfies ReadonlyArray<
  keyof MappingFiles
>;

/** The folder holding the shipped services.json, provinces.json and agencies.json. */
export function shippedMappingDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

interface ReadTable {
  rows?: unknown[];
  findings: MappingFinding[];
  entryLines: number[];
}

/** Every problem of the three tables of `dir`: missing files, JSON syntax, invalid entries and what
 * `checkMappings` finds in the tables that load; findings carry file lines where known. */
export function inspectMappingTables(dir: string): MappingReport {
  const files: MappingFiles = {
    services: shown(join(dir, MAPPING_FILE_NAMES.services)),
    provinces: shown(join(dir, MAPPING_FILE_NAMES.provinces)),
    agencies: shown(join(dir, MAPPING_FILE_NAMES.agencies)),
  };
  const read = {
    services: readTable('services', join(dir, MAPPING_FILE_NAMES.services)),
    provinces: readTable('provinces', join(dir, MAPPING_FILE_NAMES.provinces)),
    agencies: readTable('agencies', join(dir, MAPPING_FILE_NAMES.agencies)),
  };
  // A table that does not load is checked as empty; what that would report about it is dropped.
  const tables = {
    services: read.services.rows ?? [],
    provinces: read.provinces.rows ?? [],
    agencies: read.agencies.rows ?? [],
    files,
  } as MappingTables;
  const loaded = {
    services: read.services.rows !== undefined,
    provinces: read.provinces.rows !== undefined,
    agencies: read.agencies.rows !== undefined,
  };
  const checked = checkMappings(tables);
  const findings = [
    ...TABLES.flatMap((table) => read[table].findings),
    ...checked.findings
      .filter((finding) => loaded[finding.table])
      .map((finding) => withLine(finding, read[finding.table].entryLines)),
  ].sort(
    (a, b) => TABLES.indexOf(a.table) - TABLES.indexOf(b.table) || (a.line ?? 0) - (b.line ?? 0),
  );
  return {
    ...checked,
    ok: findings.every((finding) => finding.severity !== 'needs-attention'),
    loaded,
    findings,
  };
}

/** Load and validate the three tables of `dir`; throws MappingError listing every problem. */
export function loadMappingTables(dir: string): MappingTables {
  const report = inspectMappingTables(dir);
  const broken = report.findings.filter(
    (finding) => !report.loaded[finding.table] && finding.severity === 'needs-attention',
  );
  if (broken.length > 0) {
    throw new MappingError(
      broken.map((finding) => `${whereOf(finding, report.files)}: ${finding.message}`).join('\n'),
    );
  }
  const read = (table: keyof MappingFiles): unknown =>
    readJsonSource(readFileSync(join(dir, MAPPING_FILE_NAMES[table]), 'utf8')).value;
  return {
    services: read('services'),
    provinces: read('provinces'),
    agencies: read('agencies'),
    files: report.files,
  } as MappingTables;
}

function readTable(table: keyof MappingFiles, path: string): ReadTable {
  const problem = (kind: MappingFinding['kind'], message: string, at = {}): MappingFinding => ({
    table,
    kind,
    severity: 'needs-attention',
    message,
    ...at,
  });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    const message = `the file ${reason}: every mapping folder needs services.json, provinces.json and agencies.json`;
    return { findings: [problem('missing-file', message)], entryLines: [] };
  }
  const source = readJsonSource(text);
  const syntax = source.syntaxErrors.map((error) =>
    problem('not-json', `not valid JSON: ${error.message}`, {
      line: error.line,
      column: error.column,
    }),
  );
  // With a syntax error, the entries the parser could still read are checked as well.
  const issues = tableIssues(table, syntax.length > 0 ? source.recovered : source.value).map(
    (issue) =>
      withLine(problem('invalid-entry', issue.message, entryAt(issue.entry)), source.entryLines),
  );
  if (syntax.length > 0 || issues.length > 0) {
    return { findings: [...syntax, ...issues], entryLines: source.entryLines };
  }
  return { rows: source.value as unknown[], findings: [], entryLines: source.entryLines };
}

function entryAt(entry: number | undefined): { entry?: number } {
  return entry === undefined ? {} : { entry };
}

function withLine(finding: MappingFinding, entryLines: number[]): MappingFinding {
  const line = finding.entry === undefined ? undefined : entryLines[finding.entry];
  return line === undefined ? finding : { ...finding, line };
}

// Paths relative to the working directory read best in a terminal; others stay absolute.
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere !== '' && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path;
}
