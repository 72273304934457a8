// `npx interop run`: the workflow once, from the stored cursor (or an explicit --since backfill).
import type { Command } from 'commander';
import {
  buildRunner,
  loadRunWorkflow,
  loadRunnerConfig,
  runAndReport,
} from '../../runner/environment.ts';
import { parseSince } from '../../runner/run-once.ts';
import { openStore } from '../../runner/store.ts';

interface RunFlags {
  since?: string;
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export function register(program: Command): void {
  program
    .command('run')
    .description(
      'Run the workflow once against PRIMERO_* and OSCAR_* (env or .env), from the stored cursor; ' +
        'exits 0 on success, 1 when the run failed, 2 when it was refused (another run in progress, or ' +
        'mapping tables that need attention: see check-mappings)',
    )
    .option(
      '--since <date-time>',
      'explicit start (ISO-8601, backfill); never moves the stored cursor backwards',
    )
    .option(
      '--dry-run',
      'fetch and decide, write nothing; print what would be written (ids and actions)',
    )
    .option('--json', 'print the summary as JSON')
    .option('--verbose', "also print the run's log lines on stderr")
    .action(async (flags: RunFlags) => {
      const since = flags.since === undefined ? undefined : parseSince(flags.since);
      const config = loadRunnerConfig();
      const store = openStore(config.home);
      try {
        const runner = buildRunner({
          store,
          config,
          runWorkflow: await loadRunWorkflow(),
          ...(flags.verbose
            ? { echo: (level, message) => process.stderr.write(`${level} ${message}\n`) }
            : {}),
        });
        process.exitCode = await runAndReport(
          runner,
          { trigger: 'manual', ...(since ? { since } : {}), dryRun: flags.dryRun ?? false },
          { json: flags.json ?? false },
        );
      } finally {
        store.close();
      }
    });
}
