// `npx interop schedule`: stays up and runs the workflow on the cron pattern (hourly at minute 00).
import type { Command } from 'commander';
import { createProgressReporter } from '../../runner/progress.ts';
import { buildRunner, loadRunWorkflow, loadRunnerConfig } from '../../runner/environment.ts';
import { startSchedule, validateCron } from '../../runner/scheduler.ts';
import { openStore } from '../../runner/store.ts';

export function register(program: Command): void {
  program
    .command('schedule')
    .description(
      'Stay up and run the workflow on a timer (default every hour at minute 00); a tick that comes ' +
        'while a run is in progress is skipped. Stop with Ctrl-C (waits for a run in progress).',
    )
    .option(
      '--cron <pattern>',
      'cron pattern (5 fields, or 6 with seconds); default INTEROP_CRON or "0 * * * *"',
    )
    .action(async (flags: { cron?: string }) => {
      const config = loadRunnerConfig();
      const cron = flags.cron ?? config.cron;
      validateCron(cron, flags.cron === undefined ? 'INTEROP_CRON' : '--cron');
      const store = openStore(config.home);
      const runner = buildRunner({ store, config, runWorkflow: await loadRunWorkflow() });
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const progress = createProgressReporter(process.stderr);
      const schedule = startSchedule({
        runner,
        cron,
        say,
        runOptions: { onProgress: progress.onProgress },
        onRunFinished: () => progress.finish(),
      });
      say(`Scheduler started (cron "${cron}", store ${store.path}).`);
      say(
        `Next run due at ${schedule.nextRun()?.toISOString() ?? '(never: the pattern has no future time)'}`,
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          say(`${signal}: stopping${schedule.isRunning() ? ' after the run in progress' : ''}`);
          void schedule.stop().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      store.close();
    });
}
