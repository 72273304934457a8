// Each step reports its own progress (waiting, running with its items done of total, done with its
// counts) from the real workflow on @openfn/runtime against both emulators, not the workflow's step
// counter. The runtime notifies only a step's start and end (@openfn/runtime execute/step.ts:
// `job-start` before the expression, `job-complete` with the step's output state); the items in
// between come from the steps' own outcome records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_IDS } from '../../src/workflow/contract.ts';
import type { Progress, StepId } from '../../src/workflow/contract.ts';
import { itemsDone } from '../../src/workflow/item-progress.ts';
import { createProgressReporter } from '../../src/runner/progress.ts';
import { runOnce, startSystems } from '../e2e/helpers.ts';
import type { RunResult, Systems } from '../e2e/helpers.ts';

describe('per-step progress of a real run', () => {
  let systems: Systems;
  const events: Progress[] = [];
  let result: RunResult;

  beforeAll(async () => {
    systems = await startSystems();
    result = await runOnce(systems, undefined, {
      since: '2020-01-01T00:00:00.000Z',
      onProgress: (progress) => events.push(structuredClone(progress)),
    });
  }, 60_000);
  afterAll(async () => systems?.close());

  it('reports the steps one after the other, each from running to done with its own counts', () => {
    expect(result.summary.ok).toBe(true);
    const order = events.map((event) => event.step).filter((step, i, all) => all[i - 1] !== step);
    expect(order).toEqual([...STEP_IDS]);
    for (const step of STEP_IDS) {
      const own = events.filter((event) => event.step === step);
      expect(own[0], step).toMatchObject({ phase: 'running', done: 0 });
      const last = own.at(-1)!;
      expect(last.phase, step).toBe('done');
      expect(last.counts, step).toEqual(result.summary.steps[step]);
      expect(last.done, step).toBe(itemsDone(step, result.summary.steps[step]));
      expect(
        own.filter((event) => event.phase === 'done'),
        step,
      ).toHaveLength(1);
      for (const event of own)
        expect(event.done, step).toBeLessThanOrEqual(event.total || event.done);
    }
  });

  it('a write step counts its items as they are decided, out of what the read step handed it', () => {
    const step: StepId = 'f2-j2';
    const running = events.filter((event) => event.step === step && event.phase === 'running');
    const total = result.summary.steps[step];
    const decided = itemsDone(step, total);
    expect(decided).toBeGreaterThan(1);
    // Known from f2-j1's hand-off before f2-j2 starts: the first event already says of how many.
    expect(running[0]!.total).toBeGreaterThan(0);
    const dones = running.map((event) => event.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(dones.some((done) => done > 0 && done < decided)).toBe(true);
  });

  it('the terminal gets one line per step on a pipe, and never the workflow counter', () => {
    let text = '';
    const reporter = createProgressReporter({ write: (chunk: string) => (text += chunk) });
    for (const event of events) reporter.onProgress(event);
    reporter.finish();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(STEP_IDS.length);
    STEP_IDS.forEach((step, index) => {
      expect(lines[index]).toMatch(
        new RegExp(`^${step} .*: done, ${itemsDone(step, result.summary.steps[step])} item`),
      );
    });
    expect(text).not.toMatch(/\b[1-4]\/4\b/);
  });

  it('on a terminal each step has one line, rewritten in place, ending with its counts', () => {
    let text = '';
    const reporter = createProgressReporter({
      write: (chunk: string) => (text += chunk),
      isTTY: true,
    });
    for (const event of events) reporter.onProgress(event);
    reporter.finish();
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(STEP_IDS.length);
    // The last state of each line (after its last carriage return) is the step's finished line.
    STEP_IDS.forEach((step, index) => {
      expect(lines[index]!.split('\r\x1b[2K').at(-1)).toMatch(new RegExp(`^${step} .*: done`));
    });
    expect(text).toMatch(/f2-j2 upsert cases to Primero: \d+ of \d+ items/);
  });
});
