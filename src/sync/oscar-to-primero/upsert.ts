// f2-j2's work for each child: look the case up, plan, write (or plan, in a dry run) and record how
// the child ended. Outages fail the step (the window is run again); bad items are recorded.
import type { PrimeroClient } from '../../clients/primero.ts';
import { log } from '../../log.ts';
import type { CarriedState } from '../../workflow/contract.ts';
import type { Report } from '../../workflow/outcomes.ts';
import {
  recordFailure,
  recordPlanned,
  recordUnchanged,
  recordWritten,
} from '../../workflow/outcomes.ts';
import { isItemError, reasonOf } from '../../workflow/step-context.ts';
import type { FromOscarBatch, OscarChild } from './clients.ts';
import { caseKey, unpackChild } from './clients.ts';
import { findCasesForBatch } from '../case-lookup.ts';
import { PrimeroRecordError } from '../../model/primero.ts';
import { ItemError } from './item-error.ts';
import { chooseCase, lookupOf, planCaseUpsert } from './plan.ts';
import type { CasePlan } from './plan.ts';
import { needsReferrals } from './service-rows.ts';
import { WINDOW_ID, windowStartOf } from './window.ts';

/** The part of the Primero client f2-j2 uses (the scan, when it has it, for batch look-ups). */
export type PrimeroCases = Pick<
  PrimeroClient,
  'findCases' | 'listReferrals' | 'createCase' | 'updateCase' | 'updateReferral'
> &
  Partial<Pick<PrimeroClient, 'listCasesReadable' | 'scanCases' | 'countCases'>>;

export interface UpsertContext {
  primero: PrimeroCases;
  syncUser: string;
  dryRun: boolean;
  concurrency: number;
  report: Report;
  carried: CarriedState;
  /** ISO time of the run, for failure bookkeeping. */
  now: string;
  today: Date;
  /**
   * Asked before each child starts (the run's budget); false leaves it and the rest of the batch
   * for the next run. Absent: every child goes.
   */
  mayStart?: () => boolean;
}

/**
 * Children in parallel up to `concurrency`; the writes of one child stay in order. An outage stops
 * the children not started yet, and the step fails only once none is writing any more: a write
 * must never land after the run that made it has ended (the next run may be under way).
 * `concurrency` lanes take the next child in turn, so only the children being written are decoded
 * and nothing is queued per child: memory stays flat however long the batch.
 */
export async function upsertChildren(
  batch: FromOscarBatch,
  base: UpsertContext,
): Promise<{ started: number }> {
  const ctx: UpsertContext = { ...base, primero: await withBatchLookups(batch, base.primero) };
  const { children } = batch;
  let next = 0;
  let outage: { error: unknown } | undefined;
  const lane = async () => {
    while (!outage && next < children.length) {
      if (ctx.mayStart && !ctx.mayStart()) return;
      const packed = children[next++]!;
      try {
        await upsertChild(unpackChild(packed), batch.since, ctx);
      } catch (error) {
        outage ??= { error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(ctx.concurrency, children.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (outage) throw outage.error;
  return { started: next };
}

/** The client with findCases answered for the whole batch at once when that is cheaper. */
async function withBatchLookups(
  batch: FromOscarBatch,
  primero: PrimeroCases,
): Promise<PrimeroCases> {
  const { listCasesReadable, scanCases, countCases } = primero;
  if (!listCasesReadable || !scanCases || !countCases) return primero;
  const lookups = batch.children.map((packed) => lookupOf(unpackChild(packed)));
  const find = await findCasesForBatch(
    {
      oscarNumbers: lookups.map((lookup) => lookup.oscarNumber),
      caseIds: lookups.flatMap((lookup) => (lookup.caseId ? [lookup.caseId] : [])),
    },
    { listCasesReadable, scanCases, countCases },
    'f2-j2',
  );
  return {
    ...primero,
    async findCases(filter) {
      if (filter.id !== undefined || (!filter.case_id && !filter.oscar_number))
        return primero.findCases(filter);
      const { cases, unreadable } = await find(
        filter.case_id ? { case_id: filter.case_id } : { oscar_number: filter.oscar_number! },
      );
      // As a search would: a matching case of an unexpected shape fails this child.
      const first = unreadable[0];
      if (first) throw new PrimeroRecordError(first.reason, first.id);
      return cases;
    },
  };
}

/** Where the child is in OSCaR: organisation and client (slug) of each record, for the admin. */
function oscarClientIds(child: OscarChild): Record<string, string> {
  const [first, ...others] = child.records;
  if (!first) return {};
  const ids: Record<string, string> = {};
  if (first.organization_name) ids.organization = first.organization_name;
  if (first.slug) ids.slug = first.slug;
  if (others.length > 0)
    ids.oscar_clients = child.records
      .map((record) => `${record.organization_name ?? '?'}/${record.slug ?? '?'}`)
      .join(', ');
  return ids;
}

export async function upsertChild(
  child: OscarChild,
  since: string,
  ctx: UpsertContext,
): Promise<void> {
  const key = caseKey(child.globalId);
  const lookup = lookupOf(child);
  const ids: Record<string, string> = {
    global_id: child.globalId,
    ...(lookup.caseId ? { case_id: lookup.caseId } : {}),
  };
  // Outcomes (history, failures) also say where the child is in OSCaR; planned writes keep the
  // ids of the write itself.
  const where = oscarClientIds(child);
  try {
    const plan = await planFor(child, ctx);
    if (plan.caseId) ids.case_id = plan.caseId;
    const wrote = await carryOut(plan, ids, ctx);
    if (wrote) recordWritten(ctx.report, 'f2-j2', key, { ...ids, ...where });
    else if (plan.action === 'unchanged' && plan.decisions.length === 0)
      recordUnchanged(ctx.report, 'f2-j2', key, { ...ids, ...where });
  } catch (error) {
    if (!(error instanceof ItemError) && !isItemError(error)) throw error;
    const failure = { key, step: 'f2-j2' as const, kind: 'case' as const, reason: reasonOf(error) };
    recordFailure(
      ctx.report,
      ctx.carried,
      {
        ...failure,
        ids: { ...ids, ...where, [WINDOW_ID]: windowStartOf(key, ctx.carried.retries, since) },
      },
      ctx.now,
    );
    log.warn(`f2-j2: client ${child.globalId} not synced: ${failure.reason}`);
  }
}

async function planFor(child: OscarChild, ctx: UpsertContext): Promise<CasePlan> {
  const lookup = lookupOf(child);
  let existing = undefined;
  if (lookup.caseId)
    existing = chooseCase(
      await ctx.primero.findCases({ case_id: lookup.caseId }),
      `case_id ${lookup.caseId}`,
    );
  // A case_id Primero does not have (deleted, or another Primero): fall back to the global id, so
  // the child is found or created once, never created again on every run.
  if (!existing) {
    existing = chooseCase(
      await ctx.primero.findCases({ oscar_number: lookup.oscarNumber }),
      `oscar_number ${lookup.oscarNumber}`,
    );
  }
  const referrals =
    existing && needsReferrals(child, existing.services_section ?? [])
      ? await ctx.primero.listReferrals(existing.id)
      : [];
  return planCaseUpsert({
    child,
    ...(existing ? { existing } : {}),
    referrals,
    syncUser: ctx.syncUser,
    today: ctx.today,
  });
}

/** Writes the plan (or records it as planned); true when anything was written. */
async function carryOut(
  plan: CasePlan,
  ids: Record<string, string>,
  ctx: UpsertContext,
): Promise<boolean> {
  const { primero, report } = ctx;
  const writes: Array<{
    action: string;
    ids: Record<string, string>;
    send: () => Promise<unknown>;
  }> = [];
  if (plan.action === 'create' && plan.write) {
    const data = plan.write;
    writes.push({
      action: 'create case',
      ids: { ...ids, id: plan.id },
      send: () => primero.createCase(data),
    });
  }
  if (plan.action === 'update' && plan.write) {
    const data = plan.write;
    writes.push({
      action: 'update case',
      ids: { ...ids, id: plan.id },
      send: () => primero.updateCase(plan.id, data),
    });
  }
  // The case first: should a referral PATCH then fail, the next run still finds it in progress.
  for (const decision of plan.decisions) {
    writes.push({
      action: `update referral to ${decision.status}`,
      ids: { ...ids, referral_id: decision.referralId, service_row_id: decision.serviceRowId },
      send: () => primero.updateReferral(plan.id, decision.referralId, { status: decision.status }),
    });
  }
  if (ctx.dryRun) {
    for (const write of writes)
      recordPlanned(report, { step: 'f2-j2', action: write.action, ids: write.ids });
    return false;
  }
  for (const write of writes) await write.send();
  return writes.length > 0;
}
