#!/usr/bin/env node
// `npx interop <command>`: runs the TypeScript CLI with tsx's loader, so there is no build step, in
// one child process started with the sync's Node flags (bin/node-flags.js: vm modules for the
// OpenFn.org bodies, the heap budget). tsx's own CLI is not used: it starts a further process that
// does not receive these flags.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEAP_BUDGET_MB, syncNodeFlags } from './node-flags.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolved from this file, so `npx interop` works from any working folder.
const tsxLoader = import.meta.resolve('tsx');
const child = spawn(
  process.execPath,
  [
    ...syncNodeFlags(),
    '--import',
    tsxLoader,
    join(root, 'src/cli/main.ts'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
// Ctrl-C reaches the child through the terminal's process group; the child decides how to stop.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  // V8 aborts the process when the heap budget is spent; the run is then left as a killed run is.
  if (signal === 'SIGABRT')
    process.stderr.write(
      'interop: the process stopped (SIGABRT), most likely out of its heap budget ' +
        `(${HEAP_BUDGET_MB} MB unless NODE_OPTIONS sets --max-old-space-size). ` +
        'For a very large first window, give it more with NODE_OPTIONS=--max-old-space-size=1024 ' +
        '(docs/performance.md).\n',
    );
  process.exit(code ?? (signal === 'SIGABRT' ? 134 : signal ? 130 : 0));
});
