// The admin console: a fastify server that renders plain HTML pages. Every page and action is
// behind the admin sign-in; every action (POST) must come from the console's own pages (Origin /
// Sec-Fetch-Site check and the session's anti-forgery token); pages carry a strict
// Content-Security-Policy with a per-response nonce for the one inline stylesheet and script.
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { log } from '../log.ts';
import { parseSince } from '../runner/run-once.ts';
import { SESSION_COOKIE, Sessions, SignInBrake, sameSecret } from './auth.ts';
import type { Session, SignInBrakeOptions } from './auth.ts';
import type { ConsoleBackend, RunRequest } from './backend.ts';
import type { SafeHtml } from './html.ts';
import { LiveRuns } from './live-runs.ts';
import { NOTICES, overviewPage } from './views/overview.ts';
import type { NoticeCode } from './views/overview.ts';
import {
  backfillConfirmPage,
  deadLettersPage,
  liveRunPage,
  messagePage,
  signInPage,
} from './views/pages.ts';
import { runDetailPage } from './views/runs.ts';
import { historyPageView } from './views/history.ts';
import { parseHistoryFilter } from './run-history.ts';
import { localDay } from '../runner/local-time.ts';
import { tracePage } from './views/trace.ts';

export interface ConsoleOptions {
  backend: ConsoleBackend;
  /** INTEROP_ADMIN_PASSWORD, or the token printed at start when none is configured. */
  adminSecret: string;
  /** True when `adminSecret` is a printed token (the sign-in page says where to find it). */
  usesToken?: boolean;
  /**
   * Host names (no port) the console answers to. Set for a loopback binding so that a web page
   * reached through DNS rebinding cannot talk to it; undefined answers to any name.
   */
  allowedHostnames?: string[];
  sessionIdleMs?: number;
  signInBrake?: SignInBrakeOptions;
}

export const LOOPBACK_HOSTNAMES = ['127.0.0.1', 'localhost', '::1'];

interface RequestContext {
  nonce: string;
  session?: Session;
}

const PUBLIC_ROUTES = new Set(['GET /sign-in', 'POST /sign-in']);
const FORM_BODY_LIMIT = 16 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  return host.split(':')[0]?.toLowerCase();
}

/**
 * Whether a POST comes from the console's own pages. Browsers send Origin on every POST and
 * Sec-Fetch-Site on modern ones; clients that send neither (curl, tests) still need the token.
 */
function sameOrigin(request: FastifyRequest): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (!URL.canParse(origin)) return false;
  return new URL(origin).host === request.headers.host;
}

function formField(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The page for a run id the store does not hold. */
function runNotFound(reply: FastifyReply, user: Parameters<typeof messagePage>[2]): FastifyReply {
  return sendPage(reply, messagePage('Run not found', 'There is no run with this id.', user), 404);
}

function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.markup);
}

export interface ConsoleApp {
  app: FastifyInstance;
  /** Runs started from the console, followed live. */
  liveRuns: LiveRuns;
}

export function buildConsole(options: ConsoleOptions): ConsoleApp {
  const app = Fastify({ logger: false, bodyLimit: FORM_BODY_LIMIT });
  const sessions = new Sessions(options.sessionIdleMs);
  const brake = new SignInBrake(options.signInBrake);
  const live = new LiveRuns(options.backend);
  const contexts = new WeakMap<FastifyRequest, RequestContext>();
  const allowed = options.allowedHostnames?.map((name) => name.toLowerCase());
  const usesToken = options.usesToken ?? false;

  const context = (request: FastifyRequest): RequestContext => contexts.get(request)!;
  const signedIn = (request: FastifyRequest) => {
    const { nonce, session } = context(request);
    return { nonce, csrfToken: session!.csrfToken };
  };

  // Only HTML forms post here: JSON and other bodies are refused (415) rather than half-understood.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.addHook('onRequest', async (request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    reply.headers({
      'content-security-policy':
        `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; ` +
        "connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      // Not `no-referrer`: under it browsers send `Origin: null` on form posts, which the
      // cross-site check must refuse. `same-origin` still keeps URLs from leaving the console.
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    const hostname = hostnameOf(request.headers.host);
    if (allowed && (!hostname || !allowed.includes(hostname))) {
      return reply
        .code(421)
        .type('text/plain')
        .send('This console answers only on the address it was started on.');
    }
    const session = sessions.touch(cookieValue(request.headers.cookie, SESSION_COOKIE));
    contexts.set(request, { nonce, ...(session ? { session } : {}) });
    const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
    if (session || PUBLIC_ROUTES.has(route)) return;
    if (request.method === 'GET' && !request.url.endsWith('.json'))
      return reply.redirect('/sign-in', 303);
    return reply.code(401).type('application/json').send({ error: 'Sign in first: open /sign-in' });
  });

  // Cross-site requests are refused before the body is even looked at; then the token is checked.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const { nonce, session } = context(request);
    const refuse = (reason: string) => {
      log.warn(`Console refused ${request.method} ${request.url}: ${reason}`);
      return sendPage(
        reply,
        messagePage(
          'Refused',
          `This action was refused (${reason}). Reload the page and try again.`,
          {
            nonce,
            ...(session ? { csrfToken: session.csrfToken } : {}),
          },
        ),
        403,
      );
    };
    if (!sameOrigin(request)) return refuse('it did not come from a console page');
    if (request.url === '/sign-in') return;
    const token = formField(request.body, '_csrf');
    if (!session || !token || !sameSecret(token, session.csrfToken)) {
      return refuse('the anti-forgery token is missing or out of date');
    }
  });

  app.get('/sign-in', async (request, reply) => {
    if (context(request).session) return reply.redirect('/', 303);
    return sendPage(reply, signInPage({ nonce: context(request).nonce, usesToken }));
  });

  app.post('/sign-in', async (request, reply) => {
    const { nonce, session: previous } = context(request);
    const client = request.ip;
    // Each attempt waits for its turn, then is checked: a guesser is slowed, the right password
    // still gets in. Only a flood of waiting attempts from one computer is turned away.
    const wait = brake.turn(client);
    if (wait === undefined) {
      const seconds = Math.max(1, Math.ceil(brake.waitFor(client) / 1000));
      reply.header('retry-after', String(seconds));
      const error = `Too many sign-in attempts waiting from this computer: wait ${seconds} s before trying again.`;
      return sendPage(reply, signInPage({ nonce, error, usesToken }), 429);
    }
    if (wait > 0) await sleep(wait);
    const password = formField(request.body, 'password') ?? '';
    if (password !== '' && sameSecret(password, options.adminSecret)) {
      brake.succeeded(client);
      sessions.end(previous?.id);
      const session = sessions.create();
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict${secure}`,
      );
      log.info(`Console: admin signed in from ${client}`);
      return reply.redirect('/?notice=signed-in', 303);
    }
    const delay = brake.failed(client);
    log.warn(`Console: wrong admin password from ${client}; next attempt accepted in ${delay} ms`);
    await sleep(delay);
    return sendPage(reply, signInPage({ nonce, error: 'Wrong password.', usesToken }), 401);
  });

  app.post('/sign-out', async (request, reply) => {
    sessions.end(context(request).session?.id);
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return reply.redirect('/sign-in', 303);
  });

  app.get('/', async (request, reply) => {
    const notice = (request.query as Record<string, string | undefined>).notice;
    const known = notice && notice in NOTICES ? (notice as NoticeCode) : undefined;
    const overview = await options.backend.overview();
    return sendPage(
      reply,
      overviewPage(overview, { ...signedIn(request), ...(known ? { notice: known } : {}) }),
    );
  });

  app.post('/runs', async (request, reply) => {
    const kind = formField(request.body, 'kind');
    let run: RunRequest;
    if (kind === 'now' || kind === 'dry-run') run = { kind };
    else if (kind === 'backfill') {
      let since: string;
      try {
        since = parseSince(formField(request.body, 'since') ?? '');
      } catch (error) {
        const reason = (error as Error).message.replace('--since', 'The backfill start');
        return sendPage(reply, messagePage('Backfill not started', reason, signedIn(request)), 400);
      }
      if (formField(request.body, 'confirm') !== 'yes') {
        return sendPage(reply, backfillConfirmPage(since, signedIn(request)));
      }
      run = { kind, since };
    } else {
      return sendPage(
        reply,
        messagePage('Unknown action', 'Choose Run now, Dry run or Backfill.', signedIn(request)),
        400,
      );
    }
    const started = live.start(run);
    return reply.redirect(`/live/${started.id}`, 303);
  });

  app.get('/live/:id', async (request, reply) => {
    const run = live.get((request.params as { id: string }).id);
    if (!run) {
      return sendPage(
        reply,
        messagePage(
          'Run not found',
          'This run page has expired; its record is in the run history.',
          signedIn(request),
        ),
        404,
      );
    }
    return sendPage(reply, liveRunPage(run, signedIn(request)));
  });

  app.get('/live/:id/status.json', async (request, reply) => {
    const run = live.get((request.params as { id: string }).id);
    if (!run) return reply.code(404).send({ error: 'unknown run' });
    return {
      state: run.state,
      runId: run.runId ?? null,
      progress: run.progress,
      ok: run.summary?.ok ?? null,
    };
  });

  app.get('/runs', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const today = localDay(Date.now());
    let parsed: ReturnType<typeof parseHistoryFilter>;
    try {
      parsed = parseHistoryFilter(query);
    } catch (error) {
      const view = await options.backend.history({}, 1);
      const reason = `This filter was not understood: ${(error as Error).message}. Showing every run.`;
      return sendPage(
        reply,
        historyPageView(view, { ...signedIn(request), today, error: reason }),
        400,
      );
    }
    const view = await options.backend.history(parsed.filter, parsed.page);
    return sendPage(reply, historyPageView(view, { ...signedIn(request), today }));
  });

  app.get('/runs/:id', async (request, reply) => {
    const run = await options.backend.run((request.params as { id: string }).id);
    if (!run) return runNotFound(reply, signedIn(request));
    return sendPage(reply, runDetailPage(run, signedIn(request)));
  });

  // Retries the run's failed items that are still open, through the same retry path as the CLI's
  // `npx interop retry <run-id>`; a run with none left says so instead of starting an empty run.
  app.post('/runs/:id/retry', async (request, reply) => {
    const run = await options.backend.run((request.params as { id: string }).id);
    if (!run) return runNotFound(reply, signedIn(request));
    if (run.openFailedKeys.length === 0) {
      const error =
        "None of this run's failed items is open any more (they succeeded since, or were retried).";
      return sendPage(reply, runDetailPage(run, { ...signedIn(request), error }), 409);
    }
    const started = live.start({ kind: 'retry-run', runId: run.id });
    return reply.redirect(`/live/${started.id}`, 303);
  });

  // A GET with the id in the query: a trace can be bookmarked and sent to a colleague.
  app.get('/trace', async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).q;
    const query = typeof raw === 'string' ? raw.trim().slice(0, 200) : '';
    const trace =
      query !== '' && options.backend.trace ? await options.backend.trace(query) : undefined;
    return sendPage(reply, tracePage(trace, signedIn(request)));
  });

  app.post('/sign-in/:system/resume', async (request, reply) => {
    const system = (request.params as { system: string }).system;
    if ((system !== 'primero' && system !== 'oscar') || !options.backend.resumeSignIn)
      return reply.redirect('/', 303);
    await options.backend.resumeSignIn(system);
    return reply.redirect('/?notice=resumed', 303);
  });

  app.get('/dead-letters', async (request, reply) => {
    const items = await options.backend.deadLetters();
    return sendPage(reply, deadLettersPage(items, signedIn(request)));
  });

  app.post('/dead-letters/:id/retry', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const items = await options.backend.deadLetters();
    if (!items.some((item) => item.id === id)) {
      const error = 'That dead letter is not open any more (retried or fixed meanwhile).';
      return sendPage(reply, deadLettersPage(items, { ...signedIn(request), error }), 404);
    }
    const started = live.start({ kind: 'retry', deadLetterId: id });
    return reply.redirect(`/live/${started.id}`, 303);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const { nonce, session } = context(request) ?? { nonce: '' };
    return sendPage(
      reply,
      messagePage('Not found', 'There is no such page.', {
        nonce,
        ...(session ? { csrfToken: session.csrfToken } : {}),
      }),
      404,
    );
  });

  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    // The message of an unexpected error is logged (ids and reasons only by construction), never shown.
    if (status === 500)
      log.error(`Console error on ${request.method} ${request.url}: ${error.message ?? 'unknown'}`);
    const { nonce, session } = contexts.get(request) ?? { nonce: '' };
    const text =
      status === 500
        ? 'Something went wrong; the console log says what.'
        : 'The request could not be understood.';
    return sendPage(
      reply,
      messagePage(status === 500 ? 'Error' : 'Bad request', text, {
        nonce,
        ...(session ? { csrfToken: session.csrfToken } : {}),
      }),
      status,
    );
  });

  return { app, liveRuns: live };
}

export interface RunningConsole {
  /** http://host:port */
  url: string;
  app: FastifyInstance;
  /** Stops accepting requests, then waits for runs started from the console to finish. */
  close(): Promise<void>;
}

/** Starts the console on `host` (default 127.0.0.1; only loopback names are accepted there). */
export async function startConsole(
  options: ConsoleOptions & { host?: string; port?: number },
): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const loopback = LOOPBACK_HOSTNAMES.includes(host) || host === 'localhost';
  const { app, liveRuns } = buildConsole({
    ...options,
    ...(options.allowedHostnames ? {} : loopback ? { allowedHostnames: LOOPBACK_HOSTNAMES } : {}),
  });
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    app,
    async close() {
      await app.close();
      await liveRuns.settled();
    },
  };
}
