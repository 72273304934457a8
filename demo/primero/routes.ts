// The Primero API v2 routes the sync uses, with Primero's status codes and error envelope
// (apis.md §1). Every authenticated user sees every case (see demo/README.md, differences).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidCaseWritePointers } from '../../src/model/primero.ts';
import type { EmulatorContext } from '../common/harness.ts';
import { basicAuthUser, issueToken, signIn, verifyToken } from './auth.ts';
import { BadFilterError, changedKeys, listCases, mergeCase, recomputeWorkflow } from './cases.ts';
import { candidateCases, caseIdDisplay, ensureRowIds, nowIso, storeCase } from './state.ts';
import type { CaseRecord, PrimeroState, PrimeroUser, ReferralRecord } from './state.ts';

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
    if (header.startsWith('Basic ')) {
      const user = basicAuthUser(state, header);
      if (!user)
        return sendError(reply, request, 401, 'Unauthorized', 'Invalid User name or password.');
      users.set(request, user);
      return;
    }
    if (!header.startsWith('Bearer '))
      return sendError(reply, request, 401, 'Unauthorized', 'token missing');
    const token = header.slice('Bearer '.length).trim();
    const check = verifyToken(state, token);
    if (!check.ok) return sendError(reply, request, 401, check.reason);
    if (ctx.tokenExpired(token)) return sendError(reply, request, 401, 'Signature has expired');
    users.set(request, check.user);
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
    const token = issueToken(ctx.state(), result.user);
    reply.header('authorization', `Bearer ${token}`);
    return { id: result.user.id, user_name: result.user.user_name, token };
  });

  app.delete('/api/v2/tokens', { preHandler: authenticate }, async (request) => {
    const token = (request.headers.authorization ?? '').slice('Bearer '.length).trim();
    ctx.state().tokens.delete(token);
    return {};
  });

  // ---- cases ----
  app.get(CASES, { preHandler: authenticate }, async (request, reply) => {
    const query = request.query as Record<string, string>;
    try {
      // The filters still run on the candidates: the index only narrows where they look.
      const page = listCases(candidateCases(ctx.state(), query), query);
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
    const stored = ctx.state().cases.get(id);
    if (!stored) return caseNotFound(reply, request, id);
    return { data: present(stored.record) };
  });

  app.post(CASES, { preHandler: authenticate }, async (request, reply) => {
    const state = ctx.state();
    const body = request.body;
    if (!isObject(body) || !isObject(body.data)) return dataMissing(reply, request);
    const data = body.data;
    const invalid = invalidCaseWritePointers(data);
    if (invalid.length) return sendError(reply, request, 422, 'Invalid Record JSON', invalid);
    const clientId = typeof data.id === 'string' ? data.id : undefined;
    if (clientId && state.cases.has(clientId)) {
      return sendError(reply, request, 409, 'Conflict: A record with this id already exists');
    }
    const user = users.get(request)!;
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
    ensureRowIds(record);
    recomputeWorkflow(record);
    storeCase(state, record);
    if (clientId) return reply.code(204).send();
    return { data: changedOnly(undefined, record) };
  });

  app.patch(`${CASES}/:id`, { preHandler: authenticate }, async (request, reply) => {
    const state = ctx.state();
    const { id } = request.params as { id: string };
    const stored = state.cases.get(id);
    if (!stored) return caseNotFound(reply, request, id);
    const body = request.body;
    if (!isObject(body) || !isObject(body.data)) return dataMissing(reply, request);
    const data = body.data;
    const invalid = invalidCaseWritePointers(data);
    if (data.id !== undefined && data.id !== id) invalid.push('/id');
    if (invalid.length) return sendError(reply, request, 422, 'Invalid Record JSON', invalid);
    const before = stored.record;
    const record = mergeCase(before, data);
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
    if (!ctx.state().cases.has(id)) return caseNotFound(reply, request, id);
    return { data: ctx.state().referralsByCase.get(id) ?? [] };
  });

  app.post(referralsPath, { preHandler: authenticate }, async (request, reply) => {
    const state = ctx.state();
    const { id } = request.params as { id: string };
    const stored = state.cases.get(id);
    if (!stored) return caseNotFound(reply, request, id);
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
      const stored = state.cases.get(id);
      if (!stored) return caseNotFound(reply, request, id);
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
}
