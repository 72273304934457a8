// The overview's last-30-days chart: numbers per Cambodia day from the stored runs, drawn as inline
// SVG on the server with a text label, and the same numbers as a table for screen readers.
import { describe, expect, it } from 'vitest';
import { dailyStats } from '../../src/console/daily-stats.ts';
import { chartCard } from '../../src/console/views/chart.ts';
import type { RunRecord } from '../../src/runner/store.ts';
import type { RunSummary } from '../../src/workflow/contract.ts';
import { failedItem } from './console-harness.ts';

const NOW = Date.parse('2026-12-01T23:00:00Z'); // 06:00 on 2 December in Phnom Penh

function run(
  startedAt: string,
  seconds: number,
  toOscar: number,
  toPrimero: number,
  failed = 0,
  dryRun = false,
): RunRecord {
  const counts = (written: number) => ({
    fetched: 0,
    written,
    unchanged: 0,
    failed: 0,
    skipped: 0,
  });
  const summary = {
    steps: {
      'f1-j1': counts(0),
      'f1-j2': counts(toOscar),
      'f2-j1': counts(0),
      'f2-j2': counts(toPrimero),
    },
    failed: Array.from({ length: failed }, () => failedItem()),
  } as unknown as RunSummary;
  const finishedAt = new Date(Date.parse(startedAt) + seconds * 1000).toISOString();
  return {
    id: startedAt,
    trigger: 'schedule',
    status: 'succeeded',
    dryRun,
    pid: 1,
    startedAt,
    finishedAt,
    summary,
  };
}

describe('the last 30 days', () => {
  const runs = [
    run('2026-12-01T22:00:00.000Z', 90, 3, 1, 2), // 2 Dec in Cambodia
    run('2026-12-01T10:00:00.000Z', 30, 4, 0), // 1 Dec
    run('2026-12-01T11:00:00.000Z', 30, 0, 5, 1), // 1 Dec
    run('2026-12-01T12:00:00.000Z', 30, 100, 100, 0, true), // a dry run wrote nothing
    run('2026-10-01T10:00:00.000Z', 30, 9, 9), // older than the window
  ];
  const days = dailyStats(runs, NOW);

  it('sums records moved each way, failed items and run time per Cambodia day', () => {
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toEqual({
      day: '2026-12-02',
      toOscar: 3,
      toPrimero: 1,
      failed: 2,
      runs: 1,
      runSeconds: 90,
    });
    expect(days.at(-2)).toEqual({
      day: '2026-12-01',
      toOscar: 4,
      toPrimero: 5,
      failed: 1,
      runs: 2,
      runSeconds: 60,
    });
    expect(days[0]!.day).toBe('2026-11-03');
    expect(days.slice(0, -2).every((day) => day.runs === 0)).toBe(true);
  });

  it('draws server-side SVG with a text label, and a table with the same numbers', () => {
    const markup = chartCard(days).markup;
    expect(markup).not.toContain('<script');
    const labels = [
      ...markup.matchAll(/<svg\s+class="chart"[^>]*role="img"[^>]*aria-label="([^"]+)"/g),
    ].map((m) => m[1]);
    expect(labels).toHaveLength(3);
    expect(labels[0]).toContain('7 to OSCaR, 6 to Primero in all');
    expect(labels[1]).toContain('3 failed items in all');
    // One bar per day and series, each with its number on hover.
    expect(markup).toContain('<title>2026-12-01: 5 to Primero</title>');
    expect(markup.match(/<rect\s+x=/g)).toHaveLength(30 * 4);
    expect(markup).toMatch(
      /<tr data-day="2026-12-01">\s*<th scope="row">2026-12-01<\/th>\s*<td class="num">2<\/td>\s*<td class="num">4<\/td>\s*<td class="num">5<\/td>\s*<td class="num">1<\/td>\s*<td class="num">1<\/td>/,
    );
  });
});
