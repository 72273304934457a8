// `npx interop trace <id>`: every run that touched a child, from the store's per-item history.
import type { Command } from 'commander';
import { loadRunnerConfig } from '../../runner/environment.ts';
import { openStore } from '../../runner/store.ts';
import { formatTrace, traceChild } from '../../runner/trace.ts';

export function register(program: Command): void {
  program
    .command('trace')
    .description(
      "Where is this child's referral? Every run that touched the child: time, step, kind of item, " +
        'outcome, reason and the ids on each side',
    )
    .argument('<id>', 'a Primero case id, an OSCaR global id or a referral id')
    .option('--json', 'print as JSON')
    .action((id: string, flags: { json?: boolean }) => {
      const store = openStore(loadRunnerConfig().home);
      try {
        const result = traceChild(store, id);
        process.stdout.write(
          `${flags.json ? JSON.stringify(result, null, 2) : formatTrace(result)}\n`,
        );
      } finally {
        store.close();
      }
    });
}
