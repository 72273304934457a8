// The one logger every module writes through. Messages are built from ids, counts and reasons
// only; the sink decides where they go (the terminal, the runtime's logger, the run store).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, message: string) => void;

const consoleSink: LogSink = (level, message) => console[level](message);
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
