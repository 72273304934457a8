// Debian's Chromium through playwright-core, for the console's browser tests (never a downloaded
// browser). Without Chromium a browser test is skipped, saying why; CI sets REQUIRE_BROWSER=1
// (.ci/run), which makes a missing browser a failure there, so the tests cannot silently stop.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import type { Store } from '../../src/runner/store.ts';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere (another distribution's package). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BROWSER_REQUIRED = process.env.REQUIRE_BROWSER === '1';

/** Whether to skip a browser test here, and its title saying so when it is skipped. */
export function browserSuite(what: string, title: string): { skip: boolean; title: string } {
  const skip = !existsSync(CHROMIUM) && !BROWSER_REQUIRED;
  return {
    skip,
    title: skip
      ? `${what}: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install chromium; REQUIRE_BROWSER=1 makes this a failure)`
      : title,
  };
}

/** Starts Chromium headless, or fails naming the fix when REQUIRE_BROWSER=1 and there is none. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No browser at ${CHROMIUM} and REQUIRE_BROWSER=1: install Debian's package (apt-get install chromium); this test never downloads one`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The first run needs a start: an administrator would give it once (CLI --since or a backfill). */
export function giveFirstStart(store: Store): void {
  const lock = store.acquireLock({ runId: 'test-setup' });
  if (!lock.ok) throw new Error('lock');
  store.saveCarriedState(
    {
      cursors: { primero: '2020-01-01T00:00:00.000Z', oscar: '2020-01-01 00:00:00' },
      retries: [],
      deadLetters: [],
    },
    lock.handle,
  );
  store.releaseLock(lock.handle);
}
