// The start-up pairing for a run with nothing to do: `npx interop run --json` beside
// `npx interop --help`, both through npx (npm's own start counted on both sides, as an operator
// meets it), both under /usr/bin/time, alternated round by round so that both meet the same
// machine load; the medians are compared (docs/performance.md, "Start-up"). The run goes on the
// store of the measured no-op (INTEROP_HOME) with the same environment, from the store's
// directory (no .env there): nothing changed since, so each one is that no-op again, and the
// caller checks that none of them wrote anything.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEnv, timedCommand } from './process-run.ts';
import type { CliRunRequest, ProcessUsage } from './process-run.ts';
import { medianUsage } from './start-up.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** npm's own runner for the checkout's `interop` bin; `--no`: never install anything. */
const NPX = ['--no', '--prefix', ROOT, 'interop'];

export interface NpxPairing {
  rounds: number;
  /** Medians of `npx interop run --json` (a no-op each time). */
  noop: ProcessUsage;
  /** Medians of `npx interop --help`. */
  help: ProcessUsage;
  /** What went wrong in a round (an exit code, a run that did not succeed); empty when none. */
  problems: string[];
}

export async function measureNpxPairing(
  request: CliRunRequest,
  rounds: number,
): Promise<NpxPairing> {
  const options = { cwd: request.home, env: cliEnv(request) };
  const noop: ProcessUsage[] = [];
  const help: ProcessUsage[] = [];
  const problems: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const run = await timedCommand('npx', [...NPX, 'run', '--json'], options);
    const status = summaryStatus(run.stdout);
    if (run.code !== 0 || status !== 'succeeded')
      problems.push(`round ${round + 1}: npx interop run exited ${run.code} (${status})`);
    noop.push(run);
    const shown = await timedCommand('npx', [...NPX, '--help'], options);
    if (shown.code !== 0)
      problems.push(`round ${round + 1}: npx interop --help exited ${shown.code}`);
    help.push(shown);
  }
  return { rounds, noop: medianUsage(noop), help: medianUsage(help), problems };
}

function summaryStatus(stdout: string): string {
  try {
    return String((JSON.parse(stdout) as { status?: unknown }).status);
  } catch {
    return 'no JSON summary';
  }
}
