// `npx interop status`: cursors, the last runs, dead letters, what is running and what is next.
import type { Command } from 'commander';
import { loadRunnerConfig, statusView } from '../../runner/environment.ts';
import { formatStatus } from '../../runner/report.ts';
import { mappingTableProblems, noticeBrokenTables } from '../../runner/mapping-gate.ts';
import { openStore } from '../../runner/store.ts';

export function register(program: Command): void {
  program
    .command('status')
    .description(
      'Show cursors, the last runs with outcomes and counts, dead letters and the next scheduled run',
    )
    .option('--json', 'print as JSON')
    .action((flags: { json?: boolean }) => {
      const config = loadRunnerConfig();
      const store = openStore(config.home);
      try {
        const view = statusView(store, config.cron, mappingTableProblems().length);
        process.stdout.write(
          `${flags.json ? JSON.stringify(view, null, 2) : formatStatus(view)}\n`,
        );
      } finally {
        store.close();
      }
      noticeBrokenTables();
    });
}
