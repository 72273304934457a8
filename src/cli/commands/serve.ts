// `npx interop serve`: the admin console next to the hourly timer, in one process, sharing the
// runner's store (so the console sees the timer's runs and the one-run-at-a-time lock holds).
import type { Command } from 'commander';
import { generateSignInToken } from '../../console/auth.ts';
import { runnerBackend } from '../../console/runner-backend.ts';
import { startConsole } from '../../console/server.ts';
import { requireSystems, secretsOf } from '../../config/env.ts';
import { alerterFor, loadRunWorkflow, loadRunnerConfig } from '../../runner/environment.ts';
import { mappingTableProblems, refusingOnBrokenTables } from '../../runner/mapping-gate.ts';
import { createRunner } from '../../runner/run-once.ts';
import { startSchedule, validateCron } from '../../runner/scheduler.ts';
import { openStore } from '../../runner/store.ts';

export const DEFAULT_CONSOLE_PORT = 8080;
const MIN_PASSWORD_LENGTH = 12;

interface ServeFlags {
  port: string;
  host: string;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new Error(`--port must be a whole number from 1 to 65535 (got "${text}")`);
  }
  return port;
}

/**
 * The configured admin password, or a fresh token to print (the console is never left open). A
 * password that is blank or short once its surrounding spaces are trimmed is refused at start: ten
 * spaces are not a secret.
 */
export function adminSecret(env: NodeJS.ProcessEnv): { secret: string; printed: boolean } {
  const configured = env.INTEROP_ADMIN_PASSWORD;
  if (configured === undefined || configured === '')
    return { secret: generateSignInToken(), printed: true };
  const length = configured.trim().length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new Error(
      `INTEROP_ADMIN_PASSWORD is ${length === 0 ? 'blank' : `too short (${length} characters without surrounding spaces)`}: ` +
        `use at least ${MIN_PASSWORD_LENGTH} characters, or unset it to get a random sign-in token printed at start`,
    );
  }
  return { secret: configured, printed: false };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve the admin console (overview, run now, dry run, backfill, run history, dead letters) and ' +
        'run the hourly timer in the same process. Sign in with INTEROP_ADMIN_PASSWORD, or with the ' +
        'token printed at start when it is not set. Stop with Ctrl-C (waits for a run in progress).',
    )
    .option('--port <n>', 'port to listen on', String(DEFAULT_CONSOLE_PORT))
    .option(
      '--host <address>',
      'interface to listen on; anything other than the default 127.0.0.1 exposes the console to the network',
      '127.0.0.1',
    )
    .action(async (flags: ServeFlags) => {
      const port = parsePort(flags.port);
      const config = loadRunnerConfig();
      validateCron(config.cron, 'INTEROP_CRON');
      const systems = requireSystems(config);
      const admin = adminSecret(process.env);
      const say = (line: string) => process.stdout.write(`${line}\n`);

      const store = openStore(config.home);
      const alerts = alerterFor(store, config);
      const syncRunner = createRunner({
        store,
        runWorkflow: await loadRunWorkflow(),
        systems,
        settings: config.settings,
        // The admin secret is cut out of log lines too, should it ever reach one.
        secrets: [...secretsOf(systems, config.alerts), admin.secret],
        ...(alerts ? { alerts } : {}),
        ...(config.historyDays !== undefined ? { historyDays: config.historyDays } : {}),
      });
      // The timer and the console's Run refuse while a mapping table needs attention.
      const runner = refusingOnBrokenTables(syncRunner);
      const schedule = startSchedule({ runner, cron: config.cron, say });
      const running = await startConsole({
        backend: runnerBackend(runner, { mappingProblems: () => mappingTableProblems() }),
        adminSecret: admin.secret,
        usesToken: admin.printed,
        host: flags.host,
        port,
      });

      say(`Console at ${running.url} (store ${store.path}).`);
      if (flags.host !== '127.0.0.1' && flags.host !== 'localhost') {
        say(
          `Listening on ${flags.host}: anyone who can reach this address sees the sign-in page. Put TLS in front of it.`,
        );
      }
      // Printed once to the terminal that started the console, never logged or stored.
      if (admin.printed)
        say(`No INTEROP_ADMIN_PASSWORD set. Sign in with this token: ${admin.secret}`);
      say(
        `Timer "${config.cron}": next run due at ${schedule.nextRun()?.toISOString() ?? '(never)'}`,
      );

      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          say(`${signal}: stopping (a run in progress is allowed to finish)`);
          void Promise.all([running.close(), schedule.stop()]).then(() => resolve());
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      store.close();
    });
}
