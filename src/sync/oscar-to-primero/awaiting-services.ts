// Children whose services OSCaR does not list yet. OSCaR lists a non-referred client's services
// only once the client has an `external_id` (ClientShareExternalSerializer#services), and the link
// that sets it (update_links, sent by f1 in the next run) does not touch the client's `updated_at`
// (Client.update_external_ids uses update_columns): no date window would list the client again.
// So f2 remembers each child it upserted without a link, widens the next windows back to the one
// the child was seen in, and forgets it once the child is listed linked and upserted — or fails it
// as a dead letter when the link never comes (docs/sync-rules-oscar-to-primero.md).
import type { AwaitingServices, CarriedState } from '../../workflow/contract.ts';
import type { Report } from '../../workflow/outcomes.ts';
import { recordFailure } from '../../workflow/outcomes.ts';
import type { OscarChild } from './children.ts';
import { WINDOW_ID } from './window.ts';

/** The failure key of a child whose link never came: one per OSCaR global id. */
export function awaitingKey(globalId: string): string {
  return `f2-j2:link:${globalId}`;
}

/** Whether OSCaR may still hide services of this child: one of its records has no Primero id. */
export function servicesHidden(child: OscarChild): boolean {
  return child.records.some((record) => (record.external_id ?? '').trim() === '');
}

export interface AwaitingTracker {
  /** A child upserted in this run (not a dry run): watched while hidden, forgotten once linked. */
  upserted(child: OscarChild, since: string): void;
  /** The list to carry into the next run; fails (dead-letters) the children waited on too long. */
  finish(input: { report: Report; carried: CarriedState; now: string; maxAttempts: number }): {
    awaiting: AwaitingServices[];
    /** What the store must write and remove (by entry key) to hold `awaiting`. */
    set: AwaitingServices[];
    remove: string[];
  };
}

/** Starts from the carried list; children this run did not reach keep their entry as it was. */
export function trackAwaiting(stored: readonly AwaitingServices[]): AwaitingTracker {
  const entries = new Map(stored.map((entry) => [entry.key, { ...entry }]));
  const seen = new Set<string>();
  return {
    upserted(child, since) {
      const key = awaitingKey(child.globalId);
      seen.add(key);
      if (!servicesHidden(child)) {
        entries.delete(key);
        return;
      }
      const earlier = entries.get(key);
      if (earlier) {
        earlier.runs += 1;
        if (since < earlier.since) earlier.since = since;
      } else {
        const primary = child.records[0];
        entries.set(key, {
          key,
          globalId: child.globalId,
          organization: primary?.organization_name ?? '',
          slug: primary?.slug ?? '',
          since,
          runs: 1,
        });
      }
    },
    finish({ report, carried, now, maxAttempts }) {
      const awaiting: AwaitingServices[] = [];
      const set: AwaitingServices[] = [];
      for (const entry of entries.values()) {
        if (!seen.has(entry.key) || entry.runs <= maxAttempts) {
          awaiting.push(entry);
          if (seen.has(entry.key)) set.push(entry);
          continue;
        }
        // Listed unlinked in more runs than an item may fail: stop widening the window for it
        // and tell an admin, who can retry it once the link is in OSCaR.
        recordFailure(
          report,
          carried,
          {
            key: entry.key,
            step: 'f2-j2',
            kind: 'link',
            ids: {
              global_id: entry.globalId,
              organization: entry.organization,
              slug: entry.slug,
              [WINDOW_ID]: entry.since,
            },
            reason:
              `OSCaR still lists client ${entry.slug || '(no slug)'} of ${entry.organization || '(no organisation)'} ` +
              `without its Primero case id after ${entry.runs} runs, so its services stay hidden: check that ` +
              'the link reached OSCaR (update_links) and retry this item',
          },
          now,
          { atLeastAttempts: maxAttempts },
        );
      }
      const kept = new Set(awaiting.map((entry) => entry.key));
      const remove = stored.map((entry) => entry.key).filter((key) => !kept.has(key));
      return { awaiting, set, remove };
    },
  };
}
