// Children whose services OSCaR hides until their link lands (issue 15 item 1): remembered, read
// again from their own window, forgotten once linked, dead-lettered when the link never comes.
import { describe, expect, it } from 'vitest';
import type { OscarClientRecord } from '../../src/model/oscar.ts';
import { emptyReport, nextRetryState } from '../../src/workflow/outcomes.ts';
import type { AwaitingServices, CarriedState } from '../../src/workflow/contract.ts';
import { oscarWindow } from '../../src/sync/oscar-to-primero.ts';
import type { OscarChild } from '../../src/sync/oscar-to-primero.ts';
import { awaitingKey, trackAwaiting } from '../../src/sync/oscar-to-primero/awaiting-services.ts';

const G = '01JAAAAAAAAAAAAAAAAAAAAAA1';
const NOW = '2025-03-10T08:00:00.000Z';
const SINCE = '2025-03-01 00:00:00';

function child(externalId: string | null): OscarChild {
  const record = {
    global_id: G,
    slug: 'cif-7',
    given_name: 'Invented',
    family_name: 'Child',
    organization_name: 'cif',
    external_id: externalId,
    services: [],
  } as unknown as OscarClientRecord;
  return { globalId: G, records: [record] };
}

/** The carried entry of G, upserted unlinked in `runs` runs. */
const watched = (runs: number): AwaitingServices => ({
  key: awaitingKey(G),
  globalId: G,
  organization: 'cif',
  slug: 'cif-7',
  since: SINCE,
  runs,
});

const carried = (over: Partial<CarriedState> = {}): CarriedState => ({
  cursors: { oscar: '2025-03-09 00:00:00' },
  retries: [],
  deadLetters: [],
  ...over,
});

describe('children awaiting their services', () => {
  it('an unlinked child is remembered with its window and counted per run; a linked one is forgotten', () => {
    const run1 = trackAwaiting([]);
    run1.upserted(child(''), SINCE);
    const { awaiting } = run1.finish({
      report: emptyReport(),
      carried: carried(),
      now: NOW,
      maxAttempts: 5,
    });
    expect(awaiting).toEqual([watched(1)]);

    const run2 = trackAwaiting(awaiting);
    run2.upserted(child(null), '2025-03-09 00:00:00');
    expect(
      run2.finish({ report: emptyReport(), carried: carried(), now: NOW, maxAttempts: 5 }).awaiting,
    ).toEqual([{ ...awaiting[0], runs: 2 }]);

    const run3 = trackAwaiting(awaiting);
    run3.upserted(child('case-7'), '2025-03-09 00:00:00');
    expect(
      run3.finish({ report: emptyReport(), carried: carried(), now: NOW, maxAttempts: 5 }).awaiting,
    ).toEqual([]);
  });

  it('a child this run did not reach keeps its entry unchanged', () => {
    const entry = watched(9);
    const tracker = trackAwaiting([entry]);
    const report = emptyReport();
    expect(
      tracker.finish({ report, carried: carried(), now: NOW, maxAttempts: 5 }).awaiting,
    ).toEqual([entry]);
    expect(report.failed).toEqual([]);
  });

  it('the next window starts where the earliest awaiting child was seen', () => {
    const entry = watched(1);
    const window = oscarWindow({ carried: carried({ awaitingServices: [entry] }) });
    expect(window).toEqual({ since: SINCE, cursor: '2025-03-09 00:00:00', widenedFor: 1 });
  });

  it('listed unlinked in more runs than maxAttempts: a dead letter naming organisation and slug, and no more widening', () => {
    const entry = watched(5);
    const tracker = trackAwaiting([entry]);
    tracker.upserted(child(''), '2025-03-09 00:00:00');
    const report = emptyReport();
    const state = carried();
    const { awaiting } = tracker.finish({ report, carried: state, now: NOW, maxAttempts: 5 });
    expect(awaiting).toEqual([]);
    expect(report.failed).toHaveLength(1);
    const failure = report.failed[0]!;
    expect(failure).toMatchObject({
      key: `f2-j2:link:${G}`,
      step: 'f2-j2',
      kind: 'link',
      ids: { global_id: G, organization: 'cif', slug: 'cif-7', oscar_since: SINCE },
    });
    expect(failure.reason).toMatch(/client cif-7 of cif/);
    expect(failure.reason).not.toMatch(/Invented|Child/);
    expect(
      nextRetryState(state, report, { maxAttempts: 5 }).deadLettered.map((d) => d.key),
    ).toEqual([awaitingKey(G)]);
  });
});
