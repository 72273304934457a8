// What `npx interop check-mappings` decides: every finding an administrator should know about in
// the three tables, judged with the same functions the sync uses.
import { agencyMappingFrom } from './agencies.ts';
import { MappingError } from './errors.ts';
import { PROVINCE_COUNT } from './provinces.ts';
import { serviceMappingFrom } from './services.ts';
import type { MappingFiles, MappingTables, ServiceTableRow } from './tables.ts';

/** `needs-attention` fails the check; `resolved-by-rule` is an ambiguity a declared rule settles;
 * `note` is harmless but worth knowing. */
export type FindingSeverity = 'needs-attention' | 'resolved-by-rule' | 'note';

export type FindingKind =
  | 'duplicate'
  | 'ambiguous-name'
  | 'maps-two-ways'
  | 'round-trip-loss'
  | 'province-without-user'
  | 'unknown-province'
  | 'rule-without-effect'
  | 'missing-file'
  | 'not-json'
  | 'invalid-entry';

export interface MappingFinding {
  table: keyof MappingFiles;
  kind: FindingKind;
  severity: FindingSeverity;
  message: string;
  /** The list entry the finding is about (0-based), when it is about one. */
  entry?: number;
  /** Where in the file (1-based), when the tables were read from files. */
  line?: number;
  column?: number;
}

export interface MappingReport {
  /** True when nothing needs an administrator's attention. */
  ok: boolean;
  files: MappingFiles;
  /** Which tables could be read and validated; the counts of the others are 0. */
  loaded: Record<keyof MappingFiles, boolean>;
  counts: {
    serviceRows: number;
    oscarNames: number;
    primeroSubtypes: number;
    provinces: number;
    agencies: number;
  };
  findings: MappingFinding[];
}

export function checkMappings(tables: MappingTables): MappingReport {
  const findings = [...checkServices(tables), ...checkProvinces(tables), ...checkAgencies(tables)];
  return {
    ok: findings.every((finding) => finding.severity !== 'needs-attention'),
    files: tables.files,
    loaded: { services: true, provinces: true, agencies: true },
    counts: {
      serviceRows: tables.services.length,
      oscarNames: new Set(tables.services.map((row) => row.oscarName)).size,
      primeroSubtypes: new Set(tables.services.map((row) => row.primeroSubtype)).size,
      provinces: tables.provinces.length,
      agencies: tables.agencies.length,
    },
    findings,
  };
}

function checkServices(tables: MappingTables): MappingFinding[] {
  const findings: MappingFinding[] = [];
  const add = (
    kind: FindingKind,
    severity: FindingSeverity,
    message: string,
    entry?: number,
  ): void => {
    findings.push({ table: 'services', kind, severity, message, ...entryOf(entry) });
  };
  const firstRowOf = (name: string): number =>
    tables.services.findIndex((row) => row.oscarName === name);
  const mapping = serviceMappingFrom(tables);
  const tryOrReport = <T>(kind: FindingKind, lookup: () => T, entry?: number): T | undefined => {
    try {
      return lookup();
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      add(kind, 'needs-attention', error.message, entry);
      return undefined;
    }
  };

  const pairOf = (r: ServiceTableRow): string => `${r.oscarName} -> ${r.primeroSubtype}`;
  for (const [pair, count] of countBy(tables.services, pairOf)) {
    if (count > 1) {
      const again = tables.services.findLastIndex((row) => pairOf(row) === pair);
      add(
        'duplicate',
        'needs-attention',
        `the row ${pair} appears ${count} times: keep one`,
        again,
      );
    }
  }

  const names = unique(tables.services.map((row) => row.oscarName));
  const subtypes = unique(tables.services.map((row) => row.primeroSubtype));
  const resolvedAmbiguousNames = new Set<string>();

  for (const name of names) {
    const rows = tables.services.filter((row) => row.oscarName === name);
    const rowSubtypes = unique(rows.map((row) => row.primeroSubtype));
    const chosen = tryOrReport(
      'ambiguous-name',
      () => mapping.primeroServiceFor(name),
      firstRowOf(name),
    );
    if (chosen === undefined) continue;
    if (rowSubtypes.length > 1) {
      resolvedAmbiguousNames.add(name);
      const others = rowSubtypes.filter((subtype) => subtype !== chosen.subtype);
      add(
        'ambiguous-name',
        'resolved-by-rule',
        `OSCaR "${name}" maps to ${rowSubtypes.length} Primero subtypes (${rowSubtypes.join(', ')}); ` +
          `OSCaR -> Primero uses ${chosen.subtype} (marked preferredForOscar), so a Primero ` +
          `${others.join(' or ')} row comes back from OSCaR as ${chosen.subtype}`,
      );
    } else if (rows.some((row) => row.preferredForOscar === true)) {
      add(
        'rule-without-effect',
        'note',
        `OSCaR "${name}" has only one subtype, so its "preferredForOscar" mark changes nothing`,
      );
    }
    // OSCaR -> Primero -> OSCaR must give the name back.
    const back = tryOrReport('maps-two-ways', () => mapping.oscarServiceNameFor(chosen.subtype));
    if (back !== undefined && back !== name) {
      add(
        'round-trip-loss',
        'needs-attention',
        `OSCaR "${name}" -> ${chosen.subtype} -> OSCaR "${back}": the name does not survive the round trip`,
        firstRowOf(name),
      );
    }
  }

  for (const subtype of subtypes) {
    const name = tryOrReport(
      'maps-two-ways',
      () => mapping.oscarServiceNameFor(subtype),
      tables.services.findIndex((row) => row.primeroSubtype === subtype),
    );
    if (name === undefined || resolvedAmbiguousNames.has(name)) continue;
    // Primero -> OSCaR -> Primero must give the subtype and its type back.
    const back = withoutReport(() => mapping.primeroServiceFor(name));
    if (back === undefined) continue; // already reported with the name above
    const types = unique(
      tables.services.filter((row) => row.primeroSubtype === subtype).map((row) => row.primeroType),
    );
    if (back.subtype !== subtype || !types.includes(back.type)) {
      add(
        'round-trip-loss',
        'needs-attention',
        `Primero ${subtype} -> OSCaR "${name}" -> Primero ${back.subtype} (${back.type}): the subtype does not survive the round trip`,
      );
    }
  }
  // A subtype on two names is met from both names and from the subtype: say it once.
  return findings.filter(
    (finding, index) => findings.findIndex((other) => other.message === finding.message) === index,
  );
}

function checkProvinces(tables: MappingTables): MappingFinding[] {
  const findings: MappingFinding[] = [];
  const add = (kind: FindingKind, message: string, entry?: number): void => {
    findings.push({
      table: 'provinces',
      kind,
      severity: 'needs-attention',
      message,
      ...entryOf(entry),
    });
  };
  for (const [code, count] of countBy(tables.provinces, (row) => row.code)) {
    if (count > 1) {
      const users = tables.provinces
        .filter((row) => row.code === code)
        .map((row) => row.user ?? 'no user');
      add(
        'duplicate',
        `province ${code} has ${count} rows (${users.join(', ')}): keep one`,
        tables.provinces.findLastIndex((row) => row.code === code),
      );
    }
  }
  tables.provinces.forEach((row, index) => {
    const value = Number(row.code);
    if (value < 1 || value > PROVINCE_COUNT) {
      add(
        'unknown-province',
        `code ${row.code} (${row.province}) is not a Cambodian province code (01 to ${PROVINCE_COUNT}): correct the code or remove the row`,
        index,
      );
    }
  });
  for (let value = 1; value <= PROVINCE_COUNT; value += 1) {
    const code = String(value).padStart(2, '0');
    const rows = tables.provinces.filter((row) => row.code === code);
    if (rows.length === 0)
      add(
        'province-without-user',
        `province ${code} has no row, so its referred children have no owner: add its row`,
      );
    else if (rows.every((row) => row.user === null)) {
      add(
        'province-without-user',
        `province ${code} (${rows[0]?.province}) has no user, so its referred children have no owner: fill in its Primero user`,
        tables.provinces.findIndex((row) => row.code === code),
      );
    }
  }
  const withUser = tables.provinces.filter((row) => row.user !== null);
  for (const [user, count] of countBy(withUser, (row) => row.user ?? '')) {
    if (count > 1) {
      const codes = withUser.filter((row) => row.user === user).map((row) => row.code);
      add(
        'maps-two-ways',
        `user ${user} is the province user of ${count} provinces (${unique(codes).join(', ')}): each province has its own manager`,
        tables.provinces.findLastIndex((row) => row.user === user),
      );
    }
  }
  return findings;
}

function checkAgencies(tables: MappingTables): MappingFinding[] {
  const { agencyUserForOrg } = agencyMappingFrom(tables);
  const findings: MappingFinding[] = [];
  for (const [org, count] of countBy(tables.agencies, (org) => org)) {
    if (count > 1) {
      findings.push({
        table: 'agencies',
        kind: 'duplicate',
        severity: 'needs-attention',
        message: `organisation ${org} is listed ${count} times (user ${agencyUserForOrg(org)}): keep one`,
        ...entryOf(tables.agencies.lastIndexOf(org)),
      });
    }
  }
  return findings;
}

const SEVERITY_HEADINGS: Record<FindingSeverity, string> = {
  'needs-attention': "Needs an administrator's attention",
  'resolved-by-rule': 'Ambiguous, resolved by rule',
  note: 'Notes',
};

/** The report as the command prints it. */
export function formatMappingReport(report: MappingReport): string {
  const { files, counts, loaded } = report;
  const table = (name: keyof MappingFiles, what: string): string =>
    `  ${files[name]}: ${loaded[name] ? what : 'does not load (see below)'}`;
  const lines = [
    'Mapping tables',
    table(
      'services',
      `${counts.serviceRows} rows, ${counts.oscarNames} OSCaR names, ${counts.primeroSubtypes} Primero subtypes`,
    ),
    table('provinces', `${counts.provinces} provinces`),
    table('agencies', `${counts.agencies} organisations`),
  ];
  for (const severity of ['needs-attention', 'resolved-by-rule', 'note'] as const) {
    const found = report.findings.filter((finding) => finding.severity === severity);
    if (found.length === 0 && severity !== 'needs-attention') continue;
    lines.push('', `${SEVERITY_HEADINGS[severity]} (${found.length}):`);
    if (found.length === 0) lines.push('  none');
    for (const finding of found) lines.push(`  - [${whereOf(finding, files)}] ${finding.message}`);
  }
  const attention = report.findings.filter((f) => f.severity === 'needs-attention').length;
  lines.push(
    '',
    report.ok
      ? 'OK: the tables are consistent and every ambiguity is resolved by a declared rule.'
      : `FAILED: ${attention} finding(s) need attention. Edit the files named above (see src/mapping/README.md) and run \`npx interop check-mappings\` again.`,
  );
  return `${lines.join('\n')}\n`;
}

/** `file:line:column` as editors and terminals link it; the file alone when no line is known. */
export function whereOf(finding: MappingFinding, files: MappingFiles): string {
  const file = files[finding.table];
  if (finding.line === undefined) return file;
  return finding.column === undefined
    ? `${file}:${finding.line}`
    : `${file}:${finding.line}:${finding.column}`;
}

function entryOf(entry: number | undefined): { entry?: number } {
  return entry === undefined || entry < 0 ? {} : { entry };
}

function withoutReport<T>(lookup: () => T): T | undefined {
  try {
    return lookup();
  } catch (error) {
    if (error instanceof MappingError) return undefined;
    throw error;
  }
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
