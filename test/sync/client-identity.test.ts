// Issue 15 item 4: an OSCaR client without a usable global_id keeps one identity across runs —
// organisation and slug, both in every listing — so its attempts add up to a dead letter and the
// reason tells an admin which client of which organisation to correct. Invented children.
import { describe, expect, it } from 'vitest';
import type { OscarClientRecord } from '../../src/model/oscar.ts';
import { listedClient } from '../../src/model/oscar.ts';
import { emptyReport, nextRetryState } from '../../src/workflow/outcomes.ts';
import type { CarriedState } from '../../src/workflow/contract.ts';
import { assertKey } from '../../src/workflow/state-store.ts';
import { clientKey, selectClients } from '../../src/sync/oscar-to-primero.ts';
import type { OscarListing } from '../../src/sync/oscar-to-primero.ts';

const NOW = '2025-03-10T08:00:00.000Z';
const SINCE = '2025-03-01 00:00:00';

function record(globalId: string, slug: string, org = 'cif'): OscarClientRecord {
  return {
    global_id: globalId,
    slug,
    given_name: 'Sentinelname',
    family_name: 'Child',
    gender: 'female',
    date_of_birth: '2014-05-02',
    organization_name: org,
    services: [],
  } as unknown as OscarClientRecord;
}

/** A client OSCaR lists without a global_id: the client parses it into `invalid`. */
const noGlobalId = (index: number) => ({
  index,
  organization_name: 'holt',
  slug: 'holt-42',
  reason: 'global_id: must be a non-empty string',
});

/** The listing as the client returns it for f2-j1, from parsed records. */
type Listing = Omit<OscarListing, 'clients'> & { clients: OscarClientRecord[] };

function run(parsed: Listing, carried: CarriedState, maxAttempts = 3) {
  const report = emptyReport();
  const listing = { ...parsed, clients: parsed.clients.map(listedClient) };
  selectClients({ listing, excludedOrgs: ['demo'], since: SINCE, carried, report, now: NOW });
  const next = nextRetryState(carried, report, { maxAttempts });
  return {
    report,
    next: { ...carried, retries: next.retries, deadLetters: next.deadLetters },
    deadLettered: next.deadLettered,
  };
}

const empty = (): CarriedState => ({ cursors: {}, retries: [], deadLetters: [] });

describe('f2-j1: a client without a usable global_id', () => {
  it('keeps its key when another client changes and moves it in the listing; attempts add up to a dead letter', () => {
    const others = [
      record('01JAAAAAAAAAAAAAAAAAAAAAA1', 'cif-1'),
      record('01JAAAAAAAAAAAAAAAAAAAAAA2', 'cif-2'),
    ];
    // Run 1: listed last. Run 2: another client was edited and the listing (updated_at desc) moves.
    const first = run({ clients: others, invalid: [noGlobalId(2)] }, empty());
    const second = run({ clients: [...others].reverse(), invalid: [noGlobalId(0)] }, first.next);
    const third = run({ clients: others, invalid: [noGlobalId(1)] }, second.next);
    const keys = [first, second, third].map((r) => r.report.failed.map((f) => f.key));
    expect(keys).toEqual([
      ['f2-j1:client:holt:holt-42'],
      ['f2-j1:client:holt:holt-42'],
      ['f2-j1:client:holt:holt-42'],
    ]);
    expect(third.report.failed[0]!.attempts).toBe(3);
    expect(third.deadLettered.map((d) => d.key)).toEqual(['f2-j1:client:holt:holt-42']);
    expect(third.next.retries).toEqual([]);
  });

  it('a global_id that is not an OSCaR id is keyed by organisation and slug too', () => {
    const first = run({ clients: [record('bad id!', 'cif-9')], invalid: [] }, empty());
    const second = run(
      {
        clients: [record('01JAAAAAAAAAAAAAAAAAAAAAA1', 'cif-1'), record('bad id!', 'cif-9')],
        invalid: [],
      },
      first.next,
    );
    expect(second.report.failed).toHaveLength(1);
    expect(second.report.failed[0]).toMatchObject({ key: 'f2-j1:client:cif:cif-9', attempts: 2 });
  });

  it('the reason names the organisation and the slug, never a name or a birth date', () => {
    const { report } = run(
      { clients: [record('bad id!', 'cif-9')], invalid: [noGlobalId(4)] },
      empty(),
    );
    const reasons = report.failed.map((f) => f.reason);
    expect(reasons[0]).toMatch(/client cif-9 of cif/);
    expect(reasons[1]).toMatch(/client holt-42 of holt/);
    expect(report.failed[1]!.ids).toEqual({
      organization: 'holt',
      slug: 'holt-42',
      oscar_since: SINCE,
    });
    expect(JSON.stringify(report)).not.toMatch(/Sentinelname|2014-05-02/);
  });

  it('any organisation or slug text makes a distinct key the store accepts', () => {
    const texts = [
      '.',
      '..',
      'a/b',
      '%2e',
      'a:b',
      'a_3Ab',
      'សុខ',
      'x'.repeat(400),
      '',
      '\uD800',
      '_',
      '_5F',
      '!',
    ];
    const keys = texts.map((slug) =>
      clientKey({ organization: 'o/../p', slug: slug || 'z', index: 0 }),
    );
    for (const key of keys) expect(assertKey(key)).toBe(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a client OSCaR lists in an excluded organisation is skipped even when unreadable', () => {
    const { report } = run(
      {
        clients: [],
        invalid: [
          { index: 0, organization_name: 'demo', slug: 'demo-1', reason: 'gender: required' },
        ],
      },
      empty(),
    );
    expect(report.failed).toEqual([]);
    expect(report.steps['f2-j1'].skipped).toBe(1);
  });
});
