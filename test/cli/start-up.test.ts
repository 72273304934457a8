// How `npx interop` starts (docs/performance.md, "Start-up"): the compiled CLI in one process, only
// the command asked for loaded, a child only for a command that runs the sync when its Node flags
// are not in force, and tsx with a one-line note when dist/cli is missing or older than a source.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, Help } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, requestedCommand } from '../../src/cli/commands/index.ts';
import { missingSyncFlags, syncNodeFlags } from '../../bin/node-flags.js';
import { interop } from './interop-cli.ts';
import type { CliResult } from './interop-cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RECORDER = fileURLToPath(new URL('./fixtures/load-recorder.mjs', import.meta.url));

interface Launch extends CliResult {
  /** Module URLs each process resolved, by process id, in start order. */
  loads: string[][];
}

/** Runs `<root>/bin/interop.js args` recording what every process it starts loads. */
async function launch(
  root: string,
  args: string[],
  options: { cwd: string; nodeOptions?: string },
): Promise<Launch> {
  const log = join(options.cwd, `loads-${Math.random().toString(36).slice(2)}.log`);
  const result = await interop(args, {
    cwd: options.cwd,
    bin: join(root, 'bin/interop.js'),
    env: {
      INTEROP_HOME: join(options.cwd, '.interop'),
      LOAD_LOG: log,
      NODE_OPTIONS: [`--import=${RECORDER}`, options.nodeOptions ?? ''].join(' ').trim(),
    },
  });
  const byProcess = new Map<string, string[]>();
  const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  for (const line of lines) {
    const [pid, url] = line.split(' ');
    if (!byProcess.has(pid!)) byProcess.set(pid!, []);
    byProcess.get(pid!)!.push(url!);
  }
  return { ...result, loads: [...byProcess.values()] };
}

const loaded = (urls: string[], part: string) => urls.some((url) => url.includes(part));

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'interop-start-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the command table', () => {
  it('lists each command as its module defines it (the overview never loads the modules)', async () => {
    const help = new Help();
    for (const entry of commands) {
      const program = new Command('interop');
      (await entry.load()).register(program);
      const [command] = program.commands;
      expect(command?.name(), entry.name).toBe(entry.name);
      expect(command!.description(), entry.name).toBe(entry.description);
      expect(help.subcommandTerm(command!), entry.name).toBe(`${entry.name} ${entry.usage}`.trim());
    }
  });

  it('finds the command asked for, also behind `help`', () => {
    expect(requestedCommand(['run', '--since', '2025-01-01T00:00:00Z'])).toBe('run');
    expect(requestedCommand(['--help'])).toBeUndefined();
    expect(requestedCommand(['help', 'logs'])).toBe('logs');
    expect(requestedCommand([])).toBeUndefined();
  });
});

describe('npx interop', () => {
  it('--help runs the compiled CLI in one process and loads no command, no tsx', async () => {
    const result = await launch(ROOT, ['--help'], { cwd: work });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/logs \[options\] <run-id>/);
    expect(result.loads).toHaveLength(1);
    const [urls] = result.loads;
    expect(loaded(urls!, '/dist/cli/main.js')).toBe(true);
    for (const heavy of ['tsx', '/src/cli/', 'fastify', '@openfn', 'better-sqlite3', 'zod'])
      expect(loaded(urls!, heavy), heavy).toBe(false);
  }, 60_000);

  it('status loads its own command and the store, not the sync, the console or the emulators', async () => {
    const result = await launch(ROOT, ['status'], { cwd: work });
    expect(result.code, result.stderr).toBe(0);
    expect(result.loads).toHaveLength(1);
    const [urls] = result.loads;
    expect(loaded(urls!, '/dist/cli/status-')).toBe(true);
    expect(loaded(urls!, 'better-sqlite3')).toBe(true);
    for (const other of ['tsx', '@openfn/runtime', 'fastify', '/dist/cli/run-'])
      expect(loaded(urls!, other), other).toBe(false);
  }, 60_000);

  it('a command that runs the sync starts one child with the flags, unless they are in force', async () => {
    const plain = await launch(ROOT, ['run', '--help'], { cwd: work });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.loads).toHaveLength(2);
    expect(loaded(plain.loads[0]!, '/dist/cli/')).toBe(false); // the launcher only
    expect(loaded(plain.loads[1]!, '/dist/cli/run-')).toBe(true);
    const flagged = await launch(ROOT, ['run', '--help'], {
      cwd: work,
      nodeOptions: '--experimental-vm-modules --max-old-space-size=600',
    });
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(flagged.loads).toHaveLength(1);
    expect(flagged.stdout).toBe(plain.stdout);
  }, 60_000);

  it('every chunk of the build loads: each command with all it imports and bundles', () => {
    // A bundled CommonJS library that requires a Node built-in fails only when its chunk loads.
    const chunks = readdirSync(join(ROOT, 'dist/cli')).filter(
      (file) => file.endsWith('.js') && file !== 'main.js',
    );
    expect(chunks.length).toBeGreaterThan(commands.length);
    const script = chunks
      .map(
        (file) =>
          `await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/cli', file)).href)});`,
      )
      .join('\n');
    const loaded = spawnSync(
      process.execPath,
      [...syncNodeFlags({}), '--input-type=module', '-e', script],
      { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: work } },
    );
    expect(loaded.stderr).toBe('');
    expect(loaded.status).toBe(0);
  }, 60_000);

  it('knows which flags are in force: given to node or in NODE_OPTIONS', () => {
    expect(missingSyncFlags([], {})).toEqual([
      '--no-warnings',
      '--experimental-vm-modules',
      '--max-old-space-size=512',
    ]);
    expect(missingSyncFlags(['--experimental-vm-modules', '--max-old-space-size=512'], {})).toEqual(
      [],
    );
    expect(
      missingSyncFlags(['--experimental-vm-modules'], {
        NODE_OPTIONS: '--max-old-space-size=1024',
      }),
    ).toEqual([]);
  });
});

describe('without a current build', () => {
  let checkout: string;
  beforeAll(() => {
    // A checkout of its own: its build and sources can be changed without touching this one.
    checkout = join(work, 'checkout');
    for (const part of ['bin', 'dist', 'src', 'jobs', 'demo', 'package.json'])
      cpSync(join(ROOT, part), join(checkout, part), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
  });

  it('runs the TypeScript through tsx with a one-line note, and the same help', async () => {
    const current = await launch(checkout, ['--help'], { cwd: work });
    expect(current.stderr).toBe('');
    expect(loaded(current.loads[0]!, '/checkout/dist/cli/main.js')).toBe(true);

    // A source edited after the build: the build is not used, and the note says why.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(checkout, 'src/cli/commands/logs.ts'), later, later);
    const stale = await launch(checkout, ['--help'], { cwd: work });
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stderr).toBe(
      'interop: src/cli/commands/logs.ts changed since dist/cli was built (run `npm run build`); ' +
        'running the TypeScript with tsx (slower start)\n',
    );
    expect(loaded(stale.loads[0]!, '/checkout/src/cli/main.ts')).toBe(true);
    expect(loaded(stale.loads[0]!, '/dist/cli/')).toBe(false);
    expect(stale.stdout).toBe(current.stdout);

    // Installed without its build step (no dist/ at all).
    rmSync(join(checkout, 'dist'), { recursive: true, force: true });
    const missing = await launch(checkout, ['status'], { cwd: work });
    expect(missing.code, missing.stderr).toBe(0);
    expect(missing.stderr).toMatch(
      /^interop: dist\/cli is not built \(run `npm run build`\); .*tsx/,
    );
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stdout).toMatch(/Cursors:/);
  }, 120_000);
});
