#!/usr/bin/env node
// `npx interop <command>`: runs the compiled CLI (dist/cli/, built by `npm install` or `npm run
// build`) in this process. The commands that run the sync need Node flags (bin/node-flags.js: vm
// modules for the OpenFn.org bodies, the heap budget) that only a process's start can set; for those
// alone, and only when the flags are not in force already (given to node or in NODE_OPTIONS), one
// child is started with them. When dist/ is missing or older than a source it was built from, the
// TypeScript runs through tsx instead, with a one-line note.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMPILED_CLI, staleBuildReason } from './build-cli.js';
import { HEAP_BUDGET_MB, missingSyncFlags } from './node-flags.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** The commands that run the sync (or, for `check`, report the heap budget it runs under). */
const SYNC_COMMANDS = new Set(['run', 'schedule', 'serve', 'start', 'retry', 'check']);
const command = args.find((arg) => !arg.startsWith('-'));
const missing = SYNC_COMMANDS.has(command ?? '') ? missingSyncFlags() : [];

if (missing.length > 0) runInChild(missing);
else await runHere();

/** The compiled CLI when it is there and current; else tsx over the sources. */
async function runHere() {
  const stale = staleBuildReason();
  if (!stale) {
    await import(pathToFileURL(COMPILED_CLI).href);
    return;
  }
  process.stderr.write(`interop: ${stale}; running the TypeScript with tsx (slower start)\n`);
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}

/** This same launcher again, in one child started with the flags the sync needs. */
function runInChild(flags) {
  const child = spawn(process.execPath, [...flags, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
  });
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
}
