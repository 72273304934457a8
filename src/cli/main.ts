// `npx interop <command>`: each command lives in its own file under ./commands and registers itself.
import { Command } from 'commander';
import { commands } from './commands/index.ts';

const program = new Command('interop')
  .description('Primero <-> OSCaR interop: sync, emulators, runner, console and OpenFn.org build')
  .showHelpAfterError();

for (const register of commands) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
