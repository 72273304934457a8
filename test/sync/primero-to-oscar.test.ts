// The f1 decisions as pure functions (behaviour.md "f1-j1" and "f1-j2").
import { describe, expect, it } from 'vitest';
import { parsePrimeroCase, parsePrimeroReferral } from '../../src/model/primero.ts';
import { pruneSent, selectForOscar, toOscarReferral } from '../../src/sync/primero-to-oscar.ts';
import { sentKeysConsulted } from '../../src/sync/primero-to-oscar/selection.ts';
import { retainedSent, sentLedgerOf } from '../../src/sync/primero-to-oscar/sent-ledger.ts';
import { SENT_PREFIX, loadSentRecords } from '../../src/workflow/carried-items.ts';
import { memoryStateStore } from '../../src/workflow/state-store.ts';
import type { StateStore } from '../../src/workflow/state-store.ts';

const record = (extra: Record<string, unknown> = {}) =>
  parsePrimeroCase({
    id: 'uuid-1',
    case_id: 'case-1',
    last_updated_at: '2025-03-02T00:00:00Z',
    risk_level: 'no_action',
    location_current: '2020202',
    services_section: [
      {
        unique_id: 's1',
        service_response_type: 'referral_to_oscar',
        service_implementing_agency: 'agency-cif',
        service_subtype: ['counselling_trauma'],
      },
      {
        unique_id: 's2',
        service_response_type: 'referral_to_oscar',
        service_implementing_agency: 'agency-holt',
      },
    ],
    ...extra,
  });
const referral = (
  id: string,
  service: string,
  created_at = '2025-03-02T00:00:00Z',
  status = 'in_progress',
) =>
  parsePrimeroReferral({
    id,
    record_id: 'uuid-1',
    status,
    service_record_id: service,
    notes: `notes ${id}`,
    created_at,
  });
const rules = {
  windowStart: '2025-03-01T00:00:00Z',
  retryKeys: new Set<string>(),
  sent: new Map(),
};

describe('referrals to OSCaR', () => {
  it('selects in-progress referrals of referral_to_oscar rows created in the window, not sent before', () => {
    const refs = [
      referral('r1', 's1'),
      referral('r2', 's2', '2025-02-01T00:00:00Z'),
      referral('r3', 's1', undefined, 'accepted'),
    ];
    const batch = selectForOscar([record()], new Map([['uuid-1', refs]]), rules);
    expect(batch.referrals.map((item) => item.referral.id)).toEqual(['r1']);
    const retried = selectForOscar([record()], new Map([['uuid-1', refs]]), {
      ...rules,
      retryKeys: new Set(['f1-j2:referral:case-1:s2']),
    });
    expect(retried.referrals.map((item) => item.referral.id)).toEqual(['r1', 'r2']);
    const sent = new Map([
      ['referral:r1', { key: 'referral:r1', value: 's1', at: '2025-03-02T00:00:00Z' }],
    ]);
    expect(
      selectForOscar([record()], new Map([['uuid-1', refs]]), { ...rules, sent }).referrals,
    ).toEqual([]);
  });

  it('builds the upsert from the referred row and the referral being sent', () => {
    const [item] = selectForOscar(
      [record({ oscar_number: 'G1' })],
      new Map([['uuid-1', [referral('r1', 's1')]]]),
      rules,
    ).referrals;
    expect(toOscarReferral(item!)).toMatchObject({
      organization_name: 'cif',
      global_id: 'G1',
      level_of_risk: 'no action',
      reason_for_referral: 'notes r1',
      location_current_village_code: '02020202',
      external_case_worker_mobile: '000000000',
      services: [{ uuid: 's1', name: 'Trauma counselling' }],
    });
  });

  it('sends Not Specified without a subtype and refuses a missing risk level', () => {
    const [item] = selectForOscar(
      [record()],
      new Map([['uuid-1', [referral('r2', 's2')]]]),
      rules,
    ).referrals;
    expect(toOscarReferral(item!).services).toEqual([{ uuid: 's2', name: 'Not Specified' }]);
    expect(() => toOscarReferral({ ...item!, case: record({ risk_level: null }) })).toThrow(
      'risk level is not set in Primero',
    );
  });
});

describe('decisions and links', () => {
  it('selects decided referral_from_oscar rows with a numeric OSCaR id, and links for known children', () => {
    const decided = record({
      oscar_number: 'G1',
      services_section: [
        {
          unique_id: 'd1',
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: 'rejected_936484',
          oscar_referral_id_a4ac8a5: '12',
        },
        {
          unique_id: 'd2',
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: 'pending_310366',
          oscar_referral_id_a4ac8a5: '13',
        },
      ],
    });
    const batch = selectForOscar([decided], new Map(), rules);
    expect(batch.decisions.map((d) => [d.ids.oscar_referral_id, d.rowStatus])).toEqual([
      ['12', 'rejected_936484'],
    ]);
    expect(batch.links.map((l) => l.link)).toEqual([
      { global_id: 'G1', external_id: 'case-1', external_id_display: '' },
    ]);
  });
});

describe('sent ledger', () => {
  it('drops records of referrals no longer in progress and expired ones', () => {
    const now = new Date('2025-06-01T00:00:00Z');
    const sent = [
      { key: 'referral:a', value: 's', at: '2025-05-01T00:00:00Z' },
      { key: 'referral:b', value: 's', at: '2025-05-01T00:00:00Z' },
      { key: 'link:G', value: 'c', at: '2023-01-01T00:00:00Z' },
    ];
    expect(pruneSent(sent, new Set(['b']), now).map((r) => r.key)).toEqual(['referral:a']);
  });
});

describe('sent ledger: only the records a run consults', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  const at = '2025-05-01T00:00:00Z';

  it('selection from the consulted records equals selection from the whole ledger', () => {
    const decided = record({
      oscar_number: 'G1',
      services_section: [
        ...(record().services_section ?? []),
        {
          unique_id: 'd1',
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: 'accepted_340953',
          oscar_referral_id_a4ac8a5: '12',
        },
      ],
    });
    const linked = record({
      id: 'uuid-2',
      case_id: 'case-2',
      oscar_number: 'G2',
      services_section: [],
    });
    const cases = [decided, linked];
    const refs = new Map([['uuid-1', [referral('r1', 's1'), referral('r2', 's2')]]]);
    const whole = sentLedgerOf([
      { key: 'referral:r1', value: 's1', at },
      { key: 'decision:G1:12', value: 'Accepted', at },
      { key: 'link:G2', value: 'case-2', at },
      ...Array.from({ length: 50 }, (_, n) => ({ key: `referral:other-${n}`, value: 'x', at })),
    ]);
    const keys = sentKeysConsulted(cases, Object.fromEntries(refs));
    expect(keys.sort()).toEqual(['decision:G1:12', 'link:G2', 'referral:r1', 'referral:r2']);
    const consulted = new Map([...whole].filter(([key]) => keys.includes(key)));
    const select = (sent: typeof whole) => selectForOscar(cases, refs, { ...rules, sent });
    expect(select(consulted)).toEqual(select(whole));
    expect(select(consulted).referrals.map((item) => item.referral.id)).toEqual(['r2']);
  });

  it('a record past retention counts as never sent', () => {
    const { kept, expired } = retainedSent(
      [
        { key: 'referral:a', value: 's', at },
        { key: 'link:G', value: 'c', at: '2024-04-01T00:00:00Z' },
      ],
      now,
    );
    expect(kept.map((r) => r.key)).toEqual(['referral:a']);
    expect(expired).toEqual(['link:G']);
  });

  it('are read by key, one read per kind within that kind, absent and unusable keys left out', async () => {
    const memory = memoryStateStore();
    await memory.set(
      ['referral:a', 'referral:b', 'link:G1', 'link:G2'].map((key) => ({
        key: `${SENT_PREFIX}${key}`,
        value: { key, value: 'v', at },
      })),
    );
    const gets: Array<{ keys: readonly string[]; within?: string }> = [];
    const store: StateStore = {
      ...memory,
      get: (keys, within) => {
        gets.push({ keys, ...(within ? { within } : {}) });
        return memory.get(keys, within);
      },
    };
    const found = await loadSentRecords(store, [
      'referral:a',
      'link:G2',
      'referral:zz',
      'link:a b',
    ]);
    expect(found.map((r) => r.key).sort()).toEqual(['link:G2', 'referral:a']);
    expect(gets).toEqual([
      {
        keys: [`${SENT_PREFIX}referral:a`, `${SENT_PREFIX}referral:zz`],
        within: `${SENT_PREFIX}referral:`,
      },
      { keys: [`${SENT_PREFIX}link:G2`], within: `${SENT_PREFIX}link:` },
    ]);
  });
});
