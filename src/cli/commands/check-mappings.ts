// `npx interop check-mappings`: validates the mapping tables an administrator edits and prints
// what needs attention. Exit 0 when clean (ambiguities settled by a declared rule are fine),
// 1 when something needs an administrator. A table that does not load is one more finding (with its
// file and line): every problem of every table is listed in one go, never a crash.
import type { Command } from 'commander';
import { formatMappingReport } from '../../mapping/check.ts';
import { MAPPING_DIR_ENV, inspectMappingTables, shippedMappingDir } from '../../mapping/load.ts';

interface CheckMappingsOptions {
  dir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('check-mappings')
    .description(
      'Check the mapping tables (services, provinces, agencies): duplicates, names that map two ways, round-trip losses, provinces without a user',
    )
    .option(
      '--dir <folder>',
      `folder holding services.json, provinces.json and agencies.json (default: $${MAPPING_DIR_ENV}, else the shipped src/mapping)`,
    )
    .option('--json', 'print the report as JSON')
    .action((options: CheckMappingsOptions) => {
      const dir = options.dir ?? process.env[MAPPING_DIR_ENV] ?? shippedMappingDir();
      const report = inspectMappingTables(dir);
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : formatMappingReport(report),
      );
      process.exitCode = report.ok ? 0 : 1;
    });
}
