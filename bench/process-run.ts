// Whole processes as an operator starts them: `interop run --json` (bin/interop.js, the compiled
// CLI) for the recurring runs, and the start-up pairing of `interop --help` with loading its main
// dependencies alone. Times and peak RSS come from /usr/bin/time (the kernel's accounting of the
// process and every child it waited for), not from inside the process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SystemsConfig } from '../src/workflow/contract.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'interop.js');
const TIME = '/usr/bin/time';

export interface ProcessUsage {
  /** From start to exit, ms. */
  wallMs: number;
  /** User + system CPU of the process and its children, ms. */
  cpuMs: number;
  peakRssMb: number;
}

export interface ProcessOutcome extends ProcessUsage {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Whether /usr/bin/time is there (Debian: package `time`); without it nothing is measured. */
export const canMeasureProcesses = (): boolean => existsSync(TIME);

/** Runs `node args` under /usr/bin/time in `cwd` with exactly `env`. */
export function timedNode(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<ProcessOutcome> {
  return timedCommand(process.execPath, args, options);
}

/** Runs `command args` under /usr/bin/time in `cwd` with exactly `env`. */
export function timedCommand(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<ProcessOutcome> {
  const scratch = mkdtempSync(join(tmpdir(), 'interop-time-'));
  const report = join(scratch, 'time.txt');
  return new Promise((resolve, reject) => {
    const child = spawn(TIME, ['-o', report, '-f', '%e %U %S %M', command, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        // The last line: a failed command makes time(1) write "Command exited ..." first.
        const line = readFileSync(report, 'utf8').trim().split('\n').pop() ?? '';
        const [elapsed, user, system, maxKb] = line.split(' ').map(Number);
        resolve({
          code,
          stdout,
          stderr,
          wallMs: Math.round(elapsed! * 1000),
          cpuMs: Math.round((user! + system!) * 1000),
          peakRssMb: Math.round((maxKb! / 1024) * 10) / 10,
        });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}

export interface CliRunRequest {
  home: string;
  systems: SystemsConfig;
  concurrency: number;
}

export interface CliRunResult extends ProcessUsage {
  status: 'succeeded' | 'failed' | 'refused';
  error?: string;
  /** The run itself (its summary's startedAt to finishedAt), ms. */
  inRunMs: number;
  failedItems: number;
  failureReasons: string[];
  steps?: unknown;
}

/** The environment of a scheduled `interop run`: the store in `home`, the systems, nothing else. */
export function cliEnv(request: CliRunRequest): Record<string, string> {
  const { primero, oscar } = request.systems;
  return {
    PATH: process.env.PATH ?? '',
    HOME: request.home,
    INTEROP_HOME: request.home,
    INTEROP_CONCURRENCY: String(request.concurrency),
    PRIMERO_URL: primero.url,
    PRIMERO_USERNAME: primero.username,
    PRIMERO_PASSWORD: primero.password,
    OSCAR_URL: oscar.url,
    OSCAR_EMAIL: oscar.email,
    OSCAR_PASSWORD: oscar.password,
  };
}

/** `interop run --json` against the systems, on the store in `home`, as a scheduled run would. */
export async function runCli(request: CliRunRequest): Promise<CliRunResult> {
  const outcome = await timedNode([BIN, 'run', '--json'], {
    cwd: request.home, // no .env there
    env: cliEnv(request),
  });
  const usage = { wallMs: outcome.wallMs, cpuMs: outcome.cpuMs, peakRssMb: outcome.peakRssMb };
  let summary: any;
  try {
    summary = JSON.parse(outcome.stdout);
  } catch {
    return {
      ...usage,
      status: 'failed',
      error: `interop run exited ${outcome.code} without a JSON summary: ${outcome.stderr.slice(-500)}`,
      inRunMs: 0,
      failedItems: 0,
      failureReasons: [],
    };
  }
  if (summary.status === 'refused')
    return {
      ...usage,
      status: 'refused',
      error: summary.reason,
      inRunMs: 0,
      failedItems: 0,
      failureReasons: [],
    };
  const failed: Array<{ step: string; kind: string; reason: string }> = summary.failed ?? [];
  return {
    ...usage,
    status: summary.status,
    ...(summary.error ? { error: summary.error } : {}),
    inRunMs: Date.parse(summary.finishedAt) - Date.parse(summary.startedAt),
    failedItems: failed.length,
    failureReasons: [
      ...new Set(failed.map((item) => `${item.step} ${item.kind}: ${item.reason}`)),
    ].slice(0, 5),
    steps: summary.steps,
  };
}
