// `npx interop history`: past runs, most recent first.
import type { Command } from 'commander';
import { loadRunnerConfig } from '../../runner/environment.ts';
import { formatHistory } from '../../runner/report.ts';
import { noticeBrokenTables } from '../../runner/mapping-gate.ts';
import { openStore } from '../../runner/store.ts';

export function register(program: Command): void {
  program
    .command('history')
    .description('List past runs (most recent first) with trigger, outcome, duration and counts')
    .option('--limit <n>', 'how many runs', '20')
    .option('--json', 'print as JSON')
    .action((flags: { limit: string; json?: boolean }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`--limit must be a whole number >= 1 (got "${flags.limit}")`);
      const store = openStore(loadRunnerConfig().home);
      try {
        const runs = store.listRuns({ limit });
        process.stdout.write(
          `${flags.json ? JSON.stringify(runs, null, 2) : formatHistory(runs)}\n`,
        );
      } finally {
        store.close();
      }
      noticeBrokenTables();
    });
}
