// Run history with filters and paging: the filter's rules (outcome, started by, Cambodia days) on a
// list of runs, and the console's /runs page whose links keep the filters from page to page.
import { afterEach, describe, expect, it } from 'vitest';
import { historyPage, parseHistoryFilter } from '../../src/console/run-history.ts';
import type { RunRecord } from '../../src/runner/store.ts';
import { failedItem, signIn, startTestConsole, stubWorkflow } from './console-harness.ts';
import type { TestConsole } from './console-harness.ts';

function record(id: string, startedAt: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    trigger: 'schedule',
    status: 'succeeded',
    dryRun: false,
    pid: 1,
    startedAt,
    ...overrides,
  };
}

/** The store's listRuns over an array: newest first, limit and offset. */
function listOf(runs: RunRecord[]) {
  const sorted = [...runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return {
    listRuns: ({ limit = 20, offset = 0 }: { limit?: number; offset?: number } = {}) =>
      sorted.slice(offset, offset + limit),
  };
}

describe('the history filter', () => {
  const summaryWith = (failed: number) =>
    ({
      failed: Array.from({ length: failed }, () => failedItem()),
    }) as unknown as RunRecord['summary'];
  const runs = [
    // 23:30 UTC on 1 Dec is 06:30 on 2 Dec in Phnom Penh.
    record('late', '2026-12-01T23:30:00.000Z'),
    record('evening', '2026-12-01T16:59:00.000Z', { trigger: 'console' }),
    record('amber', '2026-12-01T10:00:00.000Z', { summary: summaryWith(2) }),
    record('broken', '2026-11-30T10:00:00.000Z', { status: 'failed', trigger: 'manual' }),
  ];
  const ids = (input: Record<string, string>) => {
    const { filter, page } = parseHistoryFilter(input);
    return historyPage(listOf(runs), filter, page).runs.map((run) => run.id);
  };

  it('keeps runs of the Cambodia days asked for, the outcome and the trigger', () => {
    expect(ids({ since: '2026-12-02' })).toEqual(['late']);
    expect(ids({ until: '2026-12-01', since: '2026-12-01' })).toEqual(['evening', 'amber']);
    expect(ids({ status: 'succeeded-with-failures' })).toEqual(['amber']);
    expect(ids({ status: 'succeeded' })).toEqual(['late', 'evening']);
    expect(ids({ status: 'failed', trigger: 'manual' })).toEqual(['broken']);
    expect(ids({ trigger: 'console' })).toEqual(['evening']);
  });

  it('pages newest first and shows the last page for a page past the end', () => {
    const { filter } = parseHistoryFilter({});
    const second = historyPage(listOf(runs), filter, 2, 3);
    expect(second).toMatchObject({ page: 2, pages: 2, total: 4 });
    expect(second.runs.map((run) => run.id)).toEqual(['broken']);
    expect(historyPage(listOf(runs), filter, 9, 3).page).toBe(2);
  });

  it('names the parameter and what it accepts when a value is not understood', () => {
    expect(() => parseHistoryFilter({ status: 'green' })).toThrow(
      /status must be one of succeeded, succeeded-with-failures/,
    );
    expect(() => parseHistoryFilter({ since: '1/12/2026' })).toThrow(
      /since must be a day as YYYY-MM-DD/,
    );
    expect(() => parseHistoryFilter({ since: '2026-12-02', until: '2026-12-01' })).toThrow(
      /swap them/,
    );
    expect(() => parseHistoryFilter({ page: '0' })).toThrow(/page must be a whole number/);
  });
});

describe('the /runs page', () => {
  let running: TestConsole | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('filters on the server and its page links keep the filters', async () => {
    running = await startTestConsole({
      runWorkflow: stubWorkflow({ nextCursors: { primero: '2025-01-01T00:00:00.000Z' } }),
    });
    const { url, runner } = running;
    for (let n = 0; n < 23; n += 1)
      await runner.runOnce({
        trigger: n % 2 ? 'schedule' : 'manual',
        since: '2025-01-01T00:00:00Z',
      });
    const client = await signIn(url);
    const get = async (path: string) => {
      const response = await fetch(`${url}${path}`, { headers: { cookie: client.cookie } });
      return { status: response.status, page: await response.text() };
    };
    const rows = (page: string) => page.match(/<tr data-run-id=/g)?.length ?? 0;

    const first = await get('/runs?trigger=manual');
    expect(first.status).toBe(200);
    expect(rows(first.page)).toBe(12);
    expect(first.page).toContain('12 run(s) match these filters');
    expect(first.page).toMatch(/<option value="manual" selected>/);

    const all = await get('/runs?status=succeeded');
    expect(rows(all.page)).toBe(20);
    const older = /href="(\/runs\?[^"]+)" rel="next"/.exec(all.page)?.[1]?.replace(/&amp;/g, '&');
    expect(older).toBe('/runs?status=succeeded&page=2');
    const second = await get(older!);
    expect(rows(second.page)).toBe(3);
    expect(second.page).toContain('Page 2 of 2');
    expect(second.page).toMatch(/href="\/runs\?status=succeeded" rel="prev"/);

    const bad = await get('/runs?status=green');
    expect(bad.status).toBe(400);
    expect(bad.page).toContain('status must be one of');
  });
});
