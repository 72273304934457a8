// The console opens with the same verdict `npx interop status` prints, shows amber runs as
// "succeeded with N failed items", and finds a child's trace by case id (issue 18 items 2, 5).
import { afterEach, describe, expect, it } from 'vitest';
import { verdictOf } from '../../src/runner/verdict.ts';
import { failedItem, signIn, startTestConsole, stubWorkflow } from './console-harness.ts';
import type { TestConsole } from './console-harness.ts';

let running: TestConsole | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const page = async (url: string, path: string, cookie: string) =>
  (await fetch(`${url}${path}`, { headers: { cookie } })).text();

describe('health and trace on the console', () => {
  it('overview: the verdict line and an amber run row; /trace?q= lists the child by case id', async () => {
    const failed = [
      failedItem(),
      failedItem({ key: 'f1-j2:referral:case-0002:svc-0002', ids: { case_id: 'case-0002' } }),
    ];
    running = await startTestConsole({
      runWorkflow: stubWorkflow({
        failed,
        nextCursors: { primero: '2025-01-02T00:00:00.000Z', oscar: '2025-01-02 00:00:00' },
      }),
    });
    const { url, runner, store } = running;
    await runner.runOnce({ trigger: 'console', since: '2025-01-01T00:00:00Z' });
    const client = await signIn(url);

    const overview = await page(url, '/', client.cookie);
    const verdict = /<p[^>]*id="verdict"[^>]*>([\s\S]*?)<\/p>/.exec(overview);
    expect(verdict?.[0]).toContain('data-level="attention"');
    // The same line as status, from the same module.
    expect(verdict?.[1]?.trim()).toBe(verdictOf(store).text);
    expect(verdictOf(store).text).toBe('attention: last run succeeded with 2 failed items');
    expect(overview).toContain(
      '<span class="badge succeeded-with-failures">succeeded with 2 failed item(s)</span>',
    );
    expect(overview).toContain('id="trace-form"');

    const trace = await page(url, '/trace?q=case-0002', client.cookie);
    expect(trace).toContain('id="trace-results"');
    const rows = trace.match(/<tr data-outcome="[^"]+">/g) ?? [];
    expect(rows).toEqual(['<tr data-outcome="failed">']);
    expect(trace).toContain('case_id <code>case-0002</code>');
    expect(trace).toContain('risk level is not set in Primero');

    const none = await page(url, '/trace?q=nobody', client.cookie);
    expect(none).toContain('id="trace-empty"');
    // Like every page: no session, no trace.
    const anonymous = await fetch(`${url}/trace?q=case-0002`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
  });
});
