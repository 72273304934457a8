// The start-up pairing: `interop --help` (the compiled CLI, as `npx interop` runs it, without npm's
// own start) beside a Node process that only loads the CLI's main dependencies (fastify,
// better-sqlite3, commander), alternated round by round so that both meet the same machine load;
// the medians are compared (docs/performance.md, "Start-up").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timedNode } from './process-run.ts';
import type { ProcessUsage } from './process-run.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MAIN_DEPENDENCIES = ['fastify', 'better-sqlite3', 'commander'];

export interface StartUpPairing {
  rounds: number;
  /** Medians of `interop --help`. */
  help: ProcessUsage;
  /** Medians of loading MAIN_DEPENDENCIES alone. */
  dependencies: ProcessUsage;
  /** Whatever `--help` wrote on stderr (a tsx note would mean the build was not used). */
  helpStderr: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const medianUsage = (samples: ProcessUsage[]): ProcessUsage => ({
  wallMs: median(samples.map((s) => s.wallMs)),
  cpuMs: median(samples.map((s) => s.cpuMs)),
  peakRssMb: median(samples.map((s) => s.peakRssMb)),
});

export async function measureStartUp(rounds = 5): Promise<StartUpPairing> {
  const cwd = mkdtempSync(join(tmpdir(), 'interop-start-up-'));
  const env = { PATH: process.env.PATH ?? '', HOME: cwd };
  const loadDependencies = MAIN_DEPENDENCIES.map(
    (name) => `await import(${JSON.stringify(name)});`,
  );
  const help: ProcessUsage[] = [];
  const dependencies: ProcessUsage[] = [];
  let helpStderr = '';
  try {
    for (let round = 0; round < rounds; round += 1) {
      const shown = await timedNode([join(ROOT, 'bin', 'interop.js'), '--help'], { cwd, env });
      if (shown.code !== 0) throw new Error(`interop --help exited ${shown.code}: ${shown.stderr}`);
      helpStderr ||= shown.stderr;
      help.push(shown);
      // Resolved from the checkout, as the CLI resolves them.
      const loaded = await timedNode(['--input-type=module', '-e', loadDependencies.join(' ')], {
        cwd: ROOT,
        env,
      });
      if (loaded.code !== 0)
        throw new Error(`loading ${MAIN_DEPENDENCIES.join(', ')} failed: ${loaded.stderr}`);
      dependencies.push(loaded);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return { rounds, help: medianUsage(help), dependencies: medianUsage(dependencies), helpStderr };
}
