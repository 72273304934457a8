// The Primero cursor a run hands on is when its listing began on Primero's clock: the first page's
// Date header less a second, or the latest last_updated_at seen when later; without a believable
// Date, the latest seen, said once in the log (src/workflow/primero-reread.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/log.ts';
import { httpDateMs } from '../../src/http/http-date.ts';
import {
  PRIMERO_REREAD_MARGIN_MS,
  primeroCursorCandidate,
  primeroListingStart,
} from '../../src/workflow/primero-reread.ts';

const NOW = Date.parse('2026-03-04T05:06:07.000Z');
const DATE = 'Wed, 04 Mar 2026 05:06:07 GMT';
const BURST_END = '2026-03-04T03:59:00.000Z';

let lines: string[];
let restoreLog: () => void;
beforeEach(() => {
  lines = [];
  restoreLog = setLogSink((_level, message) => lines.push(message));
});
afterEach(() => restoreLog());

describe('the candidate Primero cursor', () => {
  it('is the listing Date less its second of resolution after a burst then quiet', () => {
    expect(primeroCursorCandidate(BURST_END, DATE, NOW)).toBe('2026-03-04T05:06:06.000Z');
    expect(lines).toEqual([]);
  });

  it('moves on an empty listing too', () => {
    expect(primeroCursorCandidate(undefined, DATE, NOW)).toBe('2026-03-04T05:06:06.000Z');
  });

  it('keeps a case stamped after the Date (Primero wrote during the listing)', () => {
    const during = '2026-03-04T05:06:07.400Z';
    expect(primeroCursorCandidate(during, DATE, NOW)).toBe(during);
  });

  it('after a burst then quiet, the next listing starts after the burst once the margin has passed', () => {
    const cursor = primeroCursorCandidate(BURST_END, DATE, NOW)!;
    const next = primeroListingStart(cursor, true);
    expect(Date.parse(next)).toBe(Date.parse(cursor) - PRIMERO_REREAD_MARGIN_MS);
    expect(Date.parse(next)).toBeGreaterThan(Date.parse(BURST_END));
  });

  it.each([
    ['no Date header', undefined, 'its answer had no Date header'],
    ['an unreadable Date header', 'yesterday', 'its Date header is not an HTTP date'],
    ['a date that does not exist', 'Thu, 31 Apr 2026 05:06:07 GMT', 'not an HTTP date'],
    ['a Date two days ahead', 'Fri, 06 Mar 2026 05:06:07 GMT', "48 h from this machine's clock"],
    ['a Date two days behind', 'Mon, 02 Mar 2026 05:06:07 GMT', "48 h from this machine's clock"],
  ])('falls back to the latest seen with %s, and says so once', (_what, date, why) => {
    expect(primeroCursorCandidate(BURST_END, date, NOW)).toBe(BURST_END);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`stays at the latest case update seen (${BURST_END})`);
    expect(lines[0]).toContain(why);
  });

  it('reads only the IMF-fixdate form servers send (RFC 7231 §7.1.1.1)', () => {
    expect(httpDateMs(DATE)).toBe(NOW);
    expect(httpDateMs('2026-03-04T05:06:07Z')).toBeNaN();
    expect(httpDateMs('Wed, 04 Mar 2026 05:06:07 +0700')).toBeNaN();
  });
});
