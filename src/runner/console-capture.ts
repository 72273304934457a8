// Some library code under the workflow (the adaptors' request helper) writes straight to the
// console. During a run those lines belong to the run: they go through the run's log sink (redacted
// and stored with the run), and stdout stays clean for `--json`.
//
// @openfn/runtime freezes the global console when a job runs without its own logger, so the
// console methods cannot be swapped back and forth per run: they are replaced once by forwarders
// that read the current run's sink.
import type { LogSink } from '../log.ts';

const METHODS = [
  ['log', 'info'],
  ['info', 'info'],
  ['debug', 'debug'],
  ['warn', 'warn'],
  ['error', 'error'],
] as const;

let active: LogSink | undefined;
let installed = false;

function install(): void {
  if (installed || Object.isFrozen(console)) return;
  for (const [method, level] of METHODS) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      // Outside a run (a request of a finished run still in flight) the line goes to stderr:
      // stdout carries only the command's result.
      if (!active)
        return method === 'warn' || method === 'error' ? original(...args) : toStderr(args);
      active(level, args.map((arg) => (typeof arg === 'string' ? arg : safeText(arg))).join(' '));
    };
  }
  installed = true;
}

/** Routes console.* to `sink` until the returned function is called. */
export function captureConsole(sink: LogSink): () => void {
  install();
  const previous = active;
  active = sink;
  return () => {
    active = previous;
  };
}

function toStderr(args: unknown[]): void {
  process.stderr.write(
    `${args.map((arg) => (typeof arg === 'string' ? arg : safeText(arg))).join(' ')}\n`,
  );
}

function safeText(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
