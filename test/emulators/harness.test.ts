import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../demo/common/harness.ts';
import type { EmulatorDefinition, RunningEmulator } from '../../demo/common/harness.ts';

/** fetch's json() is typed unknown; these tests read documented shapes. */
const json = (response: Response): Promise<any> => response.json();

// A counter system: enough to show what the harness adds to any emulator.
interface Counter {
  value: number;
}
const counter: EmulatorDefinition<Counter> = {
  name: 'oscar',
  emptyState: () => ({ value: 0 }),
  loadSeed(seed) {
    const value = (seed as { value?: unknown })?.value;
    if (typeof value !== 'number') throw new Error('seed.value must be a number');
    return { value };
  },
  register(app, ctx) {
    app.get('/value', async () => ({ value: ctx.state().value }));
    app.post('/increment', async () => ({ value: ++ctx.state().value }));
    app.get('/guarded', async (request, reply) => {
      const token = String(request.headers['x-token']);
      if (ctx.tokenExpired(token)) return reply.code(401).send({ errors: ['expired'] });
      return { ok: true };
    });
  },
  faultBody: (status) => ({ system: 'counter', status }),
};

let emulator: RunningEmulator;
const admin = (path: string, init?: RequestInit) =>
  fetch(`${emulator.url}/__emulator${path}`, init);
const put = (path: string, body: unknown) =>
  admin(path, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  emulator = await startEmulator(counter, { seed: { value: 5 } });
});
afterAll(() => emulator.close());
afterEach(async () => {
  await admin('/faults', { method: 'DELETE' });
  await admin('/requests', { method: 'DELETE' });
});

describe('harness: startEmulator', () => {
  it('listens on a free loopback port and loads the seed', async () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.name).toBe('oscar');
    expect(await json(await fetch(`${emulator.url}/value`))).toEqual({ value: 5 });
  });
});

describe('harness: admin state', () => {
  it('reads and replaces the state', async () => {
    expect(await json(await admin('/state'))).toEqual({ value: 5 });
    expect((await put('/state', { value: 42 })).status).toBe(200);
    expect(emulator.state()).toEqual({ value: 42 });
    emulator.loadSeed({ value: 5 });
    expect(await json(await fetch(`${emulator.url}/value`))).toEqual({ value: 5 });
  });

  it('rejects a bad seed with 400 and the validator message, keeping the old state', async () => {
    const response = await put('/state', { value: 'x' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: 'seed rejected: seed.value must be a number' });
    expect(emulator.state()).toEqual({ value: 5 });
  });
});

describe('harness: request counts', () => {
  it('counts every request per METHOD /route, admin requests excluded, and resets', async () => {
    await fetch(`${emulator.url}/value`);
    await fetch(`${emulator.url}/value`);
    await fetch(`${emulator.url}/increment`, { method: 'POST' });
    await admin('/state');
    expect(await json(await admin('/requests'))).toEqual({
      'GET /value': 2,
      'POST /increment': 1,
    });
    expect(emulator.requestCounts()).toEqual({ 'GET /value': 2, 'POST /increment': 1 });
    await admin('/requests', { method: 'DELETE' });
    expect(emulator.requestCounts()).toEqual({});
    emulator.loadSeed({ value: 5 });
  });
});

describe('harness: faults', () => {
  it('answers scripted errors with Retry-After for `times` requests, then normally', async () => {
    expect(
      (
        await put('/faults', {
          rules: [{ route: 'GET /value', status: 429, retryAfterSeconds: 7, times: 2 }],
        })
      ).status,
    ).toBe(200);
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${emulator.url}/value`);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await json(response)).toEqual({ system: 'counter', status: 429 });
    }
    expect((await fetch(`${emulator.url}/value`)).status).toBe(200);
    expect(emulator.requestCounts()['GET /value']).toBe(3);
  });

  it('never faults the admin surface, and DELETE clears the faults', async () => {
    await put('/faults', { rules: [{ route: '*', status: 500 }] });
    expect((await fetch(`${emulator.url}/value`)).status).toBe(500);
    expect((await admin('/state')).status).toBe(200);
    await admin('/faults', { method: 'DELETE' });
    expect((await fetch(`${emulator.url}/value`)).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    emulator.setFaults({ rules: [{ route: 'GET /value', drop: true, times: 1 }] });
    await expect(fetch(`${emulator.url}/value`)).rejects.toThrow();
    expect((await fetch(`${emulator.url}/value`)).status).toBe(200);
  });

  it('afterBody: applies the write, then loses the answer', async () => {
    emulator.setFaults({
      rules: [{ route: 'POST /increment', status: 502, afterBody: true, times: 1 }],
    });
    const response = await fetch(`${emulator.url}/increment`, { method: 'POST' });
    expect(response.status).toBe(502);
    expect((emulator.state() as Counter).value).toBe(6);
    emulator.setFaults({
      rules: [{ route: 'POST /increment', drop: true, afterBody: true, times: 1 }],
    });
    await expect(fetch(`${emulator.url}/increment`, { method: 'POST' })).rejects.toThrow();
    expect((emulator.state() as Counter).value).toBe(7);
    emulator.loadSeed({ value: 5 });
  });

  it('sends a string body as a non-JSON page', async () => {
    emulator.setFaults({
      rules: [{ route: 'GET /value', status: 502, body: '<html>proxy</html>', times: 1 }],
    });
    const response = await fetch(`${emulator.url}/value`);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toBe('<html>proxy</html>');
  });

  it('adds latency', async () => {
    emulator.setFaults({ latencyMs: 120 });
    const started = Date.now();
    await fetch(`${emulator.url}/value`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('applies an error rate', async () => {
    emulator.setFaults({ rules: [{ route: 'GET /value', status: 503, probability: 0.5 }] });
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async () => (await fetch(`${emulator.url}/value`)).status),
    );
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(55);
  });

  it('expires a token after N authenticated requests', async () => {
    emulator.setFaults({ tokenExpiryAfterRequests: 2 });
    const call = (token: string) =>
      fetch(`${emulator.url}/guarded`, { headers: { 'x-token': token } });
    expect((await call('a')).status).toBe(200);
    expect((await call('a')).status).toBe(200);
    expect((await call('a')).status).toBe(401);
    expect((await call('b')).status).toBe(200);
  });

  it('rejects malformed faults with 400 naming the problem', async () => {
    const response = await put('/faults', { rules: [{ route: 'GET /value', stauts: 500 }] });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toContain('unknown key "stauts"');
    expect(() =>
      emulator.setFaults({ rules: [{ route: '*', probability: 2, status: 500 }] }),
    ).toThrow(/probability/);
  });
});
