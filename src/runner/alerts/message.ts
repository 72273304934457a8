// One alert message: the digest of every event of one kind collected since the last message of
// that kind. The same facts go out as an email text and as the webhook's JSON body.
import type { AlertEvent, AlertKind } from './events.ts';
import { KIND_TITLES } from './events.ts';

export interface AlertMessage {
  kind: AlertKind;
  subject: string;
  text: string;
  /** The webhook body. */
  json: {
    kind: AlertKind;
    title: string;
    count: number;
    events: Array<Omit<AlertEvent, 'page'> & { link: string }>;
  };
}

/** A console page as a full link when the console's URL is known, else its path. */
export const linkTo = (consoleUrl: string | undefined, page: string) =>
  consoleUrl ? `${consoleUrl}${page}` : page;

export function digestMessage(
  kind: AlertKind,
  events: AlertEvent[],
  consoleUrl: string | undefined,
): AlertMessage {
  const count = events.reduce((sum, event) => sum + event.count, 0);
  const title = KIND_TITLES[kind];
  const subject = `[interop] ${title}: ${count}`;
  const lines = events.map(
    (event) => `- ${event.at} ${event.text}\n  ${linkTo(consoleUrl, event.page)}`,
  );
  const text = [
    `${subject} (${events.length} event(s) since the last message of this kind)`,
    '',
    ...lines,
    '',
    'Ids, counts and reasons only: open the console for the details.',
  ].join('\n');
  return {
    kind,
    subject,
    text,
    json: {
      kind,
      title,
      count,
      events: events.map(({ page, ...event }) => ({ ...event, link: linkTo(consoleUrl, page) })),
    },
  };
}
