// The console says when scheduled runs stopped signing in to a system (never lock the API user)
// and offers the administrator a button to resume it (src/runner/sign-in-brake.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { pausedSystems, recordRunSignIns } from '../../src/runner/sign-in-brake.ts';
import type { RunSummary } from '../../src/workflow/contract.ts';
import { post, signIn, startTestConsole, stubWorkflow } from './console-harness.ts';
import type { TestConsole } from './console-harness.ts';

let running: TestConsole | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const refused = {
  ok: false,
  error:
    'Step f1-j1 (get Primero cases) failed: Primero sign-in failed for user primero_cp: 401 invalid user name or password',
  failure: { step: 'f1-j1', system: 'primero', refusedSignIn: true },
} as RunSummary;

describe('a paused sign-in on the console overview', () => {
  it('shows the pause with a resume button; the button lifts it', async () => {
    running = await startTestConsole({ runWorkflow: stubWorkflow() });
    const { url, store } = running;
    recordRunSignIns(store, refused);
    recordRunSignIns(store, refused);
    const client = await signIn(url);
    const overview = await (await fetch(`${url}/`, { headers: { cookie: client.cookie } })).text();
    expect(overview).toContain('scheduled runs stopped signing in to Primero');
    expect(overview).toContain('action="/sign-in/primero/resume"');

    const forged = await post(url, '/sign-in/primero/resume', { ...client, csrf: 'x' }, {});
    expect(forged.status).toBe(403);
    expect(pausedSystems(store)).toHaveLength(1);

    const resumed = await post(url, '/sign-in/primero/resume', client, {});
    expect(resumed.status).toBe(303);
    expect(resumed.headers.get('location')).toBe('/?notice=resumed');
    expect(pausedSystems(store)).toEqual([]);
    const after = await (await fetch(`${url}/`, { headers: { cookie: client.cookie } })).text();
    expect(after).not.toContain('scheduled runs stopped signing in');
  });
});
