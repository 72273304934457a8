// When f1 may count a case as settled (src/sync/primero-to-oscar/settled-cases.ts): only when every
// referral selected from it is confirmed in the sent ledger and nothing of it failed or is carried,
// and its read is skipped only at exactly the last_updated_at it was settled at.
import { describe, expect, it } from 'vitest';
import { parsePrimeroCase } from '../../src/model/primero.ts';
import type { FailedItem, SentRecord } from '../../src/workflow/contract.ts';
import { readReferralsInOrder } from '../../src/sync/primero-to-oscar/referral-reads.ts';
import { alreadySettled, settledCases } from '../../src/sync/primero-to-oscar/settled-cases.ts';
import type { SettleCandidate } from '../../src/sync/primero-to-oscar/settled-cases.ts';
import { UNCONFIRMED_SEND } from '../../src/sync/primero-to-oscar/sent-ledger.ts';

const AT = '2025-03-02T00:00:00.000Z';
const referring = (id: string, at = AT) =>
  parsePrimeroCase({
    id,
    case_id: `case-${id}`,
    last_updated_at: at,
    services_section: [{ unique_id: `s-${id}`, service_response_type: 'referral_to_oscar' }],
  });
const candidate = (id: string, sentKeys: string[] = []): SettleCandidate => ({
  primero_id: id,
  at: AT,
  sentKeys,
});
const record = (key: string, value: string): SentRecord => ({ key, value, at: AT });
const failure = (primeroId: string): FailedItem => ({
  key: `f1-j2:referral:case-${primeroId}:s-${primeroId}`,
  step: 'f1-j2',
  kind: 'referral',
  ids: { primero_id: primeroId },
  reason: 'OSCaR refused it',
  attempts: 1,
  firstFailedAt: AT,
  lastFailedAt: AT,
});
const none = { retries: [], deadLetters: [] };
const settledIds = (settled: SettleCandidate[]) => settled.map((c) => c.primero_id);

describe('settledCases: settled only when losing the next read cannot lose a referral', () => {
  it('a case whose referrals are all confirmed, or that selected none, is settled', () => {
    const ledger = [record('referral:r-a', 's-a')];
    expect(
      settledIds(
        settledCases([candidate('a', ['referral:r-a']), candidate('b')], ledger, [], none),
      ),
    ).toEqual(['a', 'b']);
  });

  it('an unconfirmed or missing ledger record (failed, deferred, never sent) is not settled', () => {
    const ledger = [record('referral:r-a', UNCONFIRMED_SEND)];
    expect(
      settledCases(
        [candidate('a', ['referral:r-a']), candidate('b', ['referral:r-b'])],
        ledger,
        [],
        none,
      ),
    ).toEqual([]);
  });

  it('a case with an item failed this run, retried or dead-lettered is not settled', () => {
    const cases = [candidate('a'), candidate('b'), candidate('c'), candidate('d')];
    const carried = { retries: [failure('b')], deadLetters: [failure('c')] };
    expect(settledIds(settledCases(cases, [], [failure('a')], carried))).toEqual(['d']);
  });
});

describe('alreadySettled and the reads it saves', () => {
  const rules = { explicitStart: false, carried: new Set<string>() };

  it('skips only at exactly the last_updated_at settled, and never for a backfill', () => {
    const held = { a: AT, b: '2025-03-01T00:00:00.000Z' };
    expect(alreadySettled(referring('a'), held, rules)).toBe(true);
    expect(alreadySettled(referring('b'), held, rules)).toBe(false);
    expect(alreadySettled(referring('c'), held, rules)).toBe(false);
    expect(alreadySettled(referring('a'), held, { ...rules, explicitStart: true })).toBe(false);
    expect(alreadySettled(referring('a'), held, { ...rules, carried: new Set(['a']) })).toBe(false);
  });

  it('a skipped case takes no read and no budget, and counts as done', async () => {
    const taken: string[] = [];
    const read: string[] = [];
    const reads = await readReferralsInOrder(
      [referring('a'), referring('b')],
      async (id) => {
        read.push(id);
        return [];
      },
      { take: (phase) => (taken.push(phase), true) },
      1,
      (record) => record.id === 'a',
    );
    expect(read).toEqual(['b']);
    expect(taken).toEqual(['f1-read']);
    expect(reads.done.map((c) => c.id)).toEqual(['a', 'b']);
    expect(reads.skipped.map((c) => c.id)).toEqual(['a']);
  });
});
