// The small world every reliability scenario runs on: both directions of the sync in a handful of
// invented children, the secrets in use, and a digest of what the emulators hold afterwards that
// ignores what legitimately differs between two correct runs (timestamps, generated ids, order).
import {
  baseOscarSeed,
  basePrimeroSeed,
  DEMO_CREDENTIALS,
  EXTERNAL_SYSTEM_NAME,
} from '../e2e/helpers.ts';
import people from '../../fixtures/invented-children.json' with { type: 'json' };

const { mosvyChildren, ngoChild } = people;

export const START = '2025-03-01T00:00:00.000Z';
const AT = '2025-03-02T08:00:00.000Z';
const UPDATED = '2025-03-02T09:00:00.000Z';

/**
 * Invented children's names, birth dates and phones, and the secrets in use: none may appear in a
 * log line, summary, carried state, CLI output or OpenFn body.
 */
export const PRIVATE_VALUES = [
  ...mosvyChildren.names,
  ...mosvyChildren.birthDates,
  mosvyChildren.workerPhone,
  ngoChild.given_name,
  ngoChild.local_given_name,
  ngoChild.local_family_name,
  ngoChild.date_of_birth,
  ngoChild.caseWorkerPhone,
  ngoChild.referralPhone,
  DEMO_CREDENTIALS.primero.password,
  DEMO_CREDENTIALS.oscar.password,
];

export const CIF = 'agency-cif';

export const row = (unique_id: string, extra: Record<string, unknown> = {}) => ({
  unique_id,
  service_type: 'family_based_care',
  service_subtype: ['family_based_care_kinship'],
  service_response_type: 'referral_to_oscar',
  service_implementing_agency: CIF,
  ...extra,
});

export const primeroId = (n: number) => `00000000-0000-4000-b000-${String(n).padStart(12, '0')}`;

export const mosvyChild = (n: number, extra: Record<string, unknown> = {}) => ({
  id: primeroId(n),
  case_id: `rel-case-${n}`,
  case_id_display: `r${n}`,
  name_first: mosvyChildren.names[n % mosvyChildren.names.length],
  name_last: mosvyChildren.familyName,
  sex: n % 2 ? 'female' : 'male',
  date_of_birth: mosvyChildren.birthDates[n % 2 ? 0 : 1],
  location_current: '2020202',
  owned_by: 'mosvy_worker',
  owned_by_phone: mosvyChildren.workerPhone,
  risk_level: 'high',
  consent_for_services: true,
  disclosure_other_orgs: true,
  created_at: AT,
  last_updated_at: UPDATED,
  services_section: [],
  ...extra,
});

export const referralOf = (n: number, service: string, extra: Record<string, unknown> = {}) => ({
  id: `rel-ref-${n}-${service}`,
  record_id: primeroId(n),
  status: 'in_progress',
  service_record_id: service,
  transitioned_to: 'agency-cif-user',
  notes: `invented reason of referral ${n}`,
  created_at: UPDATED,
  ...extra,
});

export interface WorldSeeds {
  primero: Record<string, unknown> & { cases: unknown[]; referrals: unknown[] };
  oscar: ReturnType<typeof baseOscarSeed>;
}

/**
 * Primero: three referrals to NGOs (one child with two), a MoSVY decision on an NGO referral, a
 * link. OSCaR: an NGO referral to MoSVY, a plain NGO case, the clients the decision and link name.
 */
export function worldSeeds(): WorldSeeds {
  const primero = basePrimeroSeed([
    mosvyChild(1, { services_section: [row('rel-svc-1a')] }),
    mosvyChild(2, {
      services_section: [
        row('rel-svc-2a'),
        row('rel-svc-2b', {
          service_type: 'counselling',
          service_subtype: ['counselling_trauma'],
          service_implementing_agency: 'agency-holt',
        }),
      ],
    }),
    mosvyChild(3, {
      oscar_number: 'G-REL-DEC',
      services_section: [
        row('rel-svc-3a', {
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: 'accepted_340953',
          oscar_referral_id_a4ac8a5: '1',
        }),
      ],
    }),
    mosvyChild(4, { oscar_number: 'G-REL-LINK' }),
  ]) as WorldSeeds['primero'];
  primero.referrals = [
    referralOf(1, 'rel-svc-1a'),
    referralOf(2, 'rel-svc-2a'),
    referralOf(2, 'rel-svc-2b'),
  ];

  const oscar = baseOscarSeed();
  const org = (name: string) => oscar.organizations.find((o) => o.short_name === name)!;
  const uuidOf = (name: string) =>
    (oscar.services as Array<{ uuid: string; name: string }>).find((s) => s.name === name)!.uuid;
  const client = (id: number, global_id: string, extra: Record<string, unknown> = {}) => ({
    id,
    slug: `rel-${id}`,
    global_id,
    given_name: ngoChild.given_name,
    family_name: ngoChild.family_name,
    local_given_name: ngoChild.local_given_name,
    local_family_name: ngoChild.local_family_name,
    gender: 'female',
    date_of_birth: ngoChild.date_of_birth,
    village_code: '12010101',
    status: 'Active',
    case_workers: [{ name: 'NGO worker', mobile: ngoChild.caseWorkerPhone }],
    created_at: AT,
    ...extra,
  });
  const cif = org('cif');
  cif.clients = [
    client(1, 'G-REL-DEC'),
    client(2, 'G-REL-LINK'),
    client(3, 'G-REL-REF', { referred_external: true, village_code: '08020304' }),
  ];
  cif.referrals = [
    {
      id: 1,
      client_id: 1,
      client_global_id: 'G-REL-DEC',
      ngo_name: EXTERNAL_SYSTEM_NAME,
      referred_from: 'cif',
      referred_to: EXTERNAL_SYSTEM_NAME,
      referral_status: 'Referred',
      level_of_risk: 'medium',
      // What OSCaR's referral form requires (referral.rb l.18-29): update_statuses re-validates it.
      client_name: `${ngoChild.given_name} ${ngoChild.family_name}`,
      referral_reason: 'invented reason',
      name_of_referee: 'NGO worker',
      referral_phone: ngoChild.referralPhone,
      consent_form: ['consent.pdf'],
      services: [uuidOf('Kinship care')],
      created_at: AT,
    },
    {
      id: 2,
      client_id: 3,
      client_global_id: 'G-REL-REF',
      ngo_name: EXTERNAL_SYSTEM_NAME,
      referred_to: EXTERNAL_SYSTEM_NAME,
      referral_status: 'Referred',
      level_of_risk: 'medium',
      referral_reason: 'invented reason',
      referral_phone: ngoChild.referralPhone,
      services: [uuidOf('Kinship care')],
      created_at: AT,
    },
  ];
  org('mtp').clients = [client(1, 'G-REL-NGO', { given_name: 'Sovannary' })];
  return { primero, oscar };
}
