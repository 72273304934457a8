import type { Command } from 'commander';

/** A command's module: `register(program)` defines it (options, arguments, action). */
export interface CommandModule {
  register(program: Command): void;
}

/**
 * Every command, with the description `interop --help` lists. A command's module (and all it
 * imports: the runtime, fastify, the store) loads only when that command runs, so `--help` and the
 * light commands do not pay for the others (docs/performance.md, "Start-up"). Add a command by
 * adding its module here; test/cli/lazy-commands.test.ts checks each description against its module.
 */
export interface CommandEntry {
  name: string;
  /** Its options and arguments as the overview shows them (commander's form: `[options] <id>`). */
  usage: string;
  description: string;
  load(): Promise<CommandModule>;
}

export const commands: CommandEntry[] = [
  {
    name: 'check-mappings',
    usage: '[options]',
    description:
      'Check the mapping tables (services, provinces, agencies): duplicates, names that map two ways, round-trip losses, provinces without a user',
    load: () => import('./check-mappings.ts'),
  },
  {
    name: 'build-openfn',
    usage: '[options]',
    description:
      'Build the OpenFn.org deployment: one self-contained body per job, project.yaml and config.json',
    load: () => import('./build-openfn.ts'),
  },
  {
    name: 'serve',
    usage: '[options]',
    description:
      'Serve the admin console (overview, run now, dry run, backfill, run history, dead letters) and ' +
      'run the hourly timer in the same process. Sign in with INTEROP_ADMIN_PASSWORD, or with the ' +
      'token printed at start when it is not set. Stop with Ctrl-C (waits for a run in progress).',
    load: () => import('./serve.ts'),
  },
  {
    name: 'run',
    usage: '[options]',
    description:
      'Run the workflow once against PRIMERO_* and OSCAR_* (env or .env), from the stored cursor; ' +
      'exits 0 on success, 1 when the run failed, 2 when it was refused (another run in progress, or ' +
      'mapping tables that need attention: see check-mappings)',
    load: () => import('./run.ts'),
  },
  {
    name: 'schedule',
    usage: '[options]',
    description:
      'Stay up and run the workflow on a timer (default every hour at minute 00); a tick that comes ' +
      'while a run is in progress is skipped. Stop with Ctrl-C (waits for a run in progress).',
    load: () => import('./schedule.ts'),
  },
  {
    name: 'status',
    usage: '[options]',
    description:
      'Show cursors, the last runs with outcomes and counts, dead letters and the next scheduled run',
    load: () => import('./status.ts'),
  },
  {
    name: 'history',
    usage: '[options]',
    description: 'List past runs (most recent first) with trigger, outcome, duration and counts',
    load: () => import('./history.ts'),
  },
  {
    name: 'logs',
    usage: '[options] <run-id>',
    description:
      'Print the log lines of a run (its id or a unique prefix of 6+ characters, from `history`)',
    load: () => import('./logs.ts'),
  },
  {
    name: 'retry',
    usage: '[options] <id>',
    description:
      'Re-run what failed: a dead letter goes back into the retry list with attempts reset, or the ' +
      'failed items of a run are queued again; then a run happens',
    load: () => import('./retry.ts'),
  },
  {
    name: 'trace',
    usage: '[options] <id>',
    description:
      "Where is this child's referral? Every run that touched the child: time, step, kind of item, " +
      'outcome, reason and the ids on each side',
    load: () => import('./trace.ts'),
  },
  {
    name: 'check',
    usage: '',
    description:
      'Validate the configuration (env or .env) and sign in to Primero and OSCaR, one line per problem',
    load: () => import('./check.ts'),
  },
  {
    name: 'resume',
    usage: '<system>',
    description:
      'Let scheduled runs sign in to a system again after they stopped on repeated refused sign-ins',
    load: () => import('./resume.ts'),
  },
  {
    name: 'start',
    usage: '[options]',
    description:
      'Without PRIMERO_*/OSCAR_* set: start both emulators with the demo seed, run the whole sync once ' +
      'and print the summary (a demo store under INTEROP_HOME/demo). With them set: run once against them.',
    load: () => import('./start.ts'),
  },
  {
    name: 'emulators',
    usage: '[options]',
    description:
      'start the Primero and OSCaR emulators on loopback with a seed (Ctrl-C stops them)',
    load: () => import('./emulators.ts'),
  },
];

/**
 * The command `args` (process.argv without node and the script) asks for: the first word that is
 * not an option, or for `help <command>` the word after it. Undefined for `--help` or no command.
 */
export function requestedCommand(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}
