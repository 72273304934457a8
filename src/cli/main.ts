// `npx interop <command>`: each command lives in its own file under ./commands. Only the command
// asked for is loaded; `--help` (or no command) lists them all without loading any.
import { Command, Help } from 'commander';
import { commands, requestedCommand } from './commands/index.ts';
import { bundledJobs } from './jobs.ts';
import { useJobSource } from '../workflow/plan.ts';

const program = new Command('interop')
  .description('Primero <-> OSCaR interop: sync, emulators, runner, console and OpenFn.org build')
  .showHelpAfterError();

async function main(): Promise<void> {
  useJobSource(bundledJobs);
  const asked = requestedCommand(process.argv.slice(2));
  const entry = commands.find((command) => command.name === asked);
  if (entry) (await entry.load()).register(program);
  // The overview (and commander's "unknown command" with its suggestion) needs names only.
  else {
    for (const command of commands) program.command(command.name).description(command.description);
    const usage = new Map(commands.map((command) => [command.name, command.usage]));
    program.configureHelp({
      // As commander would show each command once loaded; its own `help` as it is.
      subcommandTerm: (command) => {
        const term = usage.get(command.name());
        if (term === undefined) return new Help().subcommandTerm(command);
        return term ? `${command.name()} ${term}` : command.name();
      },
    });
  }
  await program.parseAsync(process.argv);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
