// `npx interop history`: past runs, most recent first, filtered and paged like the console's /runs.
import type { Command } from 'commander';
import { loadRunnerConfig } from '../../runner/environment.ts';
import { formatHistory } from '../../runner/report.ts';
import { noticeBrokenTables } from '../../runner/mapping-gate.ts';
import { openStore } from '../../runner/store.ts';
import { historyPage, OUTCOMES, parseHistoryFilter, TRIGGERS } from '../../console/run-history.ts';

interface HistoryFlags {
  limit: string;
  json?: boolean;
  status?: string;
  trigger?: string;
  since?: string;
  until?: string;
  page?: string;
}

export function register(program: Command): void {
  program
    .command('history')
    .description('List past runs (most recent first) with trigger, outcome, duration and counts')
    .option('--limit <n>', 'how many runs per page', '20')
    .option('--status <outcome>', `only runs with this outcome: ${OUTCOMES.join(', ')}`)
    .option('--trigger <trigger>', `only runs started by: ${TRIGGERS.join(', ')}`)
    .option('--since <day>', 'only runs from this day on (YYYY-MM-DD, Cambodia time)')
    .option('--until <day>', 'only runs up to this day (YYYY-MM-DD, Cambodia time)')
    .option('--page <n>', 'which page (1 is the newest)', '1')
    .option('--json', 'print as JSON')
    .action((flags: HistoryFlags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`--limit must be a whole number >= 1 (got "${flags.limit}")`);
      let parsed: ReturnType<typeof parseHistoryFilter>;
      try {
        const { status, trigger, since, until, page } = flags;
        parsed = parseHistoryFilter({ status, trigger, since, until, page });
      } catch (error) {
        throw new Error(`--${(error as Error).message}`);
      }
      const store = openStore(loadRunnerConfig().home);
      try {
        const found = historyPage(store, parsed.filter, parsed.page, limit);
        process.stdout.write(
          `${flags.json ? JSON.stringify(found.runs, null, 2) : formatHistory(found.runs)}\n`,
        );
        // Where this page is goes to stderr: stdout stays one line per run (or one JSON document).
        if (!flags.json && (found.pages > 1 || Object.keys(parsed.filter).length > 0)) {
          const older = found.page < found.pages ? `; older runs: --page ${found.page + 1}` : '';
          process.stderr.write(
            `Page ${found.page} of ${found.pages}, ${found.total} matching run(s)${older}\n`,
          );
        }
      } finally {
        store.close();
      }
      noticeBrokenTables();
    });
}
