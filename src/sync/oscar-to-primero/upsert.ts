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
import type { FromOscarBatch, OscarChild, PackedChild } from './children.ts';
import { caseKey, packedGlobalId, unpackChild } from './children.ts';
import { findCasesForBatch } from '../case-lookup.ts';
import { PrimeroRecordError } from '../../model/primero.ts';
import { ItemError } from './item-error.ts';
import { chooseCase, lookupOf, planCaseUpsert } from './plan.ts';
import type { CaseLookup, CasePlan } from './plan.ts';
import { needsReferrals } from './service-rows.ts';
import type { AwaitingTracker } from './awaiting-services.ts';
import { WINDOW_ID, windowStartOf } from './window.ts';
import { appliedMemory, fingerprintOf, printedPlan } from './fingerprint.ts';
import type { AppliedMemory } from './fingerprint.ts';
import type { StateStore } from '../../workflow/state-store.ts';
import { storedChecks } from './stored-checks.ts';
import type { StoredChecks } from './stored-checks.ts';
import { sleep } from '../../http/retry.ts';

/** The part of the Primero client f2-j2 uses (the scan, when it has it, for batch look-ups). */
export type PrimeroCases = Pick<
  PrimeroClient,
  'findCases' | 'listReferrals' | 'createCase' | 'updateCase' | 'updateReferral'
> &
  Partial<
    Pick<
      PrimeroClient,
      'listCasesReadable' | 'scanCases' | 'countCases' | 'createCaseUnchecked' | 'checkCreated'
    >
  >;

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
  /** Told of each child upserted (not in a dry run): the children whose services OSCaR hides. */
  awaiting?: Pick<AwaitingTracker, 'upserted'>;
  /**
   * Where f2 keeps what it last applied per child (src/sync/oscar-to-primero/fingerprint.ts):
   * children that map to it again are dropped before any look-up. Absent: every child is looked up.
   */
  applied?: { store: StateStore; reapply: boolean };
  /**
   * Where creates wait for their write check (stored-checks.ts); set by upsertChildren. Absent:
   * each create is checked as it is made.
   */
  checks?: StoredChecks;
}

/**
 * Each child's global id, look-up and, where f2 holds what it last applied for the child, its
 * fingerprint, and which children match what was applied. One pass decodes each child once (a
 * decoded child is let go at once; the batch may be 50 000). A child f2 holds nothing for cannot be
 * unchanged: its fingerprint is made in its lane, beside the other lanes' requests, instead of
 * here, before the first one (a first run's whole batch).
 */
interface BatchPrints {
  globalIds: string[];
  prints: Array<string | undefined>;
  lookups: CaseLookup[];
  unchanged: boolean[];
  memory?: AppliedMemory;
}

export async function batchPrints(
  batch: FromOscarBatch,
  ctx: Pick<UpsertContext, 'applied' | 'dryRun' | 'syncUser' | 'today'>,
): Promise<BatchPrints> {
  const globalIds = batch.children.map(packedGlobalId);
  const memory = ctx.applied
    ? await appliedMemory(ctx.applied.store, globalIds, {
        dryRun: ctx.dryRun,
        reapply: ctx.applied.reapply,
      })
    : undefined;
  const prints: Array<string | undefined> = [];
  const lookups: CaseLookup[] = [];
  for (const packed of batch.children) {
    const child = unpackChild(packed);
    lookups.push(lookupOf(child));
    prints.push(
      memory?.holds(child.globalId) ? fingerprintOf(child, ctx.syncUser, ctx.today) : undefined,
    );
  }
  if (!memory) return { globalIds, prints, lookups, unchanged: globalIds.map(() => false) };
  const unchanged = globalIds.map((id, index) => memory.unchanged(id, prints[index]));
  const dropped = unchanged.filter(Boolean).length;
  if (dropped > 0)
    log.info(`f2-j2: ${dropped} children map to what was last applied: not looked up in Primero`);
  return { globalIds, prints, lookups, unchanged, memory };
}

/**
 * Children in parallel, two lanes per request slot; the writes of one child stay in order. An outage
 * stops the children not started yet, and the step fails only once none is writing any more: a
 * write must never land after the run that made it has ended (the next run may be under way). The
 * lanes take the next child in turn, so only the children being written are decoded and nothing is
 * queued per child: memory stays flat however long the batch.
 *
 * Why two lanes per slot: when an answer frees a slot, the other lane's request, made and waiting
 * in the transport, goes out at once; the lane that was answered takes its next child only a timer
 * turn later. The HTTP client writes a request on a reused connection only once the event loop has
 * handled the I/O already pending (undici's check of an idle socket), so a child planned in the
 * answer's turn held back every request of that turn (docs/performance.md, "Two lanes per slot").
 */
export async function upsertChildren(
  batch: FromOscarBatch,
  base: UpsertContext,
): Promise<{ started: number; doneThrough?: string }> {
  const known = await batchPrints(batch, base);
  const toLookUp = known.lookups.filter((_, index) => !known.unchanged[index]);
  const primero = await withBatchLookups(toLookUp, base.primero);
  const checks = base.dryRun ? undefined : checksFor(primero);
  const ctx: UpsertContext = { ...base, primero, ...(checks ? { checks } : {}) };
  const { children } = batch;
  // A child once taken up is let go from the batch (its text is the largest thing f2-j2 holds):
  // the children left are the ones deferred.
  const taken = (index: number): PackedChild => {
    const packed = children[index]!;
    (children as PackedChild[])[index] = '' as PackedChild;
    return packed;
  };
  let next = 0;
  let outage: { error: unknown } | undefined;
  // Children whose create waits for its check: their outcome is recorded once it is checked.
  const settling = new Set<Promise<void>>();
  const lane = async () => {
    while (!outage && next < children.length) {
      // A child unchanged since it was applied costs no request, and none of the budget.
      if (known.unchanged[next]) {
        const index = next++;
        const child = unpackChild(taken(index));
        const caseId = known.memory?.caseId(child.globalId) ?? known.lookups[index]!.caseId;
        recordUnchanged(ctx.report, 'f2-j2', caseKey(child.globalId), {
          global_id: child.globalId,
          ...(caseId ? { case_id: caseId } : {}),
          ...oscarClientIds(child),
        });
        // Still a child whose services OSCaR may hide: its wait is counted as if it was upserted.
        if (!ctx.dryRun) ctx.awaiting?.upserted(child, batch.since);
        continue;
      }
      if (ctx.mayStart && !ctx.mayStart()) return;
      const index = next++;
      const packed = taken(index);
      try {
        const child = unpackChild(packed);
        // A child f2 holds no print for gets it here, with the plan to create it from.
        const made =
          known.memory && known.prints[index] === undefined
            ? printedPlan(child, ctx.syncUser, ctx.today)
            : {};
        const { settled } = await startChild(child, batch.since, ctx, {
          fingerprint: known.memory ? (known.prints[index] ?? made.print) : undefined,
          ...(known.memory ? { memory: known.memory } : {}),
          ...(made.created ? { created: made.created } : {}),
        });
        const pending: Promise<void> = settled
          .catch((error: unknown) => {
            outage ??= { error };
          })
          .finally(() => settling.delete(pending));
        settling.add(pending);
        // The other lane's request takes the freed slot first (see above).
        await sleep(0);
        if (checks?.due) await checks.flush();
      } catch (error) {
        outage ??= { error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(LANES_PER_SLOT * ctx.concurrency, children.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  // The creates made are checked even after an outage or the budget's end: only a create checked
  // as stored gets its outcome and fingerprint.
  await checks?.flush();
  await Promise.all(settling);
  if (outage) throw outage.error;
  const last = known.globalIds[next - 1];
  return { started: next, ...(last !== undefined ? { doneThrough: last } : {}) };
}

/**
 * Lanes per request the transport keeps on the wire (`concurrency`, src/http/transport.ts). Two:
 * while one lane's request is on the wire, the other's waits in the transport for a slot.
 */
const LANES_PER_SLOT = 2;

/** The client with findCases answered for the whole batch at once when that is cheaper. */
async function withBatchLookups(
  lookups: readonly CaseLookup[],
  primero: PrimeroCases,
): Promise<PrimeroCases> {
  const { listCasesReadable, scanCases, countCases } = primero;
  if (!listCasesReadable || !scanCases || !countCases) return primero;
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

/** Deferred write checks when the client can check creates apart from making them. */
function checksFor(primero: PrimeroCases): StoredChecks | undefined {
  const { checkCreated, scanCases, countCases } = primero;
  if (!primero.createCaseUnchecked || !checkCreated || !scanCases || !countCases) return undefined;
  return storedChecks({ checkCreated, scanCases, countCases }, 'f2-j2');
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

/**
 * What f2 knows of a child before it plans it: its fingerprint and where to keep it, and the plan
 * to create it from when that was made with the fingerprint.
 */
interface ChildApplied {
  fingerprint?: string | undefined;
  memory?: AppliedMemory;
  created?: CasePlan;
}

export async function upsertChild(
  child: OscarChild,
  since: string,
  ctx: UpsertContext,
  applied: ChildApplied = {},
): Promise<void> {
  const { settled } = await startChild(child, since, ctx, applied);
  await settled;
}

/**
 * Plans and writes the child. `settled` resolves once its outcome is recorded: at once, or, for a
 * create whose check waits in ctx.checks, after that check. An outage rejects (or throws).
 */
async function startChild(
  child: OscarChild,
  since: string,
  ctx: UpsertContext,
  applied: ChildApplied,
): Promise<{ settled: Promise<void> }> {
  const key = caseKey(child.globalId);
  const lookup = lookupOf(child);
  const ids: Record<string, string> = {
    global_id: child.globalId,
    ...(lookup.caseId ? { case_id: lookup.caseId } : {}),
  };
  // Outcomes (history, failures) also say where the child is in OSCaR; planned writes keep the
  // ids of the write itself.
  const where = oscarClientIds(child);
  const succeed = async (plan: CasePlan, wrote: boolean) => {
    const unchanged = !wrote && plan.action === 'unchanged' && plan.decisions.length === 0;
    if (wrote) recordWritten(ctx.report, 'f2-j2', key, { ...ids, ...where });
    else if (unchanged) recordUnchanged(ctx.report, 'f2-j2', key, { ...ids, ...where });
    // Primero holds what the child maps to: remembered, so an unchanged re-listing costs nothing.
    if (wrote || unchanged)
      await applied.memory?.remember(child.globalId, applied.fingerprint, ids.case_id);
    if (!ctx.dryRun) ctx.awaiting?.upserted(child, since);
  };
  const fail = async (error: unknown) => {
    if (!(error instanceof ItemError) && !isItemError(error)) throw error;
    // A child that failed is looked up again whenever it is listed, whatever it maps to.
    await applied.memory?.forget(child.globalId);
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
  };
  try {
    const plan = await planFor(child, ctx, applied.created);
    if (plan.caseId) ids.case_id = plan.caseId;
    const { wrote, checked } = await carryOut(plan, ids, ctx);
    if (checked) return { settled: checked.then(() => succeed(plan, wrote), fail) };
    await succeed(plan, wrote);
  } catch (error) {
    await fail(error);
  }
  return { settled: Promise.resolve() };
}

/** The child's plan; `created`, the plan to create it, is used as it is when Primero has no case. */
async function planFor(
  child: OscarChild,
  ctx: UpsertContext,
  created?: CasePlan,
): Promise<CasePlan> {
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
  if (!existing && created) return created;
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

/**
 * Writes the plan (or records it as planned); `wrote` when anything was written. A create that is
 * the plan's only write may leave its check to ctx.checks: `checked` settles with it.
 */
async function carryOut(
  plan: CasePlan,
  ids: Record<string, string>,
  ctx: UpsertContext,
): Promise<{ wrote: boolean; checked?: Promise<void> }> {
  const { primero, report, checks } = ctx;
  const { createCaseUnchecked } = primero;
  if (
    !ctx.dryRun &&
    checks &&
    createCaseUnchecked &&
    plan.action === 'create' &&
    plan.write &&
    plan.decisions.length === 0
  ) {
    const create = await createCaseUnchecked(plan.write);
    return { wrote: true, checked: checks.add(create) };
  }
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
    return { wrote: false };
  }
  for (const write of writes) await write.send();
  return { wrote: writes.length > 0 };
}
