// `npx interop retry <run-id|dead-letter-id>`: re-run what failed.
import type { Command } from 'commander';
import {
  buildRunner,
  loadRunWorkflow,
  loadRunnerConfig,
  runAndReport,
} from '../../runner/environment.ts';
import type { RetryTarget } from '../../runner/run-once.ts';
import { openStore } from '../../runner/store.ts';
import type { Store } from '../../runner/store.ts';

/** A dead letter (its `dl-…` id or full key) or a run (its id or a unique prefix). */
export function retryTargetOf(store: Store, id: string): RetryTarget {
  if (store.getDeadLetter(id)) return { deadLetterId: id };
  const run = store.getRun(id);
  if (run) return { runId: run.id };
  throw new Error(
    `No dead letter or run ${id}: dead letters are listed by \`npx interop status\`, runs by \`npx interop history\`.`,
  );
}

export function register(program: Command): void {
  program
    .command('retry')
    .description(
      'Re-run what failed: a dead letter goes back into the retry list with attempts reset, or the ' +
        'failed items of a run are queued again; then a run happens',
    )
    .argument('<id>', 'a dead-letter id (dl-…) or a run id')
    .option('--json', 'print the summary as JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const config = loadRunnerConfig();
      const store = openStore(config.home);
      try {
        const retry = retryTargetOf(store, id);
        const runner = buildRunner({ store, config, runWorkflow: await loadRunWorkflow() });
        process.exitCode = await runAndReport(
          runner,
          { trigger: 'retry', retry },
          { json: flags.json ?? false },
        );
      } finally {
        store.close();
      }
    });
}
