// The f1 rules one by one (docs/sync-rules.md): each `describe` is one rule, each `it` names the
// exported function it exercises. Cases are invented; ids only.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/errors.ts';
import { MappingError } from '../../src/mapping/index.ts';
import {
  PrimeroRecordError,
  parsePrimeroCase,
  parsePrimeroReferral,
} from '../../src/model/primero.ts';
import type { DecisionForOscar, LinkForOscar, ToOscarBatch } from '../../src/model/to-oscar.ts';
import type { FailedItem } from '../../src/workflow/contract.ts';
import {
  ambiguousGlobalIdFailures,
  caseIdsToRefetch,
  closedReferralIds,
  concernsOscar,
  decisionAlreadySent,
  decisionKey,
  decisionSentValue,
  decisionsForOscar,
  hasReferralToOscar,
  isReferralToOscarRow,
  linkKey,
  referralKey,
  referralsToOscar,
  globalIdsToCheck,
  goneCases,
  holderIds,
  isCaseReadError,
  isUnconfirmedUpsert,
  latestUpdate,
  linkAlreadySent,
  linkForOscar,
  referralReadFailure,
  referralSendState,
  resolvedRetries,
  selectForOscar,
  selectionRulesOf,
  sentLedgerOf,
  toOscarStatusUpdate,
  unreadableCaseFailure,
  windowOrder,
} from '../../src/sync/primero-to-oscar.ts';
import { readReferralsInOrder } from '../../src/sync/primero-to-oscar/referral-reads.ts';
import {
  awaitingRecord,
  overdueReferrals,
} from '../../src/sync/primero-to-oscar/awaiting-decision.ts';
import type { HeldCopy, HeldValues } from '../../src/sync/primero-to-oscar/oscar-holders.ts';
import {
  globalIdsNeedingHolders,
  holdingOrgs,
} from '../../src/sync/primero-to-oscar/oscar-holders.ts';
import {
  referralsInDoubt,
  unconfirmedIds,
  unconfirmedIdsOf,
} from '../../src/sync/primero-to-oscar/unconfirmed.ts';
import { caseKeyOf, toOscarReferral, UNCONFIRMED_SEND } from '../../src/sync/primero-to-oscar.ts';
import type { ReferralToOscar } from '../../src/sync/primero-to-oscar.ts';

const caseOf = (id: string, extra: Record<string, unknown> = {}) =>
  parsePrimeroCase({
    id,
    case_id: `case-${id}`,
    last_updated_at: '2025-03-02T00:00:00Z',
    risk_level: 'no_action',
    ...extra,
  });
const referring = (id: string, extra: Record<string, unknown> = {}) =>
  caseOf(id, {
    services_section: [
      {
        unique_id: `s-${id}`,
        service_response_type: 'referral_to_oscar',
        service_implementing_agency: 'agency-cif',
      },
    ],
    ...extra,
  });
const referralOf = (id: string, primeroId: string, status = 'in_progress') =>
  parsePrimeroReferral({
    id,
    record_id: primeroId,
    status,
    service_record_id: `s-${primeroId}`,
    created_at: '2025-03-02T00:00:00Z',
  });
const carried = (key: string, primeroId: string, step = 'f1-j2', kind = 'referral'): FailedItem =>
  ({
    key,
    step,
    kind,
    ids: { primero_id: primeroId },
    reason: 'earlier',
    attempts: 1,
    firstFailedAt: '2025-03-01T00:00:00Z',
    lastFailedAt: '2025-03-01T00:00:00Z',
  }) as FailedItem;
const sent = (key: string, value: string) => ({ key, value, at: '2025-03-01T00:00:00Z' });
const batchOf = (...cases: ReturnType<typeof caseOf>[]): ToOscarBatch => {
  const referrals = new Map(cases.map((c) => [c.id, [referralOf(`r-${c.id}`, c.id)]]));
  return selectForOscar(
    cases,
    referrals,
    selectionRulesOf('2025-03-01T00:00:00Z', noCarried, new Map()),
  );
};
const noCarried = { retries: [], deadLetters: [] };
const decisionOf = (
  globalId: string,
  rowStatus: DecisionForOscar['rowStatus'],
): DecisionForOscar => ({
  key: 'f1-j2:decision:case-a:s1',
  ids: {
    case_id: 'case-a',
    primero_id: 'a',
    service_id: 's1',
    oscar_referral_id: '12',
    global_id: globalId,
  },
  sentKey: `decision:${globalId}:12`,
  rowStatus,
});
const apiError = (status: number | undefined, code?: string) =>
  new ApiError(`GET /x - ${status ?? code}`, {
    system: 'primero',
    status,
    method: 'GET',
    path: '/x',
    retryable: false,
    ...(code ? { code } : {}),
  });

describe('f1-j1: which cases concern OSCaR (concernsOscar)', () => {
  it('keeps a case with an oscar_number or a row to or from OSCaR, drops the others', () => {
    expect(concernsOscar(caseOf('a'))).toBe(false);
    expect(concernsOscar(caseOf('b', { oscar_number: '  ' }))).toBe(false);
    expect(concernsOscar(caseOf('c', { oscar_number: 'G1' }))).toBe(true);
    expect(concernsOscar(referring('d'))).toBe(true);
  });
});

describe('f1-j1: carried items are retried (caseIdsToRefetch, goneCases)', () => {
  it('caseIdsToRefetch fetches the case of each carried f1 item the window did not bring, once', () => {
    const retries = [
      carried('f1-j2:referral:case-a:s-a', 'a'),
      carried('f1-j2:link:case-a', 'a', 'f1-j2', 'link'),
      carried('f1-j2:referral:case-b:s-b', 'b'),
      carried('f1-j1:case:c', 'c', 'f1-j1', 'case'),
      carried('f2-j2:case:G9', 'd', 'f2-j2', 'case'),
    ];
    expect(caseIdsToRefetch(retries, [caseOf('b')])).toEqual(['a', 'c']);
  });

  it('goneCases names the refetched ids Primero gave neither readable nor malformed', () => {
    const found = {
      cases: [caseOf('a')],
      unreadable: [{ id: 'b', reason: 'bad' }, { reason: 'x' }],
    };
    expect(goneCases(['a', 'b', 'c'], found)).toEqual(['c']);
  });
});

describe('f1-j1: the window is worked in (last_updated_at, id) order (windowOrder)', () => {
  it('orders by time then id, and starts at the checkpoint a budget left', () => {
    const cases = [
      caseOf('b', { last_updated_at: '2025-03-02T00:00:00Z' }),
      caseOf('a', { last_updated_at: '2025-03-02T00:00:00Z' }),
      caseOf('z', { last_updated_at: '2025-03-01T00:00:00Z' }),
    ];
    expect(windowOrder(cases).map((c) => c.id)).toEqual(['z', 'a', 'b']);
    expect(windowOrder(cases, { at: '2025-03-02T00:00:00Z', id: 'b' }).map((c) => c.id)).toEqual([
      'b',
    ]);
  });
});

describe('f1-j1: the candidate Primero cursor (latestUpdate)', () => {
  it('is the greatest last_updated_at seen, carried over pages, ignoring unreadable times', () => {
    const page1 = [caseOf('a', { last_updated_at: '2025-03-02T10:00:00+07:00' })];
    const page2 = [caseOf('b', { last_updated_at: '2025-03-02T02:00:00Z' })];
    const first = latestUpdate(page1);
    expect(first).toBe('2025-03-02T03:00:00.000Z');
    expect(latestUpdate(page2, first)).toBe('2025-03-02T03:00:00.000Z');
    expect(latestUpdate([caseOf('c', { last_updated_at: '2025-04-01T00:00:00Z' })], first)).toBe(
      '2025-04-01T00:00:00.000Z',
    );
    expect(latestUpdate([])).toBeUndefined();
  });
});

describe('f1-j1: a carried item its case no longer asks for is settled (resolvedRetries)', () => {
  const retries = [
    carried('f1-j2:referral:case-a:s-a', 'a'),
    carried('f1-j2:referral:case-b:s-b', 'b'),
    carried('f1-j2:referral:case-c:s-c', 'c'),
    carried('f1-j2:referral:case-d:s-d', 'd'),
  ];

  it('settles items of cases looked at (fetched or gone) that the selection no longer makes', () => {
    const a = referring('a');
    const b = referring('b');
    const selected = batchOf(a);
    const window = { cases: [a], refetched: [b], gone: ['c'] };
    expect(resolvedRetries(retries, window, selected)).toEqual([
      'f1-j2:referral:case-b:s-b',
      'f1-j2:referral:case-c:s-c',
    ]);
  });

  it('keeps items of cases not looked at this run (deferred, or failed to read)', () => {
    expect(resolvedRetries(retries, { cases: [], refetched: [], gone: [] }, batchOf())).toEqual([]);
  });
});

describe('f1-j1: a case Primero refuses fails alone (isCaseReadError, referralReadFailure, unreadableCaseFailure)', () => {
  it('isCaseReadError: 403, 404, 422 and a malformed referral are about the case; 401, 429, 5xx, no answer and an answer without a list are not', () => {
    for (const status of [403, 404, 410, 422]) expect(isCaseReadError(apiError(status))).toBe(true);
    expect(
      isCaseReadError(new PrimeroRecordError('Primero referral r1 is not as expected', 'r1')),
    ).toBe(true);
    // An answer without a list is Primero's, not the case's (test/reliability/bad-input.test.ts).
    expect(isCaseReadError(new PrimeroRecordError('answered without a "data" member'))).toBe(false);
    expect(isCaseReadError(new MappingError('bad'))).toBe(true);
    const unsafe = Object.assign(new Error('Refusing GET for case ".."'), { recordId: '..' });
    expect(isCaseReadError(unsafe)).toBe(true);
    for (const status of [401, 408, 429, 500, 503])
      expect(isCaseReadError(apiError(status))).toBe(false);
    expect(isCaseReadError(apiError(undefined, 'ECONNRESET'))).toBe(false);
    expect(isCaseReadError(new Error('anything else'))).toBe(false);
  });

  it('referralReadFailure keys the case, names its ids and says it is read again', () => {
    const failure = referralReadFailure(referring('a'), apiError(404));
    expect(failure).toMatchObject({
      key: 'f1-j1:case:a',
      step: 'f1-j1',
      kind: 'case',
      ids: { primero_id: 'a', case_id: 'case-a' },
    });
    expect(failure.reason).toMatch(/referrals of case case-a could not be read: GET \/x - 404/);
    expect(failure.reason).toMatch(/read again next run/);
  });

  it('unreadableCaseFailure keys the case by its id, or says it has none', () => {
    expect(unreadableCaseFailure({ id: 'a', reason: 'sex: invalid' }).key).toBe('f1-j1:case:a');
    expect(unreadableCaseFailure({ reason: 'id: missing' })).toMatchObject({
      key: 'f1-j1:case:without-id',
      ids: {},
    });
  });
});

describe('Which referrals go to OSCaR: what the carried state and the ledger say (selectionRulesOf, referralSendState)', () => {
  const record = referring('a');
  const referrals = new Map([['a', [referralOf('r-a', 'a')]]]);
  const key = 'f1-j2:referral:case-a:s-a';
  const select = (c: { retries: FailedItem[]; deadLetters: FailedItem[] }, ledger = new Map()) =>
    selectForOscar([record], referrals, selectionRulesOf('2025-03-01T00:00:00Z', c, ledger))
      .referrals;

  it('referralSendState: unsent, confirmed, or unconfirmed', () => {
    const ledger = sentLedgerOf([sent('referral:x', 's-x'), sent('referral:y', 'unconfirmed')]);
    expect(referralSendState(ledger, 'referral:x')).toBe('confirmed');
    expect(referralSendState(ledger, 'referral:y')).toBe('unconfirmed');
    expect(referralSendState(ledger, 'referral:z')).toBe('unsent');
  });

  it('a confirmed referral is never selected again', () => {
    expect(select(noCarried, sentLedgerOf([sent('referral:r-a', 's-a')]))).toEqual([]);
  });

  it('an unconfirmed referral is reported again, sent again only once an operator requeued it, and waits as a dead letter', () => {
    const ledger = sentLedgerOf([sent('referral:r-a', 'unconfirmed')]);
    expect(select(noCarried, ledger).map((item) => item.unconfirmed)).toEqual([true]);
    const requeued = { retries: [carried(key, 'a')], deadLetters: [] };
    expect(select(requeued, ledger).map((item) => item.unconfirmed)).toEqual([undefined]);
    const waiting = { retries: [], deadLetters: [carried(key, 'a')] };
    expect(select(waiting, ledger)).toEqual([]);
  });

  it('closedReferralIds names the referrals Primero no longer has in progress', () => {
    expect(
      closedReferralIds({
        a: [referralOf('r1', 'a'), referralOf('r2', 'a', 'accepted')],
        b: [referralOf('r3', 'b', 'rejected')],
      }),
    ).toEqual(['r2', 'r3']);
  });
});

describe('Sent ledger: decisions and links OSCaR has already (decisionAlreadySent, linkAlreadySent)', () => {
  const decision = decisionOf('G1', 'accepted_340953');
  const link = linkForOscar(caseOf('a', { oscar_number: 'G1' })) as LinkForOscar;

  it('a decision is sent already when the ledger holds the status OSCaR was told', () => {
    expect(decisionAlreadySent(sentLedgerOf([sent('decision:G1:12', 'Accepted')]), decision)).toBe(
      true,
    );
    expect(decisionAlreadySent(sentLedgerOf([sent('decision:G1:12', 'Exited')]), decision)).toBe(
      false,
    );
    expect(decisionAlreadySent(new Map(), decision)).toBe(false);
  });

  it('a link is sent already when the ledger holds the same case id for the global id', () => {
    expect(linkAlreadySent(sentLedgerOf([sent('link:G1', 'case-a')]), link)).toBe(true);
    expect(linkAlreadySent(sentLedgerOf([sent('link:G1', 'case-other')]), link)).toBe(false);
  });
});

describe('Sent ledger: an upsert OSCaR may have applied without confirming it (isUnconfirmedUpsert)', () => {
  it('no answer, a 5xx other than 503 and an unreadable success may have landed', () => {
    expect(isUnconfirmedUpsert(apiError(undefined, 'UND_ERR_SOCKET'))).toBe(true);
    expect(isUnconfirmedUpsert(apiError(500))).toBe(true);
    expect(isUnconfirmedUpsert(apiError(504))).toBe(true);
    expect(isUnconfirmedUpsert(apiError(200))).toBe(true);
  });

  it('429, 503, a refused connection and a 4xx surely did not; neither did a non-API error', () => {
    expect(isUnconfirmedUpsert(apiError(429))).toBe(false);
    expect(isUnconfirmedUpsert(apiError(503))).toBe(false);
    expect(isUnconfirmedUpsert(apiError(undefined, 'ECONNREFUSED'))).toBe(false);
    expect(isUnconfirmedUpsert(apiError(422))).toBe(false);
    expect(isUnconfirmedUpsert(new MappingError('bad'))).toBe(false);
  });
});

describe('Decisions and links: two Primero cases with one oscar_number (globalIdsToCheck, holderIds, ambiguousGlobalIdFailures)', () => {
  const known = referring('a', { oscar_number: 'G1' });
  const linked = caseOf('b', { oscar_number: 'G2' });
  const batch = batchOf(known, linked);

  it('globalIdsToCheck: links OSCaR does not have yet and referrals of known children, each once', () => {
    expect(globalIdsToCheck(batch, [])).toEqual(['G2', 'G1']);
    expect(globalIdsToCheck(batch, [sent('link:G2', 'case-b')])).toEqual(['G1']);
    const unconfirmed = {
      ...batch,
      referrals: batch.referrals.map((r) => ({ ...r, unconfirmed: true as const })),
    };
    expect(globalIdsToCheck(unconfirmed, [sent('link:G2', 'case-b')])).toEqual([]);
  });

  it('holderIds lists readable and malformed holders, `?` for one without an id', () => {
    expect(
      holderIds({ cases: [known], unreadable: [{ id: 'x', reason: 'r' }, { reason: 'r' }] }),
    ).toEqual(['a', 'x', '?']);
  });

  it('ambiguousGlobalIdFailures takes out, as failures naming every holder, the items whose global id two cases hold', () => {
    const holders = new Map([
      ['G1', ['a', 'a2']],
      ['G2', ['b']],
    ]);
    const { batch: rest, failures } = ambiguousGlobalIdFailures(batch, holders);
    expect(rest.referrals).toEqual([]);
    expect(rest.links.map((l) => l.key)).toEqual(['f1-j2:link:case-b']);
    expect(failures).toEqual([
      expect.objectContaining({
        key: 'f1-j2:referral:case-a:s-a',
        step: 'f1-j2',
        kind: 'referral',
        reason: expect.stringMatching(
          /^ambiguous match: 2 Primero cases have oscar_number G1 \(ids a, a2\)/,
        ),
      }),
    ]);
  });

  it('leaves an unconfirmed referral to the dead letters, whoever holds its global id', () => {
    const unconfirmed = {
      ...batch,
      referrals: batch.referrals.map((r) => ({ ...r, unconfirmed: true as const })),
    };
    const { batch: rest, failures } = ambiguousGlobalIdFailures(
      unconfirmed,
      new Map([['G1', ['a', 'a2']]]),
    );
    expect(rest.referrals).toHaveLength(1);
    expect(failures).toEqual([]);
  });
});

describe('Decisions and links: the update_statuses item (toOscarStatusUpdate)', () => {
  it('tells OSCaR Accepted or Exited for the numeric referral id of the child', () => {
    expect(toOscarStatusUpdate(decisionOf('G1', 'accepted_340953'))).toEqual({
      client_global_id: 'G1',
      referral_id: 12,
      referral_status: 'Accepted',
    });
    expect(toOscarStatusUpdate(decisionOf('G1', 'rejected_936484')).referral_status).toBe('Exited');
  });

  it('refuses a case without oscar_number, naming the case and the referral', () => {
    expect(() => toOscarStatusUpdate(decisionOf('', 'accepted_340953'))).toThrow(
      /case case-a has no oscar_number: OSCaR cannot find the client of referral 12/,
    );
  });
});

describe('f1-j1: referral reads, one case refused at a time (readReferralsInOrder)', () => {
  const always = { take: () => true };
  const cases = [referring('a'), caseOf('plain'), referring('b'), referring('c')];

  it('reads only cases referring to OSCaR; a case Primero refuses fails alone, the others are read', async () => {
    const reads = await readReferralsInOrder(
      cases,
      async (id) => {
        if (id === 'b') throw apiError(404);
        return [referralOf(`r-${id}`, id)];
      },
      always,
      2,
    );
    expect(Object.keys(reads.referrals).sort()).toEqual(['a', 'c']);
    expect(
      reads.failed.map(({ record, error }) => [record.id, (error as ApiError).status]),
    ).toEqual([['b', 404]]);
    expect(reads.done.map((record) => record.id)).toEqual(['a', 'plain', 'c']);
    expect(reads.deferred).toEqual([]);
  });

  it('an outage of Primero fails the whole read, once nothing is in flight', async () => {
    const read = async (id: string) => {
      if (id === 'b') throw apiError(503);
      return [];
    };
    await expect(readReferralsInOrder(cases, read, always, 2)).rejects.toThrow(/503/);
  });

  it('the cases after the first read the budget refuses are deferred whole', async () => {
    let left = 1;
    const budget = { take: () => left-- > 0 };
    const reads = await readReferralsInOrder(cases, async () => [], budget, 1);
    expect(reads.done.map((record) => record.id)).toEqual(['a', 'plain']);
    expect(reads.deferred.map((record) => record.id)).toEqual(['b', 'c']);
  });
});

describe('Which referrals go to OSCaR: items and their keys (referralsToOscar, decisionsForOscar, referralKey, decisionKey, linkKey)', () => {
  it('hasReferralToOscar and isReferralToOscarRow: only referral_to_oscar rows make a case read its referrals', () => {
    expect(hasReferralToOscar(referring('a'))).toBe(true);
    expect(hasReferralToOscar(caseOf('b', { oscar_number: 'G1' }))).toBe(false);
    expect(isReferralToOscarRow(referring('a').services_section![0]!)).toBe(true);
  });

  it('referralsToOscar keys an in-progress referral by case and row, its ledger key by the referral', () => {
    const record = referring('a');
    const rules = selectionRulesOf('2025-03-01T00:00:00Z', noCarried, new Map());
    const [item] = referralsToOscar(record, [referralOf('r-a', 'a')], rules);
    expect(item).toMatchObject({
      key: referralKey(record, record.services_section![0]!),
      sentKey: 'referral:r-a',
      ids: { case_id: 'case-a', primero_id: 'a', service_id: 's-a', referral_id: 'r-a' },
    });
    expect(item!.key).toBe('f1-j2:referral:case-a:s-a');
    expect(linkKey(record)).toBe('f1-j2:link:case-a');
  });

  it('decisionsForOscar keeps decided referral_from_oscar rows with a numeric OSCaR id; the ledger keeps what OSCaR was told (decisionSentValue)', () => {
    const row = (unique_id: string, status: string, oscarId: string) => ({
      unique_id,
      service_response_type: 'referral_from_oscar',
      referral_status_edf41f2: status,
      oscar_referral_id_a4ac8a5: oscarId,
    });
    const record = caseOf('a', {
      oscar_number: 'G1',
      services_section: [
        row('s1', 'accepted_340953', '12'),
        row('s2', 'rejected_936484', 'x'),
        row('s3', 'in_progress_xyz', '13'),
      ],
    });
    const decisions = decisionsForOscar(record);
    expect(decisions.map((d) => [d.key, d.sentKey])).toEqual([
      [decisionKey(record, record.services_section![0]!), 'decision:G1:12'],
    ]);
    expect(decisionSentValue(decisions[0]!)).toBe('Accepted');
  });
});

describe('f1-j1: the window is worked in (last_updated_at, id) order (caseKeyOf)', () => {
  it("caseKeyOf places a case by Primero's last_updated_at, then its id", () => {
    expect(caseKeyOf(caseOf('b'))).toEqual({ at: '2025-03-02T00:00:00Z', id: 'b' });
    const later = caseOf('a', { last_updated_at: '2025-03-03T00:00:00Z' });
    expect(caseKeyOf(later)).toEqual({ at: '2025-03-03T00:00:00Z', id: 'a' });
  });
});

const referralItem = (id: string, extra: Record<string, unknown> = {}): ReferralToOscar =>
  batchOf(referring(id, extra)).referrals[0]!;

describe('Referrals awaiting an NGO decision (awaitingRecord)', () => {
  it('awaitingRecord keeps ids only, in the order overdueReferrals reads them back', () => {
    const record = awaitingRecord(referralItem('a'), 'cif', '2025-03-01T00:00:00Z');
    expect(record).toEqual({
      key: 'awaiting:r-a',
      value: 'a case-a cif',
      at: '2025-03-01T00:00:00Z',
    });
    const [overdue] = overdueReferrals([record], new Date('2025-03-05T00:00:00Z'), 2);
    expect(overdue).toMatchObject({
      ids: { case_id: 'case-a', primero_id: 'a', referral_id: 'r-a' },
      organisation: 'cif',
      daysWaiting: 4,
    });
  });
});

describe('Children OSCaR already knows: which holders f1-j2 reads (globalIdsNeedingHolders, holdingOrgs)', () => {
  it('globalIdsNeedingHolders asks for known children of confirmable referrals and of decisions, each once', () => {
    const batch: ToOscarBatch = {
      referrals: [
        referralItem('a', { oscar_number: ' G1 ' }),
        { ...referralItem('b', { oscar_number: 'G2' }), unconfirmed: true },
        referralItem('c'),
      ],
      decisions: [decisionOf('G1', 'accepted_340953'), decisionOf('G3', 'rejected_936484')],
      links: [],
    };
    expect(globalIdsNeedingHolders(batch)).toEqual(['G1', 'G3']);
    expect(globalIdsNeedingHolders({ referrals: [], decisions: [], links: [] })).toEqual([]);
  });

  it('holdingOrgs names each organisation holding a copy once, in listing order', () => {
    const copy = (org: string): HeldCopy => ({ org, values: {} as HeldValues });
    expect(holdingOrgs([copy('fco'), copy('cif'), copy('fco')])).toEqual(['fco', 'cif']);
    expect(holdingOrgs([])).toEqual([]);
  });
});

const letter = (item: ReferralToOscar, ids: Record<string, string>): FailedItem => ({
  ...carried(item.key, item.ids.primero_id),
  ids: { ...item.ids, ...ids },
});

describe('Sent ledger: referrals OSCaR did not confirm are settled from its listing (unconfirmedIds, unconfirmedIdsOf, referralsInDoubt)', () => {
  it('unconfirmedIds keeps where the upsert went and what it asked for, ids only', () => {
    const item = referralItem('a');
    expect(
      unconfirmedIds(item, {
        organization_name: 'cif',
        services: [{ uuid: 's-a', name: 'Kinship care' }],
        global_id: 'G1',
      }),
    ).toEqual({
      ...item.ids,
      organisation: 'cif',
      oscar_service: 'Kinship care',
      global_id: 'G1',
    });
    expect(unconfirmedIds(item, { organization_name: 'cif' })).toEqual({
      ...item.ids,
      organisation: 'cif',
    });
  });

  it('unconfirmedIdsOf builds the payload again when it is not at hand, and keeps the bare ids when it cannot be built', () => {
    const item = referralItem('a', { oscar_number: 'G1' });
    const payload = toOscarReferral(item);
    expect(unconfirmedIdsOf(item)).toEqual(unconfirmedIds(item, payload));
    expect(unconfirmedIdsOf(item)).toMatchObject({ organisation: payload.organization_name });
    expect(unconfirmedIdsOf(item, { ...payload, organization_name: 'fco' })).toMatchObject({
      organisation: 'fco',
    });
    const unmappable = { ...item, row: { ...item.row, service_implementing_agency: '' } };
    expect(unconfirmedIdsOf(unmappable)).toEqual(item.ids);
  });

  it('referralsInDoubt takes the letters the ledger still calls unconfirmed and the referrals selected again as unconfirmed, each once', () => {
    const a = referralItem('a');
    const b = referralItem('b');
    const c = referralItem('c');
    const d = referralItem('d');
    const where = { organisation: 'cif', oscar_service: 'Kinship care' };
    const ledger = new Map([
      ['referral:r-a', sent('referral:r-a', UNCONFIRMED_SEND)],
      ['referral:r-b', sent('referral:r-b', 's-b')],
      ['referral:r-c', sent('referral:r-c', UNCONFIRMED_SEND)],
    ]);
    const doubts = referralsInDoubt(
      {
        cursors: {},
        retries: [],
        deadLetters: [letter(a, where), letter(b, where), letter(c, {})],
      },
      [{ ...a, unconfirmed: true }, { ...d, unconfirmed: true }, c],
      ledger,
    );
    expect(doubts.map((doubt) => [doubt.key, doubt.sentKey, doubt.organisation])).toEqual([
      [a.key, 'referral:r-a', 'cif'],
      [d.key, 'referral:r-d', unconfirmedIdsOf(d)['organisation']],
    ]);
  });
});
