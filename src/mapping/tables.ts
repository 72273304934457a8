// The three tables an administrator edits, validated once at load. Everything else in this folder
// derives its answers from these rows; no mapping fact is written anywhere else.
// zod/mini keeps the OpenFn job bundles small (src/validation.ts gives it English messages).
import * as z from 'zod/mini';
import '../validation.ts';
import { AGENCY_PREFIX } from './agency-naming.ts';
import { MappingError } from './errors.ts';

/** One OSCaR service name and the Primero service it stands for. */
export interface ServicePair {
  oscarName: string;
  primeroSubtype: string;
  primeroType: string;
}

/** A row of services.json (not a Primero `services_section` row: that is model/primero.ts ServiceRow).
 * `preferredForOscar` picks the subtype an OSCaR name maps to when the
 * name appears on more than one row (the documented rule for ambiguous names). */
export interface ServiceTableRow extends ServicePair {
  preferredForOscar?: boolean;
}

/** A row of provinces.json. `user: null` records a province whose manager account is not known yet. */
export interface ProvinceRow {
  code: string;
  province: string;
  user: string | null;
}

/** Where each table came from, as shown to the administrator in error messages. */
export interface MappingFiles {
  services: string;
  provinces: string;
  agencies: string;
}

export interface MappingTables {
  services: readonly ServiceTableRow[];
  provinces: readonly ProvinceRow[];
  /** OSCaR organisation short names (tenant names) that have an `agency-<org>-user` in Primero. */
  agencies: readonly string[];
  files: MappingFiles;
}

export const MAPPING_FILE_NAMES: MappingFiles = {
  services: 'services.json',
  provinces: 'provinces.json',
  agencies: 'agencies.json',
};

export const SHIPPED_MAPPING_DIR = 'src/mapping';

const trimmedText = z.string().check(
  z.minLength(1, 'must not be empty'),
  z.refine((text: string) => text === text.trim(), 'must not start or end with spaces'),
);
// Primero lookup ids; `disability_support_respite-care` shows hyphens occur and must be kept.
const primeroId = z
  .string()
  .check(z.regex(/^[a-z0-9_-]+$/, 'must be a Primero lookup id (a-z, 0-9, _ or -)'));

const servicesSchema = z.array(
  z.strictObject({
    oscarName: trimmedText,
    primeroSubtype: primeroId,
    primeroType: primeroId,
    preferredForOscar: z.optional(z.boolean()),
  }),
);

const provincesSchema = z.array(
  z.strictObject({
    code: z.string().check(z.regex(/^\d{2}$/, 'must be the 2-digit province code, e.g. "07"')),
    province: trimmedText,
    user: z.nullable(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'must be a Primero user name'))),
  }),
);

const agenciesSchema = z.array(
  z.string().check(
    z.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be an OSCaR organisation short name (lower case)'),
    // Name the organisation the administrator meant: "agency-newngo" -> list "newngo".
    z.refine((org: string) => !org.startsWith(AGENCY_PREFIX), {
      error: (issue) => {
        const agency = String(issue.input);
        return `${JSON.stringify(agency)} is a Primero agency: list the OSCaR organisation ${JSON.stringify(agency.slice(AGENCY_PREFIX.length))} instead`;
      },
    }),
  ),
);

const SCHEMAS: { [table in keyof MappingFiles]: z.ZodMiniType } = {
  services: servicesSchema,
  provinces: provincesSchema,
  agencies: agenciesSchema,
};

/** One thing wrong with a table's content: the entry (0-based, absent for the whole file) and why. */
export interface TableIssue {
  entry?: number;
  message: string;
}

/** Every problem of one table's content (all entries, not just the first), each naming the entry
 * and the field; an empty list when the table is valid. */
export function tableIssues(table: keyof MappingFiles, value: unknown): TableIssue[] {
  const result = SCHEMAS[table].safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const [index, ...field] = issue.path;
    if (typeof index !== 'number')
      return { message: `the file must hold a JSON list: ${issue.message}` };
    const where = `entry ${index + 1}${describeEntry(value, index)}`;
    return {
      entry: index,
      message:
        field.length > 0
          ? `${where}, field "${field.join('.')}": ${issue.message}`
          : `${where}: ${issue.message}`,
    };
  });
}

export interface RawTables {
  services: unknown;
  provinces: unknown;
  agencies: unknown;
}

/** Validate raw JSON values; throws MappingError naming the file, the entry and the field. */
export function parseMappingTables(raw: RawTables, files: MappingFiles): MappingTables {
  return {
    services: parseTable('services', raw.services, files.services) as ServiceTableRow[],
    provinces: parseTable('provinces', raw.provinces, files.provinces) as ProvinceRow[],
    agencies: parseTable('agencies', raw.agencies, files.agencies) as string[],
    files,
  };
}

function parseTable(table: keyof MappingFiles, value: unknown, file: string): unknown {
  const issues = tableIssues(table, value);
  if (issues.length === 0) return value;
  const problems = issues.slice(0, 5).map((issue) => issue.message);
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  throw new MappingError(
    `${file} is not valid: ${problems.join('; ')}${more}. Fix it and run \`npx interop check-mappings\`.`,
  );
}

// Helps the administrator find the entry: services by name, provinces by code (never personal data).
function describeEntry(table: unknown, index: number): string {
  const entry: unknown = Array.isArray(table) ? table[index] : undefined;
  if (entry === null || typeof entry !== 'object') return '';
  const label =
    (entry as Record<string, unknown>).oscarName ?? (entry as Record<string, unknown>).code;
  return typeof label === 'string' ? ` (${JSON.stringify(label)})` : '';
}
