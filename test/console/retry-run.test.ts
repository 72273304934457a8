// "Retry this run's failed items" on a run's page: a CSRF-protected form that retries exactly the
// run's items still open, through the runner's retry path (the CLI's `retry <run-id>`).
import { afterEach, describe, expect, it } from 'vitest';
import type { RunWorkflow } from '../../src/runner/run-once.ts';
import {
  failedItem,
  post,
  signIn,
  startTestConsole,
  stubWorkflow,
  waitFor,
} from './console-harness.ts';
import type { StubScript, TestConsole } from './console-harness.ts';

let running: TestConsole | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const A = failedItem({ key: 'f1-j2:referral:case-000A:svc-1', ids: { case_id: 'case-000A' } });
const B = failedItem({ key: 'f1-j2:referral:case-000B:svc-1', ids: { case_id: 'case-000B' } });

describe("retry this run's failed items", () => {
  it('retries only the items of that run still open, and says so when none is left', async () => {
    const script: StubScript = {
      failed: [A, B],
      nextCursors: { primero: '2025-01-01T00:00:00.000Z' },
    };
    const calls: Parameters<RunWorkflow>[0][] = [];
    running = await startTestConsole({ runWorkflow: stubWorkflow(script, calls) });
    const { url, runner } = running;
    const first = await runner.runOnce({ trigger: 'schedule', since: '2025-01-01T00:00:00Z' });
    if (first.status === 'refused') throw new Error('refused');
    script.failed = [B]; // A went through in the next run; B is still open.
    await runner.runOnce({ trigger: 'schedule' });

    const client = await signIn(url);
    const page = await (
      await fetch(`${url}/runs/${first.run.id}`, { headers: { cookie: client.cookie } })
    ).text();
    expect(page).toContain("Retry this run's 1 failed item(s)");
    expect(page).toMatch(
      new RegExp(
        `<form\\s+method="post"\\s+action="/runs/${first.run.id}/retry"[^>]*>\\s*<input type="hidden" name="_csrf"`,
      ),
    );

    // Without the anti-forgery token nothing starts.
    const forged = await post(url, `/runs/${first.run.id}/retry`, { ...client, csrf: 'wrong' }, {});
    expect(forged.status).toBe(403);
    expect(calls).toHaveLength(2);

    script.failed = [];
    const response = await post(url, `/runs/${first.run.id}/retry`, client, {});
    expect(response.status).toBe(303);
    const livePath = response.headers.get('location')!;
    expect(livePath).toMatch(/^\/live\//);
    await waitFor(async () => {
      const live = (await (
        await fetch(`${url}${livePath}/status.json`, { headers: { cookie: client.cookie } })
      ).json()) as { state: string };
      return live.state === 'finished' ? true : undefined;
    }, 60_000);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.carried?.retries).toEqual([
      expect.objectContaining({ key: B.key, attempts: 0 }),
    ]);
    const retryRun = running.store.listRuns({ limit: 1 })[0]!;
    expect(retryRun).toMatchObject({ trigger: 'retry', retryOf: first.run.id });

    // Now nothing of the first run is open: no button, and a stale form is refused.
    const after = await (
      await fetch(`${url}/runs/${first.run.id}`, { headers: { cookie: client.cookie } })
    ).text();
    expect(after).toContain('id="retry-run-none"');
    expect(after).not.toContain('id="retry-run"');
    const again = await post(url, `/runs/${first.run.id}/retry`, client, {});
    expect(again.status).toBe(409);
    expect(calls).toHaveLength(3);
  });
});
