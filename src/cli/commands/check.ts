// `npx interop check`: configuration valid, both systems reachable, both sign-ins accepted.
import { getHeapStatistics } from 'node:v8';
import type { Command } from 'commander';
import { ConfigError, readConfig, requireSystems } from '../../config/env.ts';
import { loadDotEnv } from '../../config/env.ts';
import { checkSystems } from '../../runner/check.ts';
import { mappingTableProblems } from '../../runner/mapping-gate.ts';
import { resumeAfterCheck } from '../../runner/sign-in-brake.ts';
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
      // The tables every run is checked against (a run refuses while they need attention).
      const tableProblems = mappingTableProblems();
      for (const problem of tableProblems)
        process.stdout.write(`FAIL mapping tables: ${problem}\n`);
      if (tableProblems.length === 0) process.stdout.write('ok   mapping tables\n');
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
      const store = openStore(home);
      const resumed = (() => {
        try {
          return resumeAfterCheck(store, results);
        } finally {
          store.close();
        }
      })();
      for (const line of resumed) process.stdout.write(`${line}\n`);
      process.exitCode = results.every((result) => result.ok) && tableProblems.length === 0 ? 0 : 1;
    });
}
