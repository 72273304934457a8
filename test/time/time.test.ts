// One reader of times (src/time.ts) and one message per refusal to start: the cursors, the two
// windows and the operator's --since all read times, and refuse a missing start, the same way.
import { describe, expect, it } from 'vitest';
import { parseSince } from '../../src/runner/run-once.ts';
import { oscarWindow } from '../../src/sync/oscar-to-primero/window.ts';
import { primeroWindow } from '../../src/workflow/checkpoint.ts';
import { windowStart } from '../../src/workflow/cursors.ts';
import {
  NO_START_MESSAGE,
  START_EXAMPLE,
  instantMs,
  isOscarTime,
  toOscarTime,
} from '../../src/time.ts';

describe('reading a time', () => {
  it.each([
    ['2025-03-10T09:05:07Z', Date.UTC(2025, 2, 10, 9, 5, 7)],
    ['2025-03-10T09:05:07.250Z', Date.UTC(2025, 2, 10, 9, 5, 7, 250)],
    ['2025-03-10T16:05:07+07:00', Date.UTC(2025, 2, 10, 9, 5, 7)],
    ['2025-03-10', Date.UTC(2025, 2, 10)],
    // OSCaR's since_date form, and an ISO time without offset: both UTC, never this machine's zone.
    ['2025-03-10 09:05:07', Date.UTC(2025, 2, 10, 9, 5, 7)],
    ['2025-03-10T09:05', Date.UTC(2025, 2, 10, 9, 5)],
    [' 2025-03-10T09:05:07Z ', Date.UTC(2025, 2, 10, 9, 5, 7)],
  ])('%j is %d', (text, ms) => {
    expect(instantMs(text)).toBe(ms);
  });

  it.each(['', 'yesterday', 'May 1 2025', '2025-13-01', '2025-02-30 10:00:00', '1714521600000'])(
    'refuses %j rather than guess',
    (text) => {
      expect(instantMs(text)).toBeNaN();
    },
  );

  it("writes and recognises OSCaR's form", () => {
    expect(toOscarTime(new Date('2025-03-10T09:05:07.123Z'))).toBe('2025-03-10 09:05:07');
    expect(isOscarTime('2025-03-10 09:05:07')).toBe(true);
    expect(isOscarTime('2025-03-10T09:05:07Z')).toBe(false);
  });
});

describe('one message per refusal', () => {
  const noCursors = { since: undefined, carried: { cursors: {}, retries: [], deadLetters: [] } };

  it('a run with no cursor and no start is refused with the same words wherever it is caught', () => {
    expect(windowStart(noCursors.carried, undefined)).toEqual({ error: NO_START_MESSAGE });
    expect(() => oscarWindow(noCursors)).toThrow(NO_START_MESSAGE);
    expect(() => primeroWindow(noCursors)).toThrow(NO_START_MESSAGE);
    expect(NO_START_MESSAGE).toContain(`npx interop run --since ${START_EXAMPLE}`);
  });

  it('an unreadable start is refused with the same example, by the CLI and by the workflow', () => {
    expect(() => parseSince('yesterday')).toThrow(
      `give an ISO-8601 instant such as ${START_EXAMPLE}`,
    );
    expect(windowStart(noCursors.carried, 'yesterday')).toEqual({
      error: expect.stringContaining(`give an ISO-8601 instant such as ${START_EXAMPLE}`),
    });
    expect(() => oscarWindow({ ...noCursors, since: 'yesterday' })).toThrow(
      `give an ISO-8601 instant such as ${START_EXAMPLE}`,
    );
  });
});
