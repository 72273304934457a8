// The OSCaR interop v1 routes and the OSCaR part of the admin surface, on the shared harness.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_PREFIX } from '../common/harness.ts';
import type { EmulatorContext } from '../common/harness.ts';
import { AdminRequestError, acceptReferral, editClient } from './accept-referral.ts';
import { UNAUTHENTICATED, sessionFor, signIn } from './auth.ts';
import { UnparseableTimeError, listClients } from './list-clients.ts';
import type { Caller } from './list-clients.ts';
import type { OscarState } from './state.ts';
import { nowOf } from './state.ts';
import { updateLinks } from './update-links.ts';
import { updateStatuses } from './update-statuses.ts';
import { OscarServerError, upsertClient } from './upsert.ts';
import type { EmulatorReply } from './upsert.ts';

export const OSCAR_ADMIN_PREFIX = `${ADMIN_PREFIX}/oscar`;

/** What Rails renders for an exception in production: no details of the record. */
export const INTERNAL_ERROR = { status: 500, error: 'Internal Server Error' };

type Query = Record<string, unknown>;

function firstString(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : undefined;
}

// The jobs call the write routes with a trailing slash, which Rails tolerates.
const withTrailingSlash = (path: string) => [path, `${path}/`];

export function registerOscarRoutes(app: FastifyInstance, ctx: EmulatorContext<OscarState>): void {
  const send = (reply: FastifyReply, result: EmulatorReply) =>
    reply.code(result.status).send(result.body);

  const guarded = async (
    reply: FastifyReply,
    work: () => EmulatorReply | Promise<EmulatorReply>,
  ) => {
    try {
      return send(reply, await work());
    } catch (error) {
      if (error instanceof OscarServerError || error instanceof UnparseableTimeError) {
        return reply.code(500).send(INTERNAL_ERROR);
      }
      throw error;
    }
  };

  /** authenticate_api_admin_user!: the caller, or undefined after answering 401. */
  const authenticate = (request: FastifyRequest, reply: FastifyReply): Caller | undefined => {
    const state = ctx.state();
    const session = sessionFor(state, request.headers, request.query as Query, nowOf(state));
    if (!session || ctx.tokenExpired(session.token)) {
      void reply.code(401).send(UNAUTHENTICATED);
      return undefined;
    }
    const system = state.externalSystems.find((s) => s.token === session.uid);
    // ExternalSystem.find_by(token: email).name on nil: a 500 in OSCaR.
    if (!system) {
      void reply.code(500).send(INTERNAL_ERROR);
      return undefined;
    }
    return { systemName: system.name, uid: session.uid };
  };

  app.post('/api/v1/admin_auth/sign_in', async (request, reply) => {
    const state = ctx.state();
    const result = signIn(state, request.body, nowOf(state));
    for (const [name, value] of Object.entries(result.headers)) reply.header(name, value);
    return send(reply, result);
  });

  app.get('/api/v1/organizations/clients', async (request, reply) => {
    const caller = authenticate(request, reply);
    if (!caller) return reply;
    const query = request.query as Query;
    return guarded(reply, () => {
      const sinceDate = firstString(query.since_date);
      const endDate = firstString(query.end_date);
      const data = listClients(ctx.state(), caller, {
        ...(sinceDate !== undefined ? { sinceDate } : {}),
        ...(endDate !== undefined ? { endDate } : {}),
      });
      return { status: 200, body: { data } };
    });
  });

  for (const path of withTrailingSlash('/api/v1/organizations/clients/upsert')) {
    app.post(path, async (request, reply) => {
      const caller = authenticate(request, reply);
      if (!caller) return reply;
      return guarded(reply, () =>
        upsertClient(ctx.state(), request.body, caller, nowOf(ctx.state())),
      );
    });
  }

  for (const path of withTrailingSlash('/api/v1/organizations/clients/update_links')) {
    app.put(path, async (request, reply) => {
      if (!authenticate(request, reply)) return reply;
      return guarded(reply, () => updateLinks(ctx.state(), request.body, nowOf(ctx.state())));
    });
  }

  // No authentication filter on this action in OSCaR.
  for (const path of withTrailingSlash('/api/v1/organizations/referrals/update_statuses')) {
    app.put(path, async (request, reply) =>
      guarded(reply, () => updateStatuses(ctx.state(), request.body, nowOf(ctx.state()))),
    );
  }

  app.get('/api/v1/organizations', async () =>
    ctx
      .state()
      .tenants.map((t) => ({ id: t.id, full_name: t.full_name, short_name: t.short_name })),
  );

  const admin = async (reply: FastifyReply, work: () => unknown) => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AdminRequestError) return reply.code(400).send({ error: error.message });
      throw error;
    }
  };

  app.post(`${OSCAR_ADMIN_PREFIX}/accept-referral`, async (request, reply) =>
    admin(reply, () => {
      const state = ctx.state();
      const client = acceptReferral(state, request.body, nowOf(state));
      return { ok: true, client_id: client.id, global_id: client.global_id, slug: client.slug };
    }),
  );

  app.patch(`${OSCAR_ADMIN_PREFIX}/clients/:globalId`, async (request, reply) =>
    admin(reply, () => {
      const state = ctx.state();
      const { globalId } = request.params as { globalId: string };
      const client = editClient(state, globalId, request.body, nowOf(state));
      return {
        ok: true,
        client_id: client.id,
        global_id: client.global_id,
        updated_at: client.updated_at,
      };
    }),
  );

  app.get(`${OSCAR_ADMIN_PREFIX}/clock`, async () => ({
    now: nowOf(ctx.state()).toISOString(),
    fixed: ctx.state().fixedNow !== null,
  }));
  app.put(`${OSCAR_ADMIN_PREFIX}/clock`, async (request, reply) =>
    admin(reply, () => {
      const input = (request.body ?? {}) as { now?: unknown };
      if (input.now === null || input.now === undefined) {
        ctx.state().fixedNow = null;
      } else {
        const parsed = typeof input.now === 'string' ? Date.parse(input.now) : NaN;
        if (Number.isNaN(parsed))
          throw new AdminRequestError('clock: now must be an ISO-8601 timestamp or null');
        ctx.state().fixedNow = new Date(parsed).toISOString();
      }
      return { ok: true, now: nowOf(ctx.state()).toISOString() };
    }),
  );
}
