// `npx interop logs <run-id>`: the log lines of one run (ids, counts and reasons only).
import type { Command } from 'commander';
import { loadRunnerConfig } from '../../runner/environment.ts';
import { formatLogs } from '../../runner/report.ts';
import { noticeBrokenTables } from '../../runner/mapping-gate.ts';
import { openStore } from '../../runner/store.ts';

export function register(program: Command): void {
  program
    .command('logs')
    .description(
      'Print the log lines of a run (its id or a unique prefix of 6+ characters, from `history`)',
    )
    .argument('<run-id>', 'the run')
    .option('--json', 'print as JSON')
    .action((runId: string, flags: { json?: boolean }) => {
      const store = openStore(loadRunnerConfig().home);
      try {
        const run = store.getRun(runId);
        if (!run) throw new Error(`No run ${runId}: list runs with \`npx interop history\`.`);
        const lines = store.getRunLogs(run.id);
        const failed = store.getRunFailedItems(run.id);
        process.stdout.write(
          `${flags.json ? JSON.stringify({ run, failed, log: lines }, null, 2) : formatLogs(run, lines)}\n`,
        );
      } finally {
        store.close();
      }
      noticeBrokenTables();
    });
}
