// Where an alert message goes: email through an SMTP server (nodemailer) and a JSON POST to a
// webhook. Each channel throws on failure; the alerter logs it and never fails a run.
import type { Transporter } from 'nodemailer';
import type { AlertSettings } from '../../config/alert-settings.ts';
import type { AlertMessage } from './message.ts';

export interface AlertChannel {
  /** Says where, without credentials: `email` or `webhook`. */
  name: string;
  send(message: AlertMessage): Promise<void>;
}

/** An alert must not hold a run (or its lock) for long: an unreachable server fails fast. */
export const SEND_TIMEOUT_MS = 15_000;

export function emailChannel(email: NonNullable<AlertSettings['email']>): AlertChannel {
  let transport: Transporter | undefined;
  return {
    name: 'email',
    async send(message) {
      // Loaded on the first alert: every other command starts without the mailer.
      const { default: nodemailer } = await import('nodemailer');
      // smtps:// means TLS from the start (port 465), smtp:// upgrades with STARTTLS when offered.
      transport ??= nodemailer.createTransport({
        url: email.smtpUrl,
        connectionTimeout: SEND_TIMEOUT_MS,
        greetingTimeout: SEND_TIMEOUT_MS,
        socketTimeout: SEND_TIMEOUT_MS,
      } as Parameters<typeof nodemailer.createTransport>[0]);
      await transport.sendMail({
        from: email.from,
        to: email.to,
        subject: message.subject,
        text: message.text,
      });
    },
  };
}

export function webhookChannel(url: string): AlertChannel {
  return {
    name: 'webhook',
    async send(message) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message.json),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      // The body is not read: a receiver's error page may echo anything.
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
    },
  };
}

export function channelsOf(settings: AlertSettings): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (settings.email) channels.push(emailChannel(settings.email));
  if (settings.webhookUrl) channels.push(webhookChannel(settings.webhookUrl));
  return channels;
}
