// Progress of a long run on stderr (stdout keeps the summary, and --json stays parseable), one line
// per step: on a terminal the step's line is rewritten in place while its items are decided
// ("f1-j2 cases to OSCaR: 5 of 12 items") and ends with its counts; elsewhere (CI, a log file, a
// pipe) only the finished line, so logs stay short and readable.
import type { Progress, StepCounts, StepId } from '../workflow/contract.ts';
import { stepName } from '../workflow/steps.ts';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressReporter {
  onProgress(progress: Progress): void;
  /** Ends the in-place line so what follows starts on a fresh line. */
  finish(): void;
}

function countsText(counts: StepCounts | undefined): string {
  if (!counts) return '';
  const parts = (['fetched', 'written', 'unchanged', 'failed', 'skipped'] as const)
    .filter((name) => counts[name] > 0)
    .map((name) => `${counts[name]} ${name}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** One step's line: `f1-j2 cases to OSCaR: 5 of 12 items` / `...: done, 12 items (10 written, ...)`. */
export function progressLine(progress: Progress): string {
  const head = `${progress.step} ${stepName(progress.step)}`;
  if (progress.phase === 'done')
    return `${head}: done, ${progress.done} item(s)${countsText(progress.counts)}`;
  if (progress.total > 0) return `${head}: ${progress.done} of ${progress.total} items`;
  return progress.done > 0 ? `${head}: ${progress.done} items` : `${head}: running`;
}

export function createProgressReporter(output: ProgressOutput): ProgressReporter {
  const tty = output.isTTY === true;
  let open: StepId | undefined;
  const finished = new Set<StepId>();

  return {
    onProgress(progress) {
      if (finished.has(progress.step)) return;
      const done = progress.phase === 'done';
      if (done) finished.add(progress.step);
      if (!tty) {
        if (done) output.write(`${progressLine(progress)}\n`);
        return;
      }
      if (open !== undefined && open !== progress.step) output.write('\n');
      output.write(`\r\x1b[2K${progressLine(progress)}${done ? '\n' : ''}`);
      open = done ? undefined : progress.step;
    },
    finish() {
      if (tty && open !== undefined) output.write('\n');
      open = undefined;
    },
  };
}
