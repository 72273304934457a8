// The shared half of both emulators: a fastify server on loopback, seed loading, request counting,
// fault injection and the `/__emulator/` admin surface (documented in demo/README.md). Each system
// only registers its own routes through an EmulatorDefinition.
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface FaultRule {
  /** 'POST /api/v2/tokens' as registered (method + fastify route url), or '*' for every route. */
  route: string;
  status?: number;
  body?: unknown;
  retryAfterSeconds?: number;
  /** How many matching requests the rule applies to; unlimited when absent. */
  times?: number;
  /** Only requests whose query string has this parameter match (e.g. `since_date`). */
  withQuery?: string;
  /** 0..1: the share of matching requests that fail. */
  probability?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  delayMs?: number;
  /** For writes: apply the change, THEN drop or fail (the client loses the response). */
  afterBody?: boolean;
  /**
   * From code only (not the admin API): the real JSON answer passes through this function, e.g.
   * to give one listed record a wrong type. Combines with nothing else but `times`/`probability`.
   */
  transform?: (body: unknown) => unknown;
}

export interface Faults {
  latencyMs?: number;
  rules?: FaultRule[];
  tokenExpiryAfterRequests?: number;
}

export interface EmulatorContext<S> {
  state(): S;
  faults(): Faults;
  /**
   * Counts one authenticated request made with `token` and says whether the token must now be
   * treated as expired (Faults.tokenExpiryAfterRequests). Call it once per authenticated request.
   */
  tokenExpired(token: string): boolean;
}

export interface EmulatorDefinition<S> {
  name: 'primero' | 'oscar' | 'collections';
  emptyState(): S;
  /** Validates a seed in the API's own record shapes; throws with a message naming the bad entry. */
  loadSeed(seed: unknown): S;
  register(app: FastifyInstance, ctx: EmulatorContext<S>): void;
  /** JSON view of the state for GET /__emulator/state; the state itself when absent. */
  exportState?(state: S): unknown;
  /** Body of a scripted error that gives no body of its own, in the system's error shape. */
  faultBody?(status: number, path: string): unknown;
  /** Every token or session secret the state holds now (tests scan outputs for them). */
  issuedSecrets?(state: S): string[];
}

export interface RunningEmulator {
  name: string;
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
  state(): unknown;
  /** Keyed 'METHOD /route' as fastify registered the route. */
  requestCounts(): Record<string, number>;
  setFaults(f: Faults): void;
  loadSeed(seed: unknown): void;
  /** Every token the emulator has issued since it started, for privacy scans; never served. */
  issuedSecrets(): string[];
}

export interface StartOptions {
  host?: string;
  port?: number;
  seed?: unknown;
  latencyMs?: number;
}

export const ADMIN_PREFIX = '/__emulator';

interface FaultDecision {
  rule: FaultRule;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Throws a message naming the first bad key; faults come from tests and admins over HTTP. */
export function parseFaults(raw: unknown): Faults {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new Error('faults must be a JSON object');
  const input = raw as Record<string, unknown>;
  const known = new Set(['latencyMs', 'rules', 'tokenExpiryAfterRequests']);
  for (const key of Object.keys(input)) {
    if (!known.has(key))
      throw new Error(`faults: unknown key "${key}" (known: ${[...known].join(', ')})`);
  }
  const nonNegative = (value: unknown, where: string) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`faults: ${where} must be a number >= 0`);
    }
    return value;
  };
  const faults: Faults = {};
  const latencyMs = nonNegative(input.latencyMs, 'latencyMs');
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const expiry = nonNegative(input.tokenExpiryAfterRequests, 'tokenExpiryAfterRequests');
  if (expiry !== undefined) faults.tokenExpiryAfterRequests = expiry;
  if (input.rules !== undefined) {
    if (!Array.isArray(input.rules)) throw new Error('faults: rules must be an array');
    const ruleKeys = new Set([
      'route',
      'status',
      'body',
      'retryAfterSeconds',
      'times',
      'probability',
      'drop',
      'delayMs',
      'afterBody',
      'transform',
      'withQuery',
    ]);
    faults.rules = input.rules.map((entry: unknown, index) => {
      if (typeof entry !== 'object' || entry === null)
        throw new Error(`faults: rules[${index}] must be an object`);
      const rule = entry as Record<string, unknown>;
      for (const key of Object.keys(rule)) {
        if (!ruleKeys.has(key)) throw new Error(`faults: rules[${index}] has unknown key "${key}"`);
      }
      if (typeof rule.route !== 'string' || !rule.route) {
        throw new Error(`faults: rules[${index}].route must be 'METHOD /route' or '*'`);
      }
      if (
        rule.status !== undefined &&
        (typeof rule.status !== 'number' || rule.status < 100 || rule.status > 599)
      ) {
        throw new Error(`faults: rules[${index}].status must be an HTTP status`);
      }
      const probability = nonNegative(rule.probability, `rules[${index}].probability`);
      if (probability !== undefined && probability > 1) {
        throw new Error(`faults: rules[${index}].probability must be between 0 and 1`);
      }
      nonNegative(rule.times, `rules[${index}].times`);
      if (rule.withQuery !== undefined && (typeof rule.withQuery !== 'string' || !rule.withQuery)) {
        throw new Error(`faults: rules[${index}].withQuery must be a query parameter name`);
      }
      nonNegative(rule.delayMs, `rules[${index}].delayMs`);
      nonNegative(rule.retryAfterSeconds, `rules[${index}].retryAfterSeconds`);
      if (rule.transform !== undefined && typeof rule.transform !== 'function') {
        throw new Error(`faults: rules[${index}].transform must be a function (from code only)`);
      }
      if (
        rule.status === undefined &&
        !rule.drop &&
        rule.delayMs === undefined &&
        rule.transform === undefined
      ) {
        throw new Error(`faults: rules[${index}] needs status, drop, delayMs or transform`);
      }
      return rule as unknown as FaultRule;
    });
  }
  return faults;
}

function routeKey(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  return `${request.method} ${url ?? '(no route)'}`;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export async function startEmulator<S>(
  def: EmulatorDefinition<S>,
  opts: StartOptions = {},
): Promise<RunningEmulator> {
  let state: S = opts.seed === undefined ? def.emptyState() : def.loadSeed(opts.seed);
  let faults: Faults = opts.latencyMs ? { latencyMs: opts.latencyMs } : {};
  let ruleUses = new Map<FaultRule, number>();
  let tokenUses = new Map<string, number>();
  let counts: Record<string, number> = {};
  // Tokens outlive a replaced state in the logs of whoever used them: collected as they appear.
  const secretsSeen = new Set<string>();
  const collectSecrets = () => {
    for (const secret of def.issuedSecrets?.(state) ?? []) secretsSeen.add(secret);
  };
  const pendingAfterBody = new WeakMap<FastifyRequest, FaultDecision>();

  const setFaults = (next: Faults) => {
    faults = next;
    ruleUses = new Map();
    tokenUses = new Map();
  };

  // Seeds of 50 000 cases arrive through PUT /__emulator/state.
  const app = Fastify({ logger: false, bodyLimit: 512 * 1024 * 1024 });

  // Both real systems accept `Content-Type: application/json` with an empty body (language-http
  // sets that header on every request, GET and DELETE included); fastify would answer 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const source = String(text);
    if (source.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(source));
    } catch {
      const error = new Error('Body is not valid JSON') as Error & { statusCode: number };
      error.statusCode = 400;
      done(error, undefined);
    }
  });

  const ctx: EmulatorContext<S> = {
    state: () => state,
    faults: () => faults,
    tokenExpired: (token: string) => {
      const limit = faults.tokenExpiryAfterRequests;
      const used = (tokenUses.get(token) ?? 0) + 1;
      tokenUses.set(token, used);
      return limit !== undefined && used > limit;
    },
  };

  const pickRule = (key: string, query: URLSearchParams): FaultRule | undefined => {
    for (const rule of faults.rules ?? []) {
      if (rule.route !== '*' && rule.route !== key) continue;
      if (rule.withQuery !== undefined && !query.has(rule.withQuery)) continue;
      const used = ruleUses.get(rule) ?? 0;
      if (rule.times !== undefined && used >= rule.times) continue;
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      ruleUses.set(rule, used + 1);
      return rule;
    }
    return undefined;
  };

  const faultPayload = (
    rule: FaultRule,
    request: FastifyRequest,
  ): { body: string; type: string } => {
    const status = rule.status ?? 500;
    const body =
      rule.body !== undefined
        ? rule.body
        : def.faultBody?.(status, request.url.split('?')[0] ?? '/');
    // A string body is sent as-is (HTML error pages from a proxy are what clients must survive).
    if (typeof body === 'string') return { body, type: 'text/html; charset=utf-8' };
    return {
      body: JSON.stringify(body ?? { error: `scripted ${status}` }),
      type: 'application/json; charset=utf-8',
    };
  };

  const dropConnection = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    request.raw.socket.destroy();
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith(ADMIN_PREFIX)) {
      if (!isLoopback(request.socket.remoteAddress)) {
        return reply
          .code(403)
          .send({ error: 'the emulator admin surface answers loopback clients only' });
      }
      return;
    }
    const key = routeKey(request);
    counts[key] = (counts[key] ?? 0) + 1;
    const rule = pickRule(key, new URLSearchParams(request.url.split('?')[1] ?? ''));
    // With afterBody the rule's delay comes after the write: a slow answer to a saved write.
    const delay = (faults.latencyMs ?? 0) + (rule && !rule.afterBody ? (rule.delayMs ?? 0) : 0);
    if (delay > 0) await sleep(delay);
    if (rule?.afterBody || rule?.transform) {
      pendingAfterBody.set(request, { rule });
      return;
    }
    if (!rule || (rule.status === undefined && !rule.drop)) return;
    if (rule.drop) return dropConnection(request, reply);
    const { body, type } = faultPayload(rule, request);
    if (rule.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(rule.retryAfterSeconds));
    return reply
      .code(rule.status ?? 500)
      .type(type)
      .send(body);
  });

  // A lost response: the handler has already changed the state; the client never learns it.
  app.addHook('onSend', async (request, reply, payload) => {
    collectSecrets();
    const pending = pendingAfterBody.get(request);
    if (!pending) return payload;
    pendingAfterBody.delete(request);
    const { rule } = pending;
    if (rule.transform) {
      const text = typeof payload === 'string' ? payload : String(payload ?? '');
      return JSON.stringify(rule.transform(text.trim() === '' ? undefined : JSON.parse(text)));
    }
    if (rule.delayMs) await sleep(rule.delayMs);
    if (rule.status === undefined && !rule.drop) return payload;
    if (rule.drop) {
      request.raw.socket.destroy();
      return payload;
    }
    const { body, type } = faultPayload(rule, request);
    if (rule.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(rule.retryAfterSeconds));
    reply.code(rule.status ?? 500).type(type);
    return body;
  });

  app.get(`${ADMIN_PREFIX}/state`, async () => (def.exportState ? def.exportState(state) : state));
  app.put(`${ADMIN_PREFIX}/state`, async (request, reply) => {
    try {
      collectSecrets();
      state = def.loadSeed(request.body);
    } catch (error) {
      return reply.code(400).send({ error: `seed rejected: ${(error as Error).message}` });
    }
    return { ok: true };
  });
  app.get(`${ADMIN_PREFIX}/requests`, async () => counts);
  app.delete(`${ADMIN_PREFIX}/requests`, async () => {
    counts = {};
    return { ok: true };
  });
  app.get(`${ADMIN_PREFIX}/faults`, async () => faults);
  app.put(`${ADMIN_PREFIX}/faults`, async (request, reply) => {
    try {
      setFaults(parseFaults(request.body));
    } catch (error) {
      return reply.code(400).send({ error: (error as Error).message });
    }
    return { ok: true };
  });
  app.delete(`${ADMIN_PREFIX}/faults`, async () => {
    setFaults({});
    return { ok: true };
  });

  def.register(app, ctx);

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    name: def.name,
    url: `http://${urlHost}:${port}`,
    close: async () => {
      // Keep-alive sockets of clients would otherwise hold close() open.
      app.server.closeAllConnections();
      await app.close();
    },
    state: () => (def.exportState ? def.exportState(state) : state),
    requestCounts: () => ({ ...counts }),
    setFaults: (f: Faults) => setFaults(parseFaults(f)),
    loadSeed: (seed: unknown) => {
      collectSecrets();
      state = def.loadSeed(seed);
    },
    issuedSecrets: () => {
      collectSecrets();
      return [...secretsSeen];
    },
  };
}
