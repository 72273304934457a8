// "A write counts only when seen" for many creates at once. Primero answers a create with a client
// id with 204 and no record, so each create is checked against what Primero then holds. One GET per
// create doubles the requests of a first run; every case created since a given instant is also in
// one paged listing `last_updated_at=<instant>..`, whose records carry the same fields as a read
// by id (HEAD app/controllers/api/v2/concerns/record.rb: index and show both select the fields to
// show from the user's permitted fields, select_fields_for_index / select_fields_for_show). So
// creates wait here and are checked together, from a listing when the cost model says it is
// cheaper (src/sync/case-lookup.ts lookupCost: the listing is paid for every case it shows, others'
// changes included). A case the listing does not show (outside the API user's scope, apis.md §3
// P4; an index that lags) or shows unreadable is read by id as before: every create ends exactly
// as createCase's own check would end it, with the same reason.
import { ApiError } from '../../http/transport.ts';
import type { PrimeroClient, UncheckedCreate } from '../../clients/primero.ts';
import type { PrimeroCase } from '../../model/primero.ts';
import { log } from '../../log.ts';
import { lookupCost } from '../case-lookup.ts';

/**
 * Subtracted from Primero's clock before listing. The Date header is whole seconds, rounded down
 * (never later than the stamp), and may come from a front server (a proxy) whose clock differs a
 * little from the application server that stamps last_updated_at: not at all on one host,
 * milliseconds between hosts kept in time. Every second of margin is paid for at every check, whose
 * listing shows again the creates made in that second before it: a first run creates some 150
 * cases a second, and with a minute's margin each check listed most of the run's earlier creates
 * again (80 of the 191 listing requests of the bench's 10 000-case first run). A case that a
 * larger clock difference hides costs only its own read by id, and a listing that shows fewer than
 * half of its creates ends the listings for the step.
 */
export const CLOCK_MARGIN_MS = 5_000;

/**
 * Creates checked together at most: about one listing page, so that a check is a few requests
 * and fits in the budget's closing reserve (src/workflow/budget.ts) when the run stops.
 */
export const CHECK_EVERY = 1000;

/**
 * Creates checked together until a listing has shown our creates in this step: should the API
 * user's scope hide them, the reads by id that follow stay a small burst, never 1 000 at the end
 * of the budget. Once listings do not help, each create is checked as it is made.
 */
export const FIRST_CHECK = 100;

export type CreateChecker = Pick<PrimeroClient, 'checkCreated' | 'scanCases' | 'countCases'>;

export interface StoredChecks {
  /** Creates waiting for their check. */
  readonly waiting: number;
  /** Whether enough creates wait for a check now (CHECK_EVERY, FIRST_CHECK, or each). */
  readonly due: boolean;
  /** Resolves once the create is checked as stored; rejects with createCase's error otherwise. */
  add(create: UncheckedCreate): Promise<void>;
  /** Checks every create waiting (a listing, or a read each). */
  flush(): Promise<void>;
}

interface Waiting {
  create: UncheckedCreate;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function storedChecks(primero: CreateChecker, what: string): StoredChecks {
  let waiting: Waiting[] = [];
  // Once a listing showed fewer than half of our creates (the API user's scope hides them), the
  // rest of the step reads each create: the listing would be paid for and then read around.
  let listingsHelp = true;
  // A listing showed most of the creates it was asked for: checks may grow to CHECK_EVERY.
  let listingsShown = false;

  /** The creates of `due` a listing shows, when listing costs less; empty to read each. */
  async function shownByListing(due: Waiting[]): Promise<Map<string, PrimeroCase>> {
    const shown = new Map<string, PrimeroCase>();
    // The count is a request too: a couple of creates are read directly.
    if (!listingsHelp || due.length <= 2) return shown;
    let from = Infinity;
    for (const { create } of due) from = Math.min(from, create.notBefore ?? -Infinity);
    // No clock from Primero for some create: no safe instant to list from.
    if (!Number.isFinite(from)) return shown;
    const filter = { last_updated_at: `${new Date(from - CLOCK_MARGIN_MS).toISOString()}..` };
    const wanted = new Set(due.map(({ create }) => create.id));
    try {
      const total = await primero.countCases(filter);
      const cost = lookupCost(due.length, total);
      if (cost.search <= cost.scan) return shown;
      await primero.scanCases(filter, (page) => {
        for (const record of page.cases) if (wanted.has(record.id)) shown.set(record.id, record);
      });
      log.info(
        `${what}: checked ${due.length} creates against a listing of ${total} Primero cases ` +
          `(${shown.size} shown, ${due.length - shown.size} read by id)`,
      );
    } catch (error) {
      // Primero unreachable or failing: the step fails as a read by id would have made it fail.
      if (error instanceof ApiError) throw error;
      log.info(`${what}: the listing for the write check failed; reading each create by id`);
      shown.clear();
      return shown;
    }
    if (shown.size * 2 < due.length) {
      listingsHelp = false;
      log.info(`${what}: the listing shows few of the creates (scope?): reading each from now on`);
    } else listingsShown = true;
    return shown;
  }

  return {
    get waiting() {
      return waiting.length;
    },
    get due() {
      const limit = !listingsHelp ? 1 : listingsShown ? CHECK_EVERY : FIRST_CHECK;
      return waiting.length >= limit;
    },
    add(create) {
      return new Promise<void>((resolve, reject) => waiting.push({ create, resolve, reject }));
    },
    async flush() {
      const due = waiting;
      waiting = [];
      if (due.length === 0) return;
      let shown: Map<string, PrimeroCase>;
      try {
        shown = await shownByListing(due);
      } catch (error) {
        for (const item of due) item.reject(error);
        return;
      }
      // The reads by id go through the transport's concurrency limit.
      await Promise.all(
        due.map(({ create, resolve, reject }) =>
          primero.checkCreated(create, shown.get(create.id)).then(resolve, reject),
        ),
      );
    },
  };
}
