// A truthful health signal (issue 18 item 2): amber and refused runs stored as such, old rows
// migrated, the first run without --since refused (not failed forever), and one verdict that
// `status` and the console overview both read.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAndReport, statusView } from '../../src/runner/environment.ts';
import { formatStatus } from '../../src/runner/report.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import type { RunWorkflow } from '../../src/runner/run-once.ts';
import { STORE_FILE, openStore } from '../../src/runner/store.ts';
import type { RunRecord, Store } from '../../src/runner/store.ts';
import { healthVerdict } from '../../src/runner/verdict.ts';
import { runWorkflow as realWorkflow } from '../../src/workflow/run.ts';
import { NO_START_MESSAGE as NO_CURSOR_MESSAGE } from '../../src/time.ts';
import type { FailedItem, RunSummary } from '../../src/workflow/contract.ts';
import { reporting } from './reporting-workflow.ts';
import { TEST_SYSTEMS } from './stub-workflow.ts';

let home: string;
let store: Store;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'interop-health-'));
  store = openStore(home);
});
afterEach(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

const failure = (caseId: string): FailedItem => ({
  key: `f1-j2:referral:${caseId}:svc-1`,
  step: 'f1-j2',
  kind: 'referral',
  ids: { case_id: caseId, service_id: 'svc-1' },
  reason: `risk level is not set: correct it in Primero (case ${caseId})`,
  attempts: 1,
  firstFailedAt: '2025-01-01T00:00:00.000Z',
  lastFailedAt: '2025-01-01T00:00:00.000Z',
});

/** A workflow that finishes with these items failed (none dead-lettered). */
const finishingWith = (failed: FailedItem[]) => reporting({ failed });

const runnerWith = (runWorkflow: RunWorkflow) =>
  createRunner({ store, runWorkflow, systems: TEST_SYSTEMS });

describe('run outcomes', () => {
  it('a run with failed items is amber: stored as succeeded-with-failures, exit 0, and the verdict says so', async () => {
    const out: string[] = [];
    const code = await runAndReport(
      runnerWith(finishingWith([failure('case-a'), failure('case-b')])),
      { trigger: 'manual', since: '2025-01-01T00:00:00Z' },
      { terminal: { out: (text) => out.push(text), err: { write: () => true } } },
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/succeeded with 2 failed item\(s\)/);
    expect(store.listRuns()[0]?.status).toBe('succeeded-with-failures');

    const view = statusView(store, '0 * * * *');
    expect(view.verdict).toMatchObject({
      level: 'attention',
      text: 'attention: last run succeeded with 2 failed items',
    });
    expect(formatStatus(view).split('\n')[0]).toBe(
      'Health: attention: last run succeeded with 2 failed items',
    );

    // A clean run after it: green again.
    await runnerWith(finishingWith([])).runOnce({ trigger: 'manual' });
    expect(store.listRuns()[0]?.status).toBe('succeeded');
    expect(statusView(store, '0 * * * *').verdict.level).toBe('healthy');
  });

  it('the first run without --since is stored as refused, with what to do, not as a failed run', async () => {
    const result = await runnerWith(realWorkflow).runOnce({ trigger: 'schedule' });
    expect(result).toMatchObject({ status: 'refused', reason: NO_CURSOR_MESSAGE });
    expect(store.listRuns().map((run) => [run.status, run.error])).toEqual([
      ['refused', NO_CURSOR_MESSAGE],
    ]);
    expect(statusView(store, '0 * * * *').verdict).toMatchObject({
      level: 'attention',
      text: 'attention: no run yet: the first run needs a start date (--since)',
    });
  });

  it('runs stored before the new statuses are migrated when the store opens', () => {
    store.close();
    const db = new Database(join(home, STORE_FILE));
    const insert = db.prepare(
      `INSERT INTO runs (id, trigger, status, dry_run, pid, started_at, finished_at, summary, error)
       VALUES (?, 'schedule', ?, 0, 1, ?, ?, ?, ?)`,
    );
    const summary = (failed: FailedItem[], ok = true) => JSON.stringify({ ok, failed });
    insert.run(
      'old-amber',
      'succeeded',
      '2025-01-01T01:00:00Z',
      '2025-01-01T01:01:00Z',
      summary([failure('c1')]),
      null,
    );
    insert.run(
      'old-green',
      'succeeded',
      '2025-01-01T02:00:00Z',
      '2025-01-01T02:01:00Z',
      summary([]),
      null,
    );
    insert.run(
      'old-first',
      'failed',
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:01Z',
      summary([], false),
      NO_CURSOR_MESSAGE,
    );
    insert.run(
      'old-failed',
      'failed',
      '2025-01-01T03:00:00Z',
      '2025-01-01T03:00:01Z',
      summary([], false),
      'OSCaR answered 500',
    );
    db.close();
    store = openStore(home);
    const status = (id: string) => store.getRun(id)?.status;
    expect(['old-amber', 'old-green', 'old-first', 'old-failed'].map(status)).toEqual([
      'succeeded-with-failures',
      'succeeded',
      'refused',
      'failed',
    ]);
  });
});

const run = (status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord => ({
  id: `run-${status}`,
  trigger: 'schedule',
  status,
  dryRun: false,
  pid: 1,
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:01:00.000Z',
  ...extra,
});
const facts = { deadLetters: 0, overdueReferrals: 0, signInPaused: [], mappingProblems: 0 };

describe('the verdict', () => {
  it('failing when the last run failed; a lock refusal or a dry run after it changes nothing', () => {
    const verdict = healthVerdict({
      ...facts,
      deadLetters: 6,
      runs: [
        run('refused', { error: 'Another run is in progress (run x, ...)' }),
        run('succeeded', { dryRun: true }),
        run('failed', { error: 'Primero answered 503\nmore detail' }),
      ],
    });
    expect(verdict.text).toBe('failing: last run failed: Primero answered 503; 6 dead letters');
  });

  it('attention names dead letters and the amber run; healthy says when the last run succeeded', () => {
    const amber = run('succeeded-with-failures', {
      summary: { failed: [failure('a'), failure('b')] } as RunSummary,
    });
    expect(healthVerdict({ ...facts, deadLetters: 6, runs: [amber] }).text).toBe(
      'attention: 6 dead letters; last run succeeded with 2 failed items',
    );
    expect(healthVerdict({ ...facts, runs: [run('succeeded')] }).text).toBe(
      'healthy: last run succeeded at 2025-01-01T00:01:00.000Z',
    );
  });

  it('a run refused by configuration or broken mapping tables is failing, not healthy', () => {
    expect(
      healthVerdict({
        ...facts,
        runs: [run('refused', { error: 'The run cannot start: concurrency must be ...' })],
      }).level,
    ).toBe('failing');
    expect(healthVerdict({ ...facts, mappingProblems: 2, runs: [run('succeeded')] }).text).toBe(
      'failing: runs are refused: the mapping tables need attention (2 problems)',
    );
  });
});
