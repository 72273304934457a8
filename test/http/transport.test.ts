import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../demo/common/harness.ts';
import type { EmulatorDefinition, RunningEmulator } from '../../demo/common/harness.ts';
import { setLogSink } from '../../src/log.ts';
import { ApiError, createTransport } from '../../src/http/transport.ts';
import { backoffDelayMs, retryAfterMs } from '../../src/http/retry.ts';

// A tiny system behind the harness: enough routes to exercise the transport's wire rules.
interface EchoState {
  inFlight: number;
  maxInFlight: number;
  writes: number;
}
const echo: EmulatorDefinition<EchoState> = {
  name: 'primero',
  emptyState: () => ({ inFlight: 0, maxInFlight: 0, writes: 0 }),
  loadSeed: () => ({ inFlight: 0, maxInFlight: 0, writes: 0 }),
  register(app, ctx) {
    app.get('/echo', async (request) => ({
      query: request.query,
      auth: request.headers.authorization ?? null,
    }));
    app.post('/echo', async (request) => {
      ctx.state().writes += 1;
      return { body: request.body };
    });
    app.get('/slow', async () => {
      const state = ctx.state();
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      state.inFlight -= 1;
      return { ok: true };
    });
    app.get('/html', async (_request, reply) =>
      reply.code(502).type('text/html').send('<html>Bad gateway: Sokha Chan</html>'),
    );
    app.get('/empty', async (_request, reply) => reply.code(204).send());
    app.get('/moved', async (_request, reply) => reply.redirect('http://198.51.100.7/steal'));
    app.get('/unauthorized', async (_request, reply) => reply.code(401).send({ error: 'nope' }));
    app.get('/invalid', async (_request, reply) =>
      reply.code(422).send({
        errors: [
          {
            status: 422,
            resource: '/invalid',
            message: 'Invalid Record JSON',
            detail: ['/remote'],
          },
        ],
      }),
    );
  },
};

let emulator: RunningEmulator;
let lines: string[] = [];
let restoreLog: () => void;

beforeAll(async () => {
  emulator = await startEmulator(echo);
  restoreLog = setLogSink((_level, message) => lines.push(message));
  vi.spyOn(console, 'log').mockImplementation(() => {}); // language-http's own request line
});
afterAll(async () => {
  restoreLog();
  vi.restoreAllMocks();
  await emulator.close();
});
afterEach(() => {
  emulator.setFaults({});
  lines = [];
});

const transport = (extra: Record<string, unknown> = {}) =>
  createTransport({
    baseUrl: emulator.url,
    system: 'primero',
    baseDelayMs: 5,
    maxDelayMs: 2000,
    ...extra,
  });

describe('transport: a plain request', () => {
  it('sends the query and headers and parses the JSON answer', async () => {
    const response = await transport().send<{ query: unknown; auth: string }>({
      method: 'GET',
      path: '/echo',
      query: { per: 1000, remote: true, skip: undefined },
      headers: { Authorization: 'Bearer abc' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ query: { per: '1000', remote: 'true' }, auth: 'Bearer abc' });
    expect(response.headers['content-type']).toContain('application/json');
  });

  it('sends a JSON body', async () => {
    const response = await transport().send({
      method: 'POST',
      path: '/echo',
      body: { data: { a: 1 } },
    });
    expect(response.body).toEqual({ body: { data: { a: 1 } } });
  });

  it('sends the body as JSON makes it: a Date as its ISO text, not as {}', async () => {
    const response = await transport().send({
      method: 'POST',
      path: '/echo',
      body: { data: { at: new Date('2025-03-10T08:00:00Z'), rows: [{ a: 1 }, null] } },
    });
    expect(response.body).toEqual({
      body: { data: { at: '2025-03-10T08:00:00.000Z', rows: [{ a: 1 }, null] } },
    });
  });

  it('gives undefined for an empty answer', async () => {
    const response = await transport().send({ method: 'GET', path: '/empty' });
    expect(response).toMatchObject({ status: 204, body: undefined });
  });

  it('logs "METHOD path - status in N ms" without the query or headers', async () => {
    await transport().send({
      method: 'GET',
      path: '/echo',
      query: { case_id: 'c-1' },
      headers: { Authorization: 'Bearer secret-token' },
    });
    expect(lines.some((line) => /^GET \/echo - 200 in \d+ ms$/.test(line))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/secret-token|c-1/);
  });
});

describe('transport: retries', () => {
  it('retries a 429 after the Retry-After the server asked for', async () => {
    emulator.setFaults({
      rules: [{ route: 'GET /echo', status: 429, retryAfterSeconds: 1, times: 1 }],
    });
    const started = Date.now();
    const response = await transport().send({ method: 'GET', path: '/echo' });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(emulator.requestCounts()['GET /echo']).toBeGreaterThanOrEqual(2);
  });

  it('retries 5xx and dropped connections, then succeeds', async () => {
    emulator.setFaults({
      rules: [
        { route: 'GET /echo', status: 503, times: 1 },
        { route: 'GET /echo', drop: true, times: 1 },
        { route: 'GET /echo', status: 500, times: 1 },
      ],
    });
    const before = emulator.requestCounts()['GET /echo'] ?? 0;
    const response = await transport().send({ method: 'GET', path: '/echo' });
    expect(response.status).toBe(200);
    expect((emulator.requestCounts()['GET /echo'] ?? 0) - before).toBe(4);
  });

  it('stops after maxAttempts and throws the last error', async () => {
    emulator.setFaults({ rules: [{ route: 'GET /echo', status: 503 }] });
    const before = emulator.requestCounts()['GET /echo'] ?? 0;
    const error = await transport({ maxAttempts: 3 })
      .send({ method: 'GET', path: '/echo' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 503,
      retryable: true,
      method: 'GET',
      path: '/echo',
      system: 'primero',
    });
    expect((emulator.requestCounts()['GET /echo'] ?? 0) - before).toBe(3);
  });

  it('does not retry when retry is false', async () => {
    emulator.setFaults({ rules: [{ route: 'POST /echo', status: 503 }] });
    const before = emulator.requestCounts()['POST /echo'] ?? 0;
    await expect(
      transport().send({ method: 'POST', path: '/echo', body: {}, retry: false }),
    ).rejects.toThrow(/503/);
    expect((emulator.requestCounts()['POST /echo'] ?? 0) - before).toBe(1);
  });

  it("with retry 'unprocessed', repeats a write only when the server surely did not act on it", async () => {
    emulator.setFaults({
      rules: [
        { route: 'POST /echo', status: 429, retryAfterSeconds: 0, times: 1 },
        { route: 'POST /echo', status: 503, times: 1 },
      ],
    });
    const before = emulator.state() as EchoState;
    const writesBefore = before.writes;
    const response = await transport().send({
      method: 'POST',
      path: '/echo',
      body: {},
      retry: 'unprocessed',
    });
    expect(response.status).toBe(200);
    expect((emulator.state() as EchoState).writes - writesBefore).toBe(1);

    // A 500 or a connection dropped after the write may have been acted on: sent once, then thrown.
    for (const rule of [{ status: 500 }, { drop: true, afterBody: true }]) {
      emulator.setFaults({ rules: [{ route: 'POST /echo', times: 1, ...rule }] });
      const count = emulator.requestCounts()['POST /echo'] ?? 0;
      await expect(
        transport().send({ method: 'POST', path: '/echo', body: {}, retry: 'unprocessed' }),
      ).rejects.toBeInstanceOf(ApiError);
      expect((emulator.requestCounts()['POST /echo'] ?? 0) - count).toBe(1);
    }
  });

  it('does not retry a 401 (the client signs in again) nor a 422', async () => {
    const before = emulator.requestCounts()['GET /unauthorized'] ?? 0;
    await expect(transport().send({ method: 'GET', path: '/unauthorized' })).rejects.toMatchObject({
      status: 401,
      retryable: false,
    });
    expect((emulator.requestCounts()['GET /unauthorized'] ?? 0) - before).toBe(1);
    await expect(transport().send({ method: 'GET', path: '/invalid' })).rejects.toThrow(
      'primero answered GET /invalid with 422: Invalid Record JSON (/remote)',
    );
  });

  it('returns statuses listed in okStatuses instead of throwing', async () => {
    const response = await transport().send({ method: 'GET', path: '/invalid', okStatuses: [422] });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ errors: [{ detail: ['/remote'] }] });
  });

  it('names a connection error without a status', async () => {
    const closed = await startEmulator(echo);
    const url = closed.url;
    await closed.close();
    const error = await createTransport({
      baseUrl: url,
      system: 'oscar',
      maxAttempts: 2,
      baseDelayMs: 1,
    })
      .send({ method: 'GET', path: '/echo' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBeUndefined();
    expect((error as ApiError).message).toMatch(/^oscar did not answer GET \/echo: /);
  });
});

describe('transport: safety', () => {
  it('names a non-JSON answer by status without echoing it', async () => {
    const error = (await transport({ maxAttempts: 1 })
      .send({ method: 'GET', path: '/html' })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe('primero answered GET /html with a non-JSON body (status 502)');
    expect(error.body).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('Sokha');
  });

  it('refuses an absolute URL to another host before sending anything', async () => {
    const before = JSON.stringify(emulator.requestCounts());
    await expect(
      transport().send({
        method: 'GET',
        path: 'https://attacker.example/api',
        headers: { Authorization: 'Bearer t' },
      }),
    ).rejects.toThrow(/Refusing to send a primero request to https:\/\/attacker.example/);
    await expect(
      transport().send({ method: 'GET', path: '//attacker.example/api' }),
    ).rejects.toThrow(/Refusing/);
    expect(JSON.stringify(emulator.requestCounts())).toBe(before);
  });

  it('does not follow a redirect (it would carry the Authorization header away)', async () => {
    await expect(
      transport().send({ method: 'GET', path: '/moved', headers: { Authorization: 'Bearer t' } }),
    ).rejects.toMatchObject({ status: 302, retryable: false });
  });

  it('keeps at most `concurrency` requests on the wire', async () => {
    const t = transport({ concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, () => t.send({ method: 'GET', path: '/slow' })));
    expect((emulator.state() as EchoState).maxInFlight).toBe(2);
  });
});

describe('backoff', () => {
  it('waits a random share of an exponentially growing, capped ceiling', () => {
    expect(backoffDelayMs(1, 250, 10_000, () => 0.999)).toBe(249);
    expect(backoffDelayMs(3, 250, 10_000, () => 0.5)).toBe(500);
    expect(backoffDelayMs(10, 250, 10_000, () => 0.999)).toBe(9990);
    expect(backoffDelayMs(2, 250, 10_000, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
