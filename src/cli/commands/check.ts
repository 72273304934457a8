// `npx interop check`: configuration valid, both systems reachable, both sign-ins accepted.
import { getHeapStatistics } from 'node:v8';
import type { Command } from 'commander';
import { ConfigError, readConfig, requireSystems } from '../../config/env.ts';
import { loadDotEnv } from '../../config/env.ts';
import { checkSystems } from '../../runner/check.ts';
import type { SystemCheck } from '../../runner/check.ts';
import { resumeSignIn } from '../../runner/sign-in-brake.ts';
import { openStore } from '../../runner/store.ts';
import { setLogSink } from '../../log.ts';

export function register(program: Command): void {
  program
    .command('check')
    .description(
      'Validate the configuration (env or .env) and sign in to Primero and OSCaR, one line per problem',
    )
    .action(async () => {
      loadDotEnv();
      let systems;
      let home: string;
      try {
        const config = readConfig(process.env);
        systems = requireSystems(config);
        home = config.home;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        for (const problem of error.problems)
          process.stdout.write(`FAIL configuration: ${problem}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write('ok   configuration\n');
      // What V8 will let this process hold (bin/node-flags.js, or NODE_OPTIONS when it sets one).
      const heapMb = Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024);
      process.stdout.write(
        `ok   memory: heap limit ${heapMb} MB (raise with NODE_OPTIONS=--max-old-space-size)\n`,
      );
      // The clients' own progress lines are not what a check reports.
      const restore = setLogSink(() => undefined);
      const results = await checkSystems(systems).finally(restore);
      for (const result of results)
        process.stdout.write(
          `${result.ok ? 'ok  ' : 'FAIL'} ${result.system}: ${result.message}\n`,
        );
      for (const line of resumeAccepted(home, results)) process.stdout.write(`${line}\n`);
      process.exitCode = results.every((result) => result.ok) ? 0 : 1;
    });
}

/** A sign-in accepted by hand lifts the schedule's pause on that system (src/runner/sign-in-brake.ts). */
function resumeAccepted(home: string, results: SystemCheck[]): string[] {
  const store = openStore(home);
  try {
    return results
      .filter((result) => result.signedIn)
      .map((result) => result.system.toLowerCase() as 'primero' | 'oscar')
      .filter((system) => resumeSignIn(store, system))
      .map((system) => `ok   ${system}: scheduled runs sign in again`);
  } finally {
    store.close();
  }
}
