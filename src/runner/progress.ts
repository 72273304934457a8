// Progress of a long run: on a terminal one line rewritten in place per step; elsewhere (CI, a
// log file, a pipe) plain lines, a few per step, so logs stay readable.
import type { Progress, StepId } from '../workflow/contract.ts';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressReporter {
  onProgress(progress: Progress): void;
  /** Ends the in-place line so what follows starts on a fresh line. */
  finish(): void;
}

export function createProgressReporter(output: ProgressOutput): ProgressReporter {
  const tty = output.isTTY === true;
  let step: StepId | undefined;
  let lastQuarter = -1;
  let lineOpen = false;

  const text = (p: Progress) => `${p.step}: ${p.done}/${p.total}`;

  return {
    onProgress(progress) {
      const changedStep = progress.step !== step;
      if (tty) {
        if (changedStep && lineOpen) output.write('\n');
        output.write(`\r\x1b[2K${text(progress)}`);
        lineOpen = true;
      } else {
        const quarter = progress.total > 0 ? Math.floor((progress.done / progress.total) * 4) : 4;
        if (changedStep || quarter > lastQuarter) output.write(`${text(progress)}\n`);
        lastQuarter = changedStep ? quarter : Math.max(quarter, lastQuarter);
      }
      step = progress.step;
    },
    finish() {
      if (tty && lineOpen) output.write('\n');
      lineOpen = false;
    },
  };
}
