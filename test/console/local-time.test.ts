// Times are shown in Cambodia time (Asia/Phnom_Penh, UTC+7) with the UTC instant on hover, in one
// format shared by the console and the CLI's human output.
import { describe, expect, it } from 'vitest';
import { formatLocalTime, localDay } from '../../src/runner/local-time.ts';
import { timeTag } from '../../src/console/views/layout.ts';
import { formatRunLine } from '../../src/runner/report.ts';
import type { RunRecord } from '../../src/runner/store.ts';

describe('one time format, in Cambodia time', () => {
  it('writes an instant as Phnom Penh wall time with its offset, crossing midnight', () => {
    expect(formatLocalTime('2026-12-01T22:43:52.120Z')).toBe('2026-12-02 05:43:52 UTC+7');
    expect(localDay(Date.parse('2026-12-01T17:00:00Z'))).toBe('2026-12-02');
    expect(localDay(Date.parse('2026-12-01T16:59:59Z'))).toBe('2026-12-01');
    expect(formatLocalTime(undefined)).toBe('—');
  });

  it('the console tag carries the UTC instant in datetime and in the hover title', () => {
    expect(timeTag('2026-12-01T22:43:52.000Z').markup).toBe(
      '<time datetime="2026-12-01T22:43:52.000Z" title="2026-12-01 22:43:52 UTC">2026-12-02 05:43:52 UTC+7</time>',
    );
  });

  it('the CLI history line uses the same format', () => {
    const run: RunRecord = {
      id: 'run-1',
      trigger: 'manual',
      status: 'succeeded',
      dryRun: false,
      pid: 1,
      startedAt: '2026-12-01T22:43:52.000Z',
      finishedAt: '2026-12-01T22:44:02.000Z',
    };
    expect(formatRunLine(run)).toContain('2026-12-02 05:43:52 UTC+7');
    expect(formatRunLine(run)).not.toContain('2026-12-01T22:43:52');
  });
});
