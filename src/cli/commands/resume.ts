// `npx interop resume <system>`: scheduled runs sign in to that system again after they stopped
// on repeated refusals (src/runner/sign-in-brake.ts). For when the password was fixed on the
// system's side rather than here, or `check` cannot be run.
import type { Command } from 'commander';
import { loadRunnerConfig } from '../../runner/environment.ts';
import { BRAKE_SYSTEMS, resumeSignIn } from '../../runner/sign-in-brake.ts';
import type { BrakeSystem } from '../../runner/sign-in-brake.ts';
import { openStore } from '../../runner/store.ts';

export function register(program: Command): void {
  program
    .command('resume')
    .argument('<system>', `${BRAKE_SYSTEMS.join(' or ')}`)
    .description(
      'Let scheduled runs sign in to a system again after they stopped on repeated refused sign-ins',
    )
    .action((system: string) => {
      if (!(BRAKE_SYSTEMS as readonly string[]).includes(system)) {
        process.stderr.write(`Unknown system "${system}": give ${BRAKE_SYSTEMS.join(' or ')}.\n`);
        process.exitCode = 1;
        return;
      }
      const store = openStore(loadRunnerConfig().home);
      try {
        const wasPaused = resumeSignIn(store, system as BrakeSystem);
        process.stdout.write(
          wasPaused
            ? `Scheduled runs sign in to ${system} again from the next tick.\n`
            : `Scheduled runs were not paused for ${system}; its refusal count is reset.\n`,
        );
      } finally {
        store.close();
      }
    });
}
