// What `npx interop check-mappings` decides: every finding an administrator should know about in
// the three tables, judged with the same functions the sync uses.
import { agencyMappingFrom } from './agencies.ts';
import { MappingError } from './errors.ts';
import { PROVINCE_COUNT } from './provinces.ts';
import { serviceMappingFrom } from './services.ts';
import type { MappingFiles, MappingTables } from './tables.ts';

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
  | 'rule-without-effect';

export interface MappingFinding {
  table: keyof MappingFiles;
  kind: FindingKind;
  severity: FindingSeverity;
  message: string;
}

export interface MappingReport {
  /** True when nothing needs an administrator's attention. */
  ok: boolean;
  files: MappingFiles;
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
  const add = (kind: FindingKind, severity: FindingSeverity, message: string): void => {
    findings.push({ table: 'services', kind, severity, message });
  };
  const mapping = serviceMappingFrom(tables);
  const tryOrReport = <T>(kind: FindingKind, lookup: () => T): T | undefined => {
    try {
      return lookup();
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      add(kind, 'needs-attention', error.message);
      return undefined;
    }
  };

  for (const [pair, count] of countBy(
    tables.services,
    (r) => `${r.oscarName} -> ${r.primeroSubtype}`,
  )) {
    if (count > 1) {
      add('duplicate', 'needs-attention', `the row ${pair} appears ${count} times: keep one`);
    }
  }

  const names = unique(tables.services.map((row) => row.oscarName));
  const subtypes = unique(tables.services.map((row) => row.primeroSubtype));
  const resolvedAmbiguousNames = new Set<string>();

  for (const name of names) {
    const rows = tables.services.filter((row) => row.oscarName === name);
    const rowSubtypes = unique(rows.map((row) => row.primeroSubtype));
    const chosen = tryOrReport('ambiguous-name', () => mapping.primeroServiceFor(name));
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
      );
    }
  }

  for (const subtype of subtypes) {
    const name = tryOrReport('maps-two-ways', () => mapping.oscarServiceNameFor(subtype));
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
  const add = (kind: FindingKind, message: string): void => {
    findings.push({ table: 'provinces', kind, severity: 'needs-attention', message });
  };
  for (const [code, count] of countBy(tables.provinces, (row) => row.code)) {
    if (count > 1) {
      const users = tables.provinces
        .filter((row) => row.code === code)
        .map((row) => row.user ?? 'no user');
      add('duplicate', `province ${code} has ${count} rows (${users.join(', ')}): keep one`);
    }
  }
  for (const row of tables.provinces) {
    const value = Number(row.code);
    if (value < 1 || value > PROVINCE_COUNT) {
      add(
        'unknown-province',
        `code ${row.code} (${row.province}) is not a Cambodian province code (01 to ${PROVINCE_COUNT})`,
      );
    }
  }
  for (let value = 1; value <= PROVINCE_COUNT; value += 1) {
    const code = String(value).padStart(2, '0');
    const rows = tables.provinces.filter((row) => row.code === code);
    if (rows.length === 0)
      add(
        'province-without-user',
        `province ${code} has no row, so its referred children have no owner`,
      );
    else if (rows.every((row) => row.user === null)) {
      add(
        'province-without-user',
        `province ${code} (${rows[0]?.province}) has no user, so its referred children have no owner`,
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
  const { files, counts } = report;
  const lines = [
    'Mapping tables',
    `  ${files.services}: ${counts.serviceRows} rows, ${counts.oscarNames} OSCaR names, ${counts.primeroSubtypes} Primero subtypes`,
    `  ${files.provinces}: ${counts.provinces} provinces`,
    `  ${files.agencies}: ${counts.agencies} organisations`,
  ];
  for (const severity of ['needs-attention', 'resolved-by-rule', 'note'] as const) {
    const found = report.findings.filter((finding) => finding.severity === severity);
    if (found.length === 0 && severity !== 'needs-attention') continue;
    lines.push('', `${SEVERITY_HEADINGS[severity]} (${found.length}):`);
    if (found.length === 0) lines.push('  none');
    for (const finding of found) lines.push(`  - [${files[finding.table]}] ${finding.message}`);
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
