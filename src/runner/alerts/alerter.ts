// Sends alerts as hourly digests: at most one message per kind of event per hour. An event that
// comes within the hour after a message of its kind waits in the run store and goes out with the
// next message of that kind, once the hour is over (every run end checks). Sending failures are
// logged, scrubbed, and never fail a run; undelivered events stay for the next try.
import type { Store } from '../store.ts';
import type { AlertChannel } from './channels.ts';
import { ALERT_KINDS } from './events.ts';
import type { AlertEvent } from './events.ts';
import { digestMessage } from './message.ts';

export const DIGEST_INTERVAL_MS = 60 * 60_000;

export interface AlerterDeps {
  store: Store;
  channels: AlertChannel[];
  consoleUrl?: string;
  /** Injectable clock (tests move it by hand). */
  now?: () => Date;
}

export interface Alerter {
  /**
   * Collects these events and sends every kind whose hour has passed; says each sending failure to
   * `warn` (the caller scrubs secrets). Never throws.
   */
  deliver(events: AlertEvent[], warn: (message: string) => void): Promise<void>;
}

export function createAlerter(deps: AlerterDeps): Alerter {
  const now = deps.now ?? (() => new Date());

  async function sendDigest(
    events: AlertEvent[],
    warn: (message: string) => void,
  ): Promise<boolean> {
    const message = digestMessage(events[0]!.kind, events, deps.consoleUrl);
    const results = await Promise.allSettled(deps.channels.map((channel) => channel.send(message)));
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        const reason =
          result.reason instanceof Error ? result.reason.message : String(result.reason);
        warn(`Alert (${message.kind}) by ${deps.channels[index]!.name} not sent: ${reason}`);
      }
    });
    // Delivered when one channel took it: a broken webhook must not repeat the email every run.
    return results.some((result) => result.status === 'fulfilled');
  }

  async function deliver(events: AlertEvent[], warn: (message: string) => void): Promise<void> {
    if (deps.channels.length === 0) return;
    for (const kind of ALERT_KINDS) {
      try {
        const row = deps.store.alertDigest(kind);
        const pending = [
          ...(row ? (JSON.parse(row.pending) as AlertEvent[]) : []),
          ...events.filter((event) => event.kind === kind),
        ];
        if (pending.length === 0) continue;
        const at = now();
        const lastSent = row?.lastSentAt ? Date.parse(row.lastSentAt) : undefined;
        const due = lastSent === undefined || at.getTime() - lastSent >= DIGEST_INTERVAL_MS;
        const sent = due && (await sendDigest(pending, warn));
        deps.store.saveAlertDigest(kind, {
          ...(sent
            ? { lastSentAt: at.toISOString() }
            : row?.lastSentAt
              ? { lastSentAt: row.lastSentAt }
              : {}),
          pending: JSON.stringify(sent ? [] : pending),
        });
      } catch (error) {
        warn(`Alert (${kind}) not sent: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  return { deliver };
}
