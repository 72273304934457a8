// MoSVY referrals no NGO answers (behaviour.md, "Overdue referrals"; apis.md §3.2 O7): an NGO can
// decline a referral in OSCaR without creating a client, and no listing shows that, so a referral
// waiting longer than INTEROP_DECISION_OVERDUE_DAYS is reported by the run, `interop status` and
// the console overview, with ids only. Time passing is simulated by ageing the ledger's record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseOscarSeed, basePrimeroSeed, runOnce, startSystems } from './helpers.ts';
import type { Systems } from './helpers.ts';
import type { CarriedState } from '../../src/workflow/contract.ts';
import { statusView } from '../../src/runner/environment.ts';
import { formatStatus } from '../../src/runner/report.ts';
import { openStore } from '../../src/runner/store.ts';
import { overviewPage } from '../../src/console/views/overview.ts';

const START = '2025-03-01T00:00:00.000Z';
const DAY_MS = 24 * 60 * 60 * 1000;

const child = (n: number) => ({
  id: `00000000-0000-4000-a000-00000000000${n}`,
  case_id: `case-wait-${n}`,
  case_id_display: `cwait${n}`,
  name_first: 'Invented',
  name_last: `Waiting${n}`,
  sex: 'female',
  date_of_birth: '2014-05-06',
  location_current: '2020202',
  owned_by: 'mosvy_worker',
  owned_by_phone: '012345678',
  risk_level: 'high',
  consent_for_services: true,
  disclosure_other_orgs: true,
  created_at: '2025-03-02T08:00:00.000Z',
  last_updated_at: '2025-03-02T09:00:00.000Z',
  services_section: [
    {
      unique_id: `svc-wait-${n}`,
      service_type: 'family_based_care',
      service_subtype: ['family_based_care_kinship'],
      service_response_type: 'referral_to_oscar',
      service_implementing_agency: 'agency-cif',
    },
  ],
});

const referral = (n: number) => ({
  id: `ref-wait-${n}`,
  record_id: `00000000-0000-4000-a000-00000000000${n}`,
  status: 'in_progress',
  service_record_id: `svc-wait-${n}`,
  transitioned_to: 'agency-cif-user',
  notes: 'a reason',
  created_at: '2025-03-02T09:00:00.000Z',
});

function seeds() {
  const primero = basePrimeroSeed([child(1), child(2)]);
  (primero as { referrals: unknown[] }).referrals = [referral(1), referral(2)];
  return { primero, oscar: baseOscarSeed() };
}

/** The carried state as it would be `days` later: every awaiting record that much older. */
function aged(carried: CarriedState, days: number): CarriedState {
  return {
    ...carried,
    sent: (carried.sent ?? []).map((record) =>
      record.key.startsWith('awaiting:')
        ? { ...record, at: new Date(Date.parse(record.at) - days * DAY_MS).toISOString() }
        : record,
    ),
  };
}

let systems: Systems | undefined;
let home: string | undefined;
afterEach(async () => {
  await systems?.close();
  systems = undefined;
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe('f1: referrals awaiting an NGO decision too long', () => {
  it('are reported after the allowed days, until Primero shows them decided', async () => {
    systems = await startSystems(seeds());
    const first = await runOnce(systems, undefined, { since: START });
    expect(first.summary.failed).toEqual([]);
    expect(first.summary.overdueReferrals).toEqual([]);

    // cif accepts child 2's referral; child 1's it never answers (or declines: no listing shows it).
    const state = systems.oscar.state() as any;
    const cif = state.organizations.find((o: any) => o.short_name === 'cif');
    const second = cif.referrals.find((r: any) => r.external_id === 'case-wait-2');
    const accepted = await fetch(`${systems.oscar.url}/__emulator/oscar/accept-referral`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organization_name: 'cif', referral_id: second.id }),
    });
    expect(accepted.status).toBe(200);

    // Fifteen days later (default allowance 14): the decision reaches Primero in this run...
    const later = await runOnce(systems, aged(first.next, 15));
    const decided = (later.primeroState.referrals as any[]).find((r) => r.id === 'ref-wait-2');
    expect(decided.status).toBe('accepted');
    // ...and the next run sees it decided; child 1's referral is the only one still overdue.
    const next = await runOnce(systems, later.next);
    expect(next.summary.overdueReferrals).toEqual([
      {
        key: 'f1-j2:overdue:case-wait-1:ref-wait-1',
        ids: {
          case_id: 'case-wait-1',
          primero_id: '00000000-0000-4000-a000-000000000001',
          referral_id: 'ref-wait-1',
        },
        organisation: 'cif',
        sentAt: expect.any(String),
        daysWaiting: 15,
      },
    ]);
    expect(JSON.stringify(next.summary.overdueReferrals)).not.toContain('Waiting1');

    // `interop status` (text and --json) and the console overview show it, from the store.
    home = mkdtempSync(join(tmpdir(), 'interop-overdue-'));
    const store = openStore(home);
    try {
      const run = store.recordRunStart({ trigger: 'manual' });
      store.finishRun(run.id, { summary: next.summary, next: next.next });
      const view = statusView(store, '*/15 * * * *');
      expect(view.overdueReferrals.map((item) => item.key)).toEqual([
        'f1-j2:overdue:case-wait-1:ref-wait-1',
      ]);
      expect(JSON.parse(JSON.stringify(view)).overdueReferrals[0].daysWaiting).toBe(15);
      const text = formatStatus(view);
      expect(text).toContain('Referrals awaiting an NGO decision too long: 1');
      expect(text).toContain(
        'case-wait-1 / 00000000-0000-4000-a000-000000000001 / ref-wait-1 at cif',
      );
      const page = overviewPage(
        {
          systems: [],
          cursors: view.cursors,
          runs: [],
          deadLetters: [],
          retrying: 0,
          overdueReferrals: view.overdueReferrals,
        },
        { nonce: 'n', csrfToken: 't' },
      ).toString();
      expect(page).toContain('Referrals awaiting an NGO decision too long (1)');
      expect(page).toContain('waiting 15 days');
    } finally {
      store.close();
    }
  });

  it('honours a shorter allowance from the settings', async () => {
    systems = await startSystems(seeds());
    const first = await runOnce(systems, undefined, { since: START });
    const later = await runOnce(systems, aged(first.next, 3), {
      settings: { decisionOverdueDays: 2 },
    });
    expect(later.summary.overdueReferrals?.map((item) => item.ids.referral_id).sort()).toEqual([
      'ref-wait-1',
      'ref-wait-2',
    ]);
    const relaxed = await runOnce(systems, aged(first.next, 3));
    expect(relaxed.summary.overdueReferrals).toEqual([]);
  });
});
