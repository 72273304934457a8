// The console over plain HTTP: who may see and do what, and that the actions do what the buttons say.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunWorkflow } from '../../src/runner/run-once.ts';
import {
  ADMIN_PASSWORD,
  failedItem,
  form,
  post,
  signIn,
  startTestConsole,
  stubWorkflow,
  waitFor,
} from './console-harness.ts';
import type { TestConsole } from './console-harness.ts';

let running: TestConsole | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: Partial<Parameters<typeof startTestConsole>[0]> = {}) {
  running = await startTestConsole({ runWorkflow: stubWorkflow(), ...options });
  return running;
}

/** Follows a console run to its end and returns the stored run id. */
async function finishedRunId(url: string, livePath: string, cookie: string): Promise<string> {
  return waitFor(async () => {
    const live = (await (
      await fetch(`${url}${livePath}/status.json`, { headers: { cookie } })
    ).json()) as {
      state: string;
      runId: string | null;
    };
    return live.state === 'finished' && live.runId ? live.runId : undefined;
  });
}

describe('every page and action is behind the sign-in', () => {
  it('redirects pages to the sign-in page and refuses actions and JSON without a session', async () => {
    const { url } = await start();
    for (const path of ['/', '/dead-letters', '/runs/abc', '/live/abc', '/nowhere']) {
      const response = await fetch(`${url}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location')).toBe('/sign-in');
    }
    expect((await fetch(`${url}/live/abc/status.json`)).status).toBe(401);
    const { body, headers } = form({ kind: 'now' });
    expect(
      (await fetch(`${url}/runs`, { method: 'POST', body, headers, redirect: 'manual' })).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${url}/dead-letters/dl-1/retry`, {
          method: 'POST',
          body,
          headers,
          redirect: 'manual',
        })
      ).status,
    ).toBe(401);
    expect(running!.store.listRuns()).toHaveLength(0);
  });

  it('signs in with the admin password and sets a HttpOnly, SameSite=Strict session cookie', async () => {
    const { url } = await start();
    const { body, headers } = form({ password: ADMIN_PASSWORD });
    const response = await fetch(`${url}/sign-in`, {
      method: 'POST',
      body,
      headers,
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^interop_session=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const overview = await fetch(`${url}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(overview.status).toBe(200);
    expect(overview.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await overview.text()).toContain('Run now');
  });

  it('ends the session after the idle limit, and on sign-out', async () => {
    const { url } = await start({ sessionIdleMs: 300 });
    const client = await signIn(url);
    expect(
      (await fetch(`${url}/`, { headers: { cookie: client.cookie }, redirect: 'manual' })).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const expired = await fetch(`${url}/`, {
      headers: { cookie: client.cookie },
      redirect: 'manual',
    });
    expect(expired.status).toBe(303);

    const again = await signIn(url);
    expect((await post(url, '/sign-out', again, {})).status).toBe(303);
    expect(
      (await fetch(`${url}/`, { headers: { cookie: again.cookie }, redirect: 'manual' })).status,
    ).toBe(303);
  });

  it('answers only to loopback host names when bound to loopback (no DNS rebinding)', async () => {
    const { url } = await start();
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${url}/sign-in`, { headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await status('attacker.example:80')).toBe(421);
    expect(await status(new URL(url).host)).toBe(200);
    expect(await status(`localhost:${new URL(url).port}`)).toBe(200);
  });
});

describe('a wrong password is refused and slowed down', () => {
  const attemptOn = (url: string) => (password: string) => {
    const { body, headers } = form({ password });
    return fetch(`${url}/sign-in`, { method: 'POST', body, headers, redirect: 'manual' });
  };

  it('refuses it after a delay, and checks a parallel attempt only after that delay', async () => {
    const { url } = await start({ signInBrake: { baseDelayMs: 300, maxDelayMs: 5_000 } });
    const attempt = attemptOn(url);
    const startedAt = Date.now();
    const wrong = await attempt('guess-1');
    expect(wrong.status).toBe(401);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(280);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const second = await attempt('guess-2');
    expect(second.status).toBe(401);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(280 + 580);

    // Parallel guesses gain nothing: each is checked only after the one before it was answered
    // and its delay passed. The right password, sent meanwhile, waits its turn and gets in.
    const thirdAt = Date.now();
    const third = attempt('guess-3');
    const right = attempt(ADMIN_PASSWORD);
    expect((await third).status).toBe(401);
    const signedIn = await right;
    expect(signedIn.status).toBe(303);
    // Its turn came after guess-3's wait (1.2 s after two wrong passwords) and guess-3's own delay.
    expect(Date.now() - thirdAt).toBeGreaterThanOrEqual(1_100);
  });

  // The issue: six wrong passwords from one address locked the right one out for 60 s (429).
  it('six wrong passwords from one address do not lock the right password out', async () => {
    const { url } = await start({
      signInBrake: { baseDelayMs: 1_000, maxDelayMs: 1_000, maxQueueMs: 60_000 },
    });
    const attempt = attemptOn(url);
    const wrong = Array.from({ length: 6 }, (_, n) => attempt(`guess-${n + 1}`));
    const right = await attempt(ADMIN_PASSWORD);
    expect((await Promise.all(wrong)).map((answer) => answer.status)).toEqual(Array(6).fill(401));
    expect(right.status).toBe(303);
    expect(right.headers.get('set-cookie')).toContain('interop_session=');
  });

  it('turns away attempts only when too many of one computer are already waiting', async () => {
    const { url } = await start({
      signInBrake: { baseDelayMs: 200, maxDelayMs: 5_000, maxQueueMs: 1_000 },
    });
    const attempt = attemptOn(url);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, n) => attempt(`guess-${n}`)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(2);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('actions are protected against cross-site requests', () => {
  it('refuses a Run posted from another origin, cross-site, without or with a wrong token (403)', async () => {
    const calls: Parameters<RunWorkflow>[0][] = [];
    const { url } = await start({ runWorkflow: stubWorkflow({}, calls) });
    const client = await signIn(url);
    const refused = [
      await post(url, '/runs', client, { kind: 'now' }, { origin: 'https://attacker.example' }),
      await post(url, '/runs', client, { kind: 'now' }, { origin: 'null' }),
      await post(url, '/runs', client, { kind: 'now' }, { 'sec-fetch-site': 'cross-site' }),
      await post(url, '/runs', client, { kind: 'now' }, { 'sec-fetch-site': 'same-site' }),
      await post(url, '/runs', { ...client, csrf: '' }, { kind: 'now' }),
      await post(url, '/runs', { ...client, csrf: 'forged-token' }, { kind: 'now' }),
    ];
    expect(refused.map((response) => response.status)).toEqual([403, 403, 403, 403, 403, 403]);
    // The other session's token does not work in this one.
    const other = await signIn(url);
    expect(
      (await post(url, '/runs', { ...client, csrf: other.csrf }, { kind: 'now' })).status,
    ).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toHaveLength(0);
    expect(running!.store.listRuns()).toHaveLength(0);

    const accepted = await post(
      url,
      '/runs',
      client,
      { kind: 'now' },
      { 'sec-fetch-site': 'same-origin' },
    );
    expect(accepted.status).toBe(303);
    await finishedRunId(url, accepted.headers.get('location')!, client.cookie);
    expect(calls).toHaveLength(1);
  });

  it('refuses a JSON body instead of guessing at it', async () => {
    const { url } = await start();
    const client = await signIn(url);
    const response = await fetch(`${url}/runs`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'now', _csrf: client.csrf }),
      headers: { 'content-type': 'application/json', cookie: client.cookie, origin: url },
      redirect: 'manual',
    });
    expect(response.status).toBe(415);
  });
});

describe('run now, dry run and backfill', () => {
  it('runs from the stored cursor, shows progress and the summary, and records the run', async () => {
    const calls: Parameters<RunWorkflow>[0][] = [];
    const runWorkflow = stubWorkflow(
      {
        steps: { 'f1-j1': { fetched: 7 }, 'f1-j2': { written: 3, failed: 1 } },
        failed: [failedItem()],
        stepDelayMs: 150,
        nextCursors: { primero: '2025-02-01T10:00:00.000Z', oscar: '2025-02-01 10:00:00' },
      },
      calls,
    );
    const { url, store } = await start({ runWorkflow });
    const client = await signIn(url);
    const response = await post(url, '/runs', client, { kind: 'now' });
    const livePath = response.headers.get('location')!;
    expect(livePath).toMatch(/^\/live\//);
    const livePage = await (
      await fetch(`${url}${livePath}`, { headers: { cookie: client.cookie } })
    ).text();
    expect(livePage).toContain('data-state="running"');
    expect(livePage).toContain('<script nonce=');
    // The page polls the URL it names; that URL answers JSON with the progress.
    const pollPath = /data-poll="([^"]+)"/.exec(livePage)?.[1];
    const poll = await fetch(`${url}${pollPath}`, { headers: { cookie: client.cookie } });
    expect(poll.status).toBe(200);
    expect(((await poll.json()) as { state: string }).state).toBe('running');

    const runId = await finishedRunId(url, livePath, client.cookie);
    expect(calls[0]?.since).toBeUndefined();
    expect(calls[0]?.dryRun).toBe(false);
    expect(store.getRun(runId)?.trigger).toBe('console');
    expect(store.lastCarriedState()?.cursors.primero).toBe('2025-02-01T10:00:00.000Z');

    const finished = await (
      await fetch(`${url}${livePath}`, { headers: { cookie: client.cookie } })
    ).text();
    expect(finished).toContain('id="summary"');
    expect(finished).toMatch(/data-step="f1-j1">[\s\S]*?data-count="fetched">7</);

    const detail = await (
      await fetch(`${url}/runs/${runId}`, { headers: { cookie: client.cookie } })
    ).text();
    expect(detail).toMatch(/data-step="f1-j2">[\s\S]*?data-count="written">3</);
    expect(detail).toContain('risk level is not set in Primero');
    expect(detail).toContain('case-0001');
  });

  it('a dry run asks the sync to write nothing and leaves the cursors alone', async () => {
    const calls: Parameters<RunWorkflow>[0][] = [];
    const runWorkflow = stubWorkflow(
      { nextCursors: { primero: '2030-01-01T00:00:00.000Z' } },
      calls,
    );
    const { url, store } = await start({ runWorkflow });
    const client = await signIn(url);
    const response = await post(url, '/runs', client, { kind: 'dry-run' });
    const runId = await finishedRunId(url, response.headers.get('location')!, client.cookie);
    expect(calls[0]?.dryRun).toBe(true);
    expect(store.getRun(runId)?.dryRun).toBe(true);
    expect(store.lastCarriedState()).toBeUndefined();
    const detail = await (
      await fetch(`${url}/runs/${runId}`, { headers: { cookie: client.cookie } })
    ).text();
    expect(detail).toContain('dry run');
    expect(detail).toContain('upsert client');
  });

  it('a backfill asks for confirmation, says it keeps the cursor, then runs from the date', async () => {
    const calls: Parameters<RunWorkflow>[0][] = [];
    const { url, store } = await start({ runWorkflow: stubWorkflow({}, calls) });
    const client = await signIn(url);
    const ask = await post(url, '/runs', client, { kind: 'backfill', since: '2024-05-01' });
    expect(ask.status).toBe(200);
    const confirmation = await ask.text();
    expect(confirmation).toContain('will not move the stored cursor backwards');
    expect(store.listRuns()).toHaveLength(0);

    const future = await post(url, '/runs', client, {
      kind: 'backfill',
      since: '2999-01-01',
      confirm: 'yes',
    });
    expect(future.status).toBe(400);
    expect(await future.text()).toContain('in the future');

    const confirmed = await post(url, '/runs', client, {
      kind: 'backfill',
      since: '2024-05-01',
      confirm: 'yes',
    });
    expect(confirmed.status).toBe(303);
    const runId = await finishedRunId(url, confirmed.headers.get('location')!, client.cookie);
    expect(calls[0]?.since).toBe('2024-05-01T00:00:00.000Z');
    expect(store.getRun(runId)?.since).toBe('2024-05-01T00:00:00.000Z');
  });

  it('says so when another run holds the lock, instead of starting a second one', async () => {
    const { url, store } = await start();
    const held = store.acquireLock({ runId: 'run-held-elsewhere' });
    expect(held.ok).toBe(true);
    const client = await signIn(url);
    const response = await post(url, '/runs', client, { kind: 'now' });
    const livePath = response.headers.get('location')!;
    const page = await waitFor(async () => {
      const text = await (
        await fetch(`${url}${livePath}`, { headers: { cookie: client.cookie } })
      ).text();
      return text.includes('data-state="refused"') ? text : undefined;
    });
    expect(page).toContain('Another run is in progress');
    // Nothing was attempted: the history says so with a refused run, never a failed one.
    expect(store.listRuns().map((run) => [run.status, run.error?.slice(0, 26)])).toEqual([
      ['refused', 'Another run is in progress'],
    ]);
  });
});

describe('dead letters', () => {
  it('lists them with their reason and retries one: back in the retry list, and a run', async () => {
    const dead = failedItem({
      key: 'f2-j2:case:g-77',
      step: 'f2-j2',
      kind: 'case',
      ids: { global_id: 'g-77' },
      reason: 'ambiguous match',
      attempts: 5,
    });
    const calls: Parameters<RunWorkflow>[0][] = [];
    let first = true;
    const scripted = stubWorkflow({ deadLettered: [dead], failed: [dead] }, calls);
    const plain = stubWorkflow({}, calls);
    const runWorkflow: RunWorkflow = (options) => {
      const next = first ? scripted : plain;
      first = false;
      return next(options);
    };
    const { url, store } = await start({ runWorkflow });
    const client = await signIn(url);
    await finishedRunId(
      url,
      (await post(url, '/runs', client, { kind: 'now' })).headers.get('location')!,
      client.cookie,
    );
    const [letter] = store.listDeadLetters();
    expect(letter?.key).toBe(dead.key);

    const overview = await (await fetch(`${url}/`, { headers: { cookie: client.cookie } })).text();
    expect(overview).toContain('Open dead letters (1)');
    const list = await (
      await fetch(`${url}/dead-letters`, { headers: { cookie: client.cookie } })
    ).text();
    expect(list).toContain('ambiguous match');
    expect(list).toContain(`/dead-letters/${letter!.id}/retry`);

    const forged = await post(
      url,
      `/dead-letters/${letter!.id}/retry`,
      { ...client, csrf: 'x' },
      {},
    );
    expect(forged.status).toBe(403);
    const retried = await post(url, `/dead-letters/${letter!.id}/retry`, client, {});
    expect(retried.status).toBe(303);
    const runId = await finishedRunId(url, retried.headers.get('location')!, client.cookie);
    expect(store.getRun(runId)?.trigger).toBe('retry');
    expect(calls[1]?.carried?.retries.map((item) => item.key)).toEqual([dead.key]);
    expect(store.listDeadLetters()).toHaveLength(0);

    const gone = await post(url, `/dead-letters/${letter!.id}/retry`, client, {});
    expect(gone.status).toBe(404);
  });
});
