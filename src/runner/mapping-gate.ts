// The mapping tables are checked before every run (CLI, timer, console): a table that does not load
// or needs attention refuses the run with check-mappings' own list, instead of crashing the
// process when the jobs import it, or syncing with a table the administrator has not finished.
import { whereOf } from '../mapping/check.ts';
import { inspectMappingTables, shippedMappingDir } from '../mapping/load.ts';
import { recordRefusal } from './run-once.ts';
import type { Runner } from './run-once.ts';

/** What is wrong with the tables in `dir` (default: the ones the jobs run with), one line per
 * problem with file and line; an empty list when they are fine. */
export function mappingTableProblems(dir: string = shippedMappingDir()): string[] {
  const report = inspectMappingTables(dir);
  return report.findings
    .filter((finding) => finding.severity === 'needs-attention')
    .map((finding) => `[${whereOf(finding, report.files)}] ${finding.message}`);
}

/** The refusal an administrator reads: every problem, then what to do. */
export function mappingRefusal(problems: string[]): string {
  return [
    `The mapping tables need attention (${problems.length} problem(s)); nothing was run:`,
    ...problems.map((problem) => `  - ${problem}`),
    'Fix them (src/mapping/README.md), check with `npx interop check-mappings`, then run again.',
  ].join('\n');
}

/** The notice of commands that keep working with broken tables (status, history, logs). */
export function mappingNotice(problems: string[]): string {
  return (
    `Note: the mapping tables need attention (${problems.length} problem(s)); runs are refused ` +
    'until they are fixed. See `npx interop check-mappings`.'
  );
}

/** Writes the notice (stderr: stdout stays the command's own output, JSON included) when the
 * tables need attention; what the command does is not affected. */
export function noticeBrokenTables(
  write: (line: string) => void = (line) => process.stderr.write(line),
): void {
  const problems = mappingTableProblems();
  if (problems.length > 0) write(`${mappingNotice(problems)}\n`);
}

/** The runner, refusing each run while the tables need attention. Checked per run, so a table
 * edited while the timer or the console is up is caught at the next run. */
export function refusingOnBrokenTables(
  runner: Runner,
  problems: () => string[] = () => mappingTableProblems(),
): Runner {
  return {
    ...runner,
    async runOnce(options) {
      const found = problems();
      if (found.length > 0) {
        const reason = mappingRefusal(found);
        return { status: 'refused', reason, run: recordRefusal(runner.store, options, reason) };
      }
      return runner.runOnce(options);
    },
  };
}
