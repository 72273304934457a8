// The Primero API v2 routes the sync uses, with Primero's status codes and error envelope
// (apis.md §1), the sign-in of the emulator's profile (demo/primero/profile.ts), the write rules
// (write-rules.ts), the owner revert and the group scope (scope.ts) of apis.md §3.1.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_PREFIX } from '../common/harness.ts';
import type { EmulatorContext } from '../common/harness.ts';
import {
  CSRF_COOKIE,
  SESSION_COOKIE,
  basicAuthUser,
  cookieValue,
  issueToken,
  openSession,
  signIn,
  verifyToken,
} from './auth.ts';
import { BadFilterError, changedKeys, listCases, mergeCase, recomputeWorkflow } from './cases.ts';
import { PROFILE_RULES } from './profile.ts';
import { canSee } from './scope.ts';
import { candidateCases, caseIdDisplay, ensureRowIds, nowIso, storeCase } from './state.ts';
import type { CaseRecord, PrimeroState, PrimeroUser, ReferralRecord } from './state.ts';
import { admitCaseWrite } from './write-rules.ts';

export function primeroErrorBody(
  status: number,
  resource: string,
  message: unknown,
  detail?: unknown,
) {
  const error: Record<string, unknown> = { status, resource, message };
  if (detail !== undefined) error.detail = detail;
  return { errors: [error] };
}

function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  message: unknown,
  detail?: unknown,
) {
  return reply
    .code(status)
    .send(primeroErrorBody(status, request.url.split('?')[0] ?? '/', message, detail));
}

/** Primero's 404 for a case id it does not hold (Rails' RecordNotFound message as detail). */
const caseNotFound = (reply: FastifyReply, request: FastifyRequest, id: string) =>
  sendError(reply, request, 404, 'Not Found', `Couldn't find Child with 'id'=${id}`);

/** Primero's 422 when the body has no `data` object (strong params' ParameterMissing). */
const dataMissing = (reply: FastifyReply, request: FastifyRequest) =>
  sendError(reply, request, 422, 'param is missing or the value is empty: data');

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The owner Primero keeps: an `owned_by` naming no user is reverted to the value before the write
 * (app/models/concerns/ownable.rb `update_owned_by` / `revert_owned_by`, HEAD l.79-96); on create
 * that is nil, so the case is left with no owner. The owner's agency follows the owner.
 */
function applyOwner(state: PrimeroState, before: CaseRecord | undefined, after: CaseRecord): void {
  const owner = after.owned_by;
  if (typeof owner !== 'string' || owner === '' || owner === before?.owned_by) return;
  const user = state.users.get(owner);
  if (!user) {
    after.owned_by = before?.owned_by ?? null;
    after.owned_by_agency_id = before?.owned_by_agency_id ?? null;
    return;
  }
  after.owned_by_agency_id = user.agency ?? null;
}

/** What GET returns for a case: the stored record plus `enabled` (= record_state). */
function present(record: CaseRecord): Record<string, unknown> {
  return { ...record, enabled: record.record_state !== false };
}

/** Primero's write answers carry id, enabled and only the fields that changed. */
function changedOnly(before: CaseRecord | undefined, after: CaseRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { id: after.id, enabled: after.record_state !== false };
  for (const key of changedKeys(before, after)) out[key] = after[key];
  return out;
}

const CASES = '/api/v2/cases';

export function registerPrimeroRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext<PrimeroState>,
): void {
  const users = new WeakMap<FastifyRequest, PrimeroUser>();
  const rules = () => PROFILE_RULES[ctx.state().profile];

  app.setNotFoundHandler((request, reply) => sendError(reply, request, 404, 'Not Found'));
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    return sendError(
      reply,
      request,
      status,
      status === 400 ? 'Bad Request' : (error.message ?? 'Internal Server Error'),
    );
  });

  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const state = ctx.state();
    const header = request.headers.authorization ?? '';
    // HTTP Basic works on every request of every version and skips CSRF
    // (HEAD app/controllers/concerns/csrf_protection.rb `use_csrf_protection?`, l.23-31).
    if (header.startsWith('Basic ')) {
      const user = basicAuthUser(state, header);
      if (!user)
        return sendError(reply, request, 401, 'Unauthorized', 'Invalid User name or password.');
      users.set(request, user);
      return;
    }
    if (!rules().issuesTokens) return sessionUser(request, reply);
    if (!header.startsWith('Bearer '))
      return sendError(reply, request, 401, 'Unauthorized', 'token missing');
    const token = header.slice('Bearer '.length).trim();
    const check = verifyToken(state, token);
    if (!check.ok) return sendError(reply, request, 401, check.reason);
    if (ctx.tokenExpired(token)) return sendError(reply, request, 401, 'Signature has expired');
    users.set(request, check.user);
  };

  /**
   * v2.11+: the native session cookie. A Bearer header is read only in identity-provider mode, so
   * it authenticates nobody here. Writes need X-CSRF-Token = the CSRF-TOKEN cookie
   * (ApplicationApiController `protect_from_forgery with: :exception`, HEAD l.12-13), else 403
   * (HEAD error_service.rb l.18-20, InvalidAuthenticityToken).
   */
  const sessionUser = async (request: FastifyRequest, reply: FastifyReply) => {
    const state = ctx.state();
    const sessionId = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const session = sessionId ? state.sessions.get(sessionId) : undefined;
    const user = session ? state.users.get(session.user_name) : undefined;
    if (!session || !sessionId || !user || ctx.tokenExpired(sessionId))
      return sendError(
        reply,
        request,
        401,
        'Unauthorized',
        'You need to sign in or sign up before continuing.',
      );
    if (request.method !== 'GET' && request.headers['x-csrf-token'] !== session.csrf)
      return sendError(reply, request, 403, "Can't verify CSRF token authenticity.");
    reply.header('set-cookie', `${CSRF_COOKIE}=${session.csrf}; path=/; SameSite=Strict`);
    users.set(request, user);
  };

  // ---- tokens ----
  app.post('/api/v2/tokens', async (request, reply) => {
    const body = isObject(request.body) ? request.body : {};
    const user = isObject(body.user) ? body.user : {};
    const result = signIn(ctx.state(), user.user_name, user.password);
    if (result.outcome === 'throttled') {
      reply.header('retry-after', String(result.retryAfterSeconds));
      return sendError(reply, request, 429, 'Too Many Requests');
    }
    if (result.outcome === 'invalid')
      return reply.code(401).send({ error: 'Invalid User name or password.' });
    if (!rules().issuesTokens) {
      // HEAD tokens_controller.rb l.17-19: no token; the session cookie is the credential.
      const session = openSession(ctx.state(), result.user);
      reply.header('set-cookie', [
        `${SESSION_COOKIE}=${session.id}; path=/; HttpOnly; SameSite=Lax`,
        `${CSRF_COOKIE}=${session.csrf}; path=/; SameSite=Strict`,
      ]);
      return {
        id: result.user.id,
        user_name: result.user.user_name,
        group_permission: result.user.group_permission,
      };
    }
    const token = issueToken(ctx.state(), result.user);
    reply.header('authorization', `Bearer ${token}`);
    return { id: result.user.id, user_name: result.user.user_name, token };
  });

  app.delete('/api/v2/tokens', { preHandler: authenticate }, async (request) => {
    const token = (request.headers.authorization ?? '').slice('Bearer '.length).trim();
    ctx.state().tokens.delete(token);
    const sessionId = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (sessionId) ctx.state().sessions.delete(sessionId);
    return {};
  });

  /** The case if the request's user may see it; else the 404 or 403 has been sent. */
  const visibleCase = (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const stored = ctx.state().cases.get(id);
    if (!stored) {
      caseNotFound(reply, request, id);
      return undefined;
    }
    if (!canSee(ctx.state(), users.get(request)!, stored.record)) {
      sendError(reply, request, 403, 'Forbidden');
      return undefined;
    }
    return stored;
  };

  // ---- cases ----
  app.get(CASES, { preHandler: authenticate }, async (request, reply) => {
    const query = request.query as Record<string, string>;
    try {
      // The filters still run on the candidates: the index only narrows where they look.
      const state = ctx.state();
      const user = users.get(request)!;
      const candidates = candidateCases(state, query);
      // A user who sees all skips the per-case check: listings of 50 000 cases stay one pass.
      const visible =
        user.group_permission === 'all'
          ? candidates
          : [...candidates].filter((stored) => canSee(state, user, stored.record));
      const page = listCases(visible, query);
      return {
        data: page.records.map((stored) => present(stored.record)),
        metadata: { total: page.total, per: page.per, page: page.page },
      };
    } catch (error) {
      if (error instanceof BadFilterError) return sendError(reply, request, 500, error.message);
      throw error;
    }
  });

  app.get(`${CASES}/:id`, { preHandler: authenticate }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const stored = visibleCase(request, reply, id);
    if (!stored) return reply;
    return { data: present(stored.record) };
  });

  app.post(CASES, { preHandler: authenticate }, async (request, reply) => {
    const state = ctx.state();
    const body = request.body;
    if (!isObject(body) || !isObject(body.data)) return dataMissing(reply, request);
    const user = users.get(request)!;
    const admitted = admitCaseWrite(state, user, body.data);
    if (!admitted.ok)
      return sendError(reply, request, 422, 'Invalid Record JSON', admitted.pointers);
    const data = admitted.data;
    const clientId = typeof data.id === 'string' ? data.id : undefined;
    // The unique index answers whoever asks, whether or not the case is in the user's scope.
    if (clientId && state.cases.has(clientId)) {
      return sendError(reply, request, 409, 'Conflict: A record with this id already exists');
    }
    const now = nowIso();
    const caseId = randomUUID();
    const record: CaseRecord = {
      ...structuredClone(data),
      id: clientId ?? randomUUID(),
      case_id: caseId,
      case_id_display: caseIdDisplay(caseId),
      short_id: caseIdDisplay(caseId),
      status: data.status ?? 'open',
      record_state: data.record_state ?? true,
      workflow: 'new',
      owned_by: data.owned_by ?? user.user_name,
      owned_by_agency_id: user.agency ?? null,
      created_by: user.user_name,
      created_at: now,
      last_updated_at: now,
    };
    applyOwner(state, undefined, record);
    ensureRowIds(record);
    recomputeWorkflow(record);
    storeCase(state, record);
    if (clientId) return reply.code(204).send();
    return { data: changedOnly(undefined, record) };
  });

  app.patch(`${CASES}/:id`, { preHandler: authenticate }, async (request, reply) => {
    const state = ctx.state();
    const { id } = request.params as { id: string };
    const stored = visibleCase(request, reply, id);
    if (!stored) return reply;
    const body = request.body;
    if (!isObject(body) || !isObject(body.data)) return dataMissing(reply, request);
    const admitted = admitCaseWrite(state, users.get(request)!, body.data);
    const invalid = admitted.ok ? [] : admitted.pointers;
    if (body.data.id !== undefined && body.data.id !== id) invalid.push('/id');
    if (!admitted.ok || invalid.length)
      return sendError(reply, request, 422, 'Invalid Record JSON', invalid);
    const before = stored.record;
    const record = mergeCase(before, admitted.data);
    applyOwner(state, before, record);
    ensureRowIds(record);
    if (JSON.stringify(record.services_section) !== JSON.stringify(before.services_section))
      recomputeWorkflow(record);
    record.last_updated_at = nowIso();
    storeCase(state, record);
    return { data: changedOnly(before, record) };
  });

  // ---- referrals ----
  const referralsPath = `${CASES}/:id/referrals`;

  app.get(referralsPath, { preHandler: authenticate }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!visibleCase(request, reply, id)) return reply;
    return { data: ctx.state().referralsByCase.get(id) ?? [] };
  });

  app.post(referralsPath, { preHandler: authenticate }, async (request, reply) => {
    const state = ctx.state();
    const { id } = request.params as { id: string };
    const stored = visibleCase(request, reply, id);
    if (!stored) return reply;
    const body = request.body;
    if (!isObject(body) || !isObject(body.data)) return dataMissing(reply, request);
    const data = body.data;
    const remote = data.remote === true || data.remote === 'true';
    const errors: Array<Record<string, unknown>> = [];
    const resource = request.url.split('?')[0] ?? '/';
    if (!remote && (typeof data.transitioned_to !== 'string' || data.transitioned_to === '')) {
      errors.push({
        status: 422,
        resource,
        message: ["can't be blank"],
        detail: 'transitioned_to',
      });
    }
    const record = stored.record;
    const consented = record.disclosure_other_orgs === true && record.consent_for_services === true;
    if (record.module_id === 'primeromodule-cp' && !consented && data.consent_overridden !== true) {
      errors.push({
        status: 422,
        resource,
        message: ['Consent is required to refer this record'],
        detail: 'consent',
      });
    }
    if (errors.length) return reply.code(422).send({ errors });

    const user = users.get(request)!;
    const referral: ReferralRecord = {
      id: randomUUID(),
      type: 'Referral',
      status: 'in_progress',
      record_id: id,
      record_type: 'case',
      transitioned_by: user.user_name,
      remote,
      created_at: nowIso(),
      record_access_denied: false,
      user_can_accept_or_reject: !remote,
    };
    for (const key of [
      'transitioned_to',
      'transitioned_to_remote',
      'transitioned_to_agency',
      'service',
      'service_record_id',
      'type_of_export',
      'notes',
      'consent_overridden',
    ]) {
      if (data[key] !== undefined && data[key] !== null) referral[key] = data[key];
    }
    const before = record;
    const after: CaseRecord = structuredClone(record);
    const rows = Array.isArray(after.services_section)
      ? (after.services_section as Record<string, unknown>[])
      : [];
    const row = rows.find((r) => r.unique_id === referral.service_record_id);
    if (row) row.service_status_referred = true;
    if (!remote && typeof referral.transitioned_to === 'string') {
      const assigned = Array.isArray(after.assigned_user_names)
        ? (after.assigned_user_names as string[])
        : [];
      if (!assigned.includes(referral.transitioned_to))
        after.assigned_user_names = [...assigned, referral.transitioned_to];
    }
    after.last_updated_at = nowIso();
    storeCase(state, after);
    const list = state.referralsByCase.get(id) ?? [];
    list.push(referral);
    state.referralsByCase.set(id, list);
    return { data: { ...referral, record: changedOnly(before, after) } };
  });

  app.patch(
    `${referralsPath}/:referralId`,
    { preHandler: authenticate },
    async (request, reply) => {
      const state = ctx.state();
      const { id, referralId } = request.params as { id: string; referralId: string };
      const stored = visibleCase(request, reply, id);
      if (!stored) return reply;
      const referral = (state.referralsByCase.get(id) ?? []).find((r) => r.id === referralId);
      if (!referral)
        return sendError(
          reply,
          request,
          404,
          'Not Found',
          `Couldn't find Referral with 'id'=${referralId}`,
        );
      const data = isObject(request.body) && isObject(request.body.data) ? request.body.data : {};
      const before = stored.record;
      const after: CaseRecord = structuredClone(before);
      let recordChanged = false;
      const now = nowIso();
      const rows = Array.isArray(after.services_section)
        ? (after.services_section as Record<string, unknown>[])
        : [];
      const row = rows.find((r) => r.unique_id === referral.service_record_id);

      // Referral#process!: an illegal or repeated transition is a silent no-op answered 200.
      if (data.status === 'accepted' && referral.status === 'in_progress') {
        referral.status = 'accepted';
        referral.responded_at = now;
      } else if (data.status === 'rejected' && referral.status === 'in_progress') {
        referral.status = 'rejected';
        referral.responded_at = now;
        if (data.rejected_reason !== undefined) referral.rejected_reason = data.rejected_reason;
        if (data.rejection_note !== undefined) referral.rejection_note = data.rejection_note;
        const assigned = Array.isArray(after.assigned_user_names)
          ? (after.assigned_user_names as string[])
          : [];
        if (assigned.includes(String(referral.transitioned_to))) {
          after.assigned_user_names = assigned.filter((name) => name !== referral.transitioned_to);
          recordChanged = true;
        }
      } else if (data.status === 'done' && referral.status === 'accepted') {
        referral.status = 'done';
        if (data.rejection_note !== undefined) referral.rejection_note = data.rejection_note;
        if (row) {
          row.service_implemented = 'implemented';
          row.service_implemented_day_time ??= now;
          if (referral.rejection_note !== undefined)
            row.note_on_referral_from_provider = referral.rejection_note;
          recordChanged = true;
        }
      }
      if (recordChanged) {
        after.last_updated_at = now;
        recomputeWorkflow(after);
        storeCase(state, after);
      }
      return {
        data: {
          ...referral,
          record: recordChanged
            ? changedOnly(before, after)
            : { id, enabled: before.record_state !== false },
        },
      };
    },
  );

  app.delete(
    `${referralsPath}/:referralId`,
    { preHandler: authenticate },
    async (request, reply) => {
      const state = ctx.state();
      const { id, referralId } = request.params as { id: string; referralId: string };
      const referral = (state.referralsByCase.get(id) ?? []).find((r) => r.id === referralId);
      if (!referral)
        return sendError(
          reply,
          request,
          404,
          'Not Found',
          `Couldn't find Referral with 'id'=${referralId}`,
        );
      if (referral.status === 'in_progress') referral.status = 'revoked';
      return { data: referral };
    },
  );
  // ---- admin: a late commit (apis.md §3.1 P5) ----
  // Primero stamps last_updated_at in before_save (app/models/concerns/historical.rb
  // `update_last_updated_at`, HEAD l.27 and l.76-80), before the transaction commits: a slow
  // transaction makes a case visible only after a listing has already seen later timestamps. This
  // commits `data` (a case write, merged like a PATCH, or created) stamped `last_updated_at`, now,
  // with the `referrals` of that case made in the same transaction.
  app.post(`${ADMIN_PREFIX}/late-commit`, async (request, reply) => {
    const state = ctx.state();
    const body = isObject(request.body) ? request.body : {};
    const data = isObject(body.data) ? body.data : undefined;
    const stamped =
      typeof body.last_updated_at === 'string' ? Date.parse(body.last_updated_at) : NaN;
    if (!data || typeof data.id !== 'string' || Number.isNaN(stamped)) {
      return reply.code(400).send({
        error:
          'late-commit needs {data: {id, ...case fields}, last_updated_at: ISO-8601, referrals?: [...]}',
      });
    }
    const existing = state.cases.get(data.id);
    const stampedAt = new Date(stamped).toISOString();
    let record: CaseRecord;
    if (existing) {
      record = mergeCase(existing.record, data);
    } else {
      const caseId = typeof data.case_id === 'string' ? data.case_id : randomUUID();
      record = {
        status: 'open',
        record_state: true,
        workflow: 'new',
        ...structuredClone(data),
        id: data.id,
        case_id: caseId,
        case_id_display: caseIdDisplay(caseId),
        short_id: caseIdDisplay(caseId),
        created_at: stampedAt,
      };
    }
    record.last_updated_at = stampedAt;
    ensureRowIds(record);
    recomputeWorkflow(record);
    storeCase(state, record);
    // Referrals made in the same transaction become visible with it.
    const referrals = Array.isArray(body.referrals) ? body.referrals.filter(isObject) : [];
    const list = state.referralsByCase.get(record.id) ?? [];
    for (const referral of referrals) {
      list.push({
        type: 'Referral',
        record_type: 'case',
        status: 'in_progress',
        remote: false,
        created_at: stampedAt,
        ...structuredClone(referral),
        id: typeof referral.id === 'string' ? referral.id : randomUUID(),
        record_id: record.id,
      } as ReferralRecord);
    }
    if (referrals.length) state.referralsByCase.set(record.id, list);
    return { ok: true, id: record.id };
  });
}
