// The one logger every module writes through. Messages are built from ids, counts and reasons
// only; the sink decides where they go (the terminal, the runtime's logger, the run store).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, message: string) => void;

// Log lines always go to stderr: stdout carries only a command's result (e.g. `run --json`), also
// when a request still in flight logs after its run has finished. A job body on OpenFn.org has no
// `process` (reached through globalThis so that no bare reference to it is compiled in): there the
// runtime's console is the run's log.
const stderr = (globalThis as { process?: { stderr?: { write(text: string): unknown } } }).process
  ?.stderr;
const consoleSink: LogSink = (level, message) => {
  if (stderr) stderr.write(`${level} ${message}\n`);
  else console[level](message);
};
let sink: LogSink = consoleSink;

/** Route every log line to `next` until the returned function is called. */
export function setLogSink(next: LogSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

export const log = {
  debug: (message: string) => sink('debug', message),
  info: (message: string) => sink('info', message),
  warn: (message: string) => sink('warn', message),
  error: (message: string) => sink('error', message),
};
