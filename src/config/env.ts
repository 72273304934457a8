// Configuration of the local runner, read from the environment (and a `.env` file through Node's own
// loader). Every problem names the variable and how to fix it; a password is never echoed.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { cronProblem } from './cron.ts';
import type { SyncSettings, SystemsConfig } from '../workflow/contract.ts';
import { MAX_CONCURRENCY } from '../workflow/lifecycle.ts';
import type { AlertSettings } from '../alerts/settings.ts';

export const SYSTEM_VARIABLES = [
  'PRIMERO_URL',
  'PRIMERO_USERNAME',
  'PRIMERO_PASSWORD',
  'OSCAR_URL',
  'OSCAR_EMAIL',
  'OSCAR_PASSWORD',
] as const;

export const DEFAULT_HOME = './.interop';
/** Every hour at minute 00, like the OpenFn.org trigger. */
export const DEFAULT_CRON = '0 * * * *';

export interface RunnerConfig {
  /** Absolute path of the folder that holds the run store. */
  home: string;
  cron: string;
  settings: Partial<SyncSettings>;
  /** Undefined when none of the six system variables is set (the demo uses the emulators). */
  systems: SystemsConfig | undefined;
  /** Email and webhook alerts; empty when none of the alert variables is set. */
  alerts: AlertSettings;
  /** Days the per-item history keeps (INTEROP_HISTORY_DAYS; src/runner/item-history.ts default 90). */
  historyDays?: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Loads `.env` from `path` into process.env when the file exists; variables already set win. */
export function loadDotEnv(path = '.env'): boolean {
  const file = resolve(path);
  if (!existsSync(file)) return false;
  process.loadEnvFile(file);
  return true;
}

/** The URL as it may be shown: any user name or password in it replaced, even in a malformed URL. */
export function withoutCredentials(text: string): string {
  return text.replace(/(\/\/)[^/?#\s]*@/, '$1***@');
}

const httpUrl = (name: string, credentials: string) =>
  z
    .string({ error: `${name} is not set: give the base URL, e.g. https://host.example.org` })
    .trim()
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), {
      error: (issue) =>
        `${name} must be an http(s) URL such as https://host.example.org (got "${withoutCredentials(String(issue.input))}")`,
    })
    // A password in the URL would be printed wherever the URL is (check, errors, logs) and sent to
    // wherever the URL leads; the credentials have variables of their own.
    .refine(
      (value) => {
        const url = URL.parse(value);
        return url === null || (url.username === '' && url.password === '');
      },
      {
        error: (issue) =>
          `${name} must not contain a user name or password (got "${withoutCredentials(String(issue.input))}"): ` +
          `remove them from the URL and set ${credentials} instead`,
      },
    )
    .transform((value) => value.replace(/\/+$/, ''));

const required = (name: string, what: string) =>
  z
    .string({ error: `${name} is not set: give ${what}` })
    .min(1, { error: `${name} is empty: give ${what}` });

const systemsSchema = z.object({
  PRIMERO_URL: httpUrl('PRIMERO_URL', 'PRIMERO_USERNAME and PRIMERO_PASSWORD'),
  PRIMERO_USERNAME: required('PRIMERO_USERNAME', 'the Primero API user name'),
  PRIMERO_PASSWORD: required('PRIMERO_PASSWORD', "that user's password"),
  OSCAR_URL: httpUrl('OSCAR_URL', 'OSCAR_EMAIL and OSCAR_PASSWORD'),
  OSCAR_EMAIL: required('OSCAR_EMAIL', 'the email of the OSCaR admin (API) user').refine(
    (value) => /^[^\s@]+@[^\s@]+$/.test(value),
    { error: 'OSCAR_EMAIL must be an email address' },
  ),
  OSCAR_PASSWORD: required('OSCAR_PASSWORD', "that user's password"),
});

/** A whole number from 1 (to `max`, when given), with one message that states the range. */
const positiveInteger = (name: string, max = Infinity) => {
  const error = `${name} must be a whole number ${max === Infinity ? '>= 1' : `from 1 to ${max}`}`;
  return z
    .string()
    .regex(/^\d+$/, { error })
    .transform(Number)
    .refine((value) => value >= 1 && value <= max, { error })
    .optional();
};

const runnerSchema = z.object({
  INTEROP_HOME: z.string().min(1).default(DEFAULT_HOME),
  INTEROP_CRON: z
    .string()
    .trim()
    .min(1)
    .default(DEFAULT_CRON)
    .superRefine((pattern, context) => {
      const problem = cronProblem(pattern, 'INTEROP_CRON');
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    }),
  INTEROP_MAX_ATTEMPTS: positiveInteger('INTEROP_MAX_ATTEMPTS'),
  INTEROP_CONCURRENCY: positiveInteger('INTEROP_CONCURRENCY', MAX_CONCURRENCY),
  INTEROP_DECISION_OVERDUE_DAYS: positiveInteger('INTEROP_DECISION_OVERDUE_DAYS'),
  INTEROP_MAX_RUN_SECONDS: positiveInteger('INTEROP_MAX_RUN_SECONDS'),
  INTEROP_MAX_RUN_ITEMS: positiveInteger('INTEROP_MAX_RUN_ITEMS'),
  INTEROP_EXCLUDED_ORGS: z.string().optional(),
  INTEROP_HTTP_TIMEOUT_MS: positiveInteger('INTEROP_HTTP_TIMEOUT_MS'),
  INTEROP_PRIMERO_PAGE_SIZE: positiveInteger('INTEROP_PRIMERO_PAGE_SIZE', 1000),
  INTEROP_HISTORY_DAYS: positiveInteger('INTEROP_HISTORY_DAYS'),
});

/**
 * A URL that may carry credentials (SMTP user and password, a webhook token): its value is never
 * echoed in a problem, only the variable's name and the expected shape.
 */
const secretUrl = (name: string, schemes: string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => URL.canParse(value) && schemes.includes(new URL(value).protocol.replace(/:$/, '')),
      {
        error: `${name} must be a ${schemes.join(' or ')} URL such as ${example} (value not shown)`,
      },
    )
    .optional();

const emailList = (name: string) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
    )
    .refine(
      (addresses) =>
        addresses.length > 0 && addresses.every((address) => /^[^\s@]+@[^\s@]+$/.test(address)),
      { error: `${name} must be one or more email addresses, separated by commas` },
    )
    .optional();

const alertSchema = z
  .object({
    INTEROP_ALERT_SMTP_URL: secretUrl(
      'INTEROP_ALERT_SMTP_URL',
      ['smtp', 'smtps'],
      'smtps://user:password@mail.example.org:465',
    ),
    INTEROP_ALERT_EMAIL_TO: emailList('INTEROP_ALERT_EMAIL_TO'),
    INTEROP_ALERT_EMAIL_FROM: emailList('INTEROP_ALERT_EMAIL_FROM'),
    INTEROP_ALERT_WEBHOOK_URL: secretUrl(
      'INTEROP_ALERT_WEBHOOK_URL',
      ['http', 'https'],
      'https://hooks.example.org/interop',
    ),
    INTEROP_CONSOLE_URL: secretUrl(
      'INTEROP_CONSOLE_URL',
      ['http', 'https'],
      'https://interop.example.org',
    ),
  })
  .superRefine((value, context) => {
    // Email needs all three: a server with nobody to write to is a silent alert.
    const email = [
      value.INTEROP_ALERT_SMTP_URL,
      value.INTEROP_ALERT_EMAIL_TO,
      value.INTEROP_ALERT_EMAIL_FROM,
    ];
    if (email.some((part) => part !== undefined) && email.some((part) => part === undefined)) {
      context.addIssue({
        code: 'custom',
        message:
          'email alerts need INTEROP_ALERT_SMTP_URL, INTEROP_ALERT_EMAIL_TO and INTEROP_ALERT_EMAIL_FROM ' +
          'together: set the missing ones, or unset all three',
      });
    }
    if (value.INTEROP_ALERT_EMAIL_FROM && value.INTEROP_ALERT_EMAIL_FROM.length !== 1) {
      context.addIssue({
        code: 'custom',
        message: 'INTEROP_ALERT_EMAIL_FROM must be one email address',
      });
    }
  });

/** Empty strings count as unset (a `.env` line `NAME=` switches a setting off). */
function withoutEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

function alertSettingsOf(data: z.infer<typeof alertSchema>): AlertSettings {
  const alerts: AlertSettings = {};
  const { INTEROP_ALERT_SMTP_URL: smtpUrl, INTEROP_ALERT_EMAIL_TO: to } = data;
  const from = data.INTEROP_ALERT_EMAIL_FROM?.[0];
  if (smtpUrl && to && from) alerts.email = { smtpUrl, to, from };
  if (data.INTEROP_ALERT_WEBHOOK_URL) alerts.webhookUrl = data.INTEROP_ALERT_WEBHOOK_URL;
  if (data.INTEROP_CONSOLE_URL) alerts.consoleUrl = data.INTEROP_CONSOLE_URL.replace(/\/+$/, '');
  return alerts;
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => issue.message);
}

/**
 * Reads and validates the runner configuration. Throws a ConfigError listing every problem.
 * Systems are all-or-nothing: setting some of the six variables but not all is an error, so a
 * half-configured deployment never silently falls back to the demo emulators.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  const problems: string[] = [];
  const runner = runnerSchema.safeParse(env);
  if (!runner.success) problems.push(...problemsOf(runner.error));
  const alerts = alertSchema.safeParse(withoutEmpty(env));
  if (!alerts.success) problems.push(...problemsOf(alerts.error));

  let systems: SystemsConfig | undefined;
  const anySystemVariable = SYSTEM_VARIABLES.some(
    (name) => env[name] !== undefined && env[name] !== '',
  );
  if (anySystemVariable) {
    const parsed = systemsSchema.safeParse(env);
    if (!parsed.success) problems.push(...problemsOf(parsed.error));
    else {
      // No Primero auth setting: the client works out token or HTTP Basic from the sign-in answer.
      systems = {
        primero: {
          url: parsed.data.PRIMERO_URL,
          username: parsed.data.PRIMERO_USERNAME,
          password: parsed.data.PRIMERO_PASSWORD,
        },
        oscar: {
          url: parsed.data.OSCAR_URL,
          email: parsed.data.OSCAR_EMAIL,
          password: parsed.data.OSCAR_PASSWORD,
        },
      };
    }
  }
  if (problems.length > 0 || !runner.success || !alerts.success) throw new ConfigError(problems);

  const settings: Partial<SyncSettings> = {};
  if (runner.data.INTEROP_MAX_ATTEMPTS !== undefined)
    settings.maxAttempts = runner.data.INTEROP_MAX_ATTEMPTS;
  if (runner.data.INTEROP_CONCURRENCY !== undefined)
    settings.concurrency = runner.data.INTEROP_CONCURRENCY;
  const http: NonNullable<SyncSettings['http']> = {};
  if (runner.data.INTEROP_HTTP_TIMEOUT_MS !== undefined)
    http.timeoutMs = runner.data.INTEROP_HTTP_TIMEOUT_MS;
  if (runner.data.INTEROP_PRIMERO_PAGE_SIZE !== undefined)
    http.primeroPageSize = runner.data.INTEROP_PRIMERO_PAGE_SIZE;
  if (Object.keys(http).length > 0) settings.http = http;
  if (runner.data.INTEROP_DECISION_OVERDUE_DAYS !== undefined)
    settings.decisionOverdueDays = runner.data.INTEROP_DECISION_OVERDUE_DAYS;
  // Locally no time budget unless set: nothing kills a local run (docs/reliability.md, "Time budget").
  if (runner.data.INTEROP_MAX_RUN_SECONDS !== undefined)
    settings.maxRunSeconds = runner.data.INTEROP_MAX_RUN_SECONDS;
  if (runner.data.INTEROP_MAX_RUN_ITEMS !== undefined)
    settings.maxRunItems = runner.data.INTEROP_MAX_RUN_ITEMS;
  if (runner.data.INTEROP_EXCLUDED_ORGS !== undefined) {
    settings.excludedOrgs = runner.data.INTEROP_EXCLUDED_ORGS.split(',')
      .map((org) => org.trim())
      .filter(Boolean);
  }
  return {
    home: resolve(runner.data.INTEROP_HOME),
    cron: runner.data.INTEROP_CRON,
    settings,
    systems,
    alerts: alertSettingsOf(alerts.data),
    ...(runner.data.INTEROP_HISTORY_DAYS !== undefined
      ? { historyDays: runner.data.INTEROP_HISTORY_DAYS }
      : {}),
  };
}

/** The systems, or a ConfigError naming every missing variable (commands that need real systems). */
export function requireSystems(config: RunnerConfig): SystemsConfig {
  if (config.systems) return config.systems;
  throw new ConfigError([
    `no systems configured: set ${SYSTEM_VARIABLES.join(', ')} (in the environment or a .env file); ` +
      'to try the sync against the bundled emulators instead, run `npm start`',
  ]);
}

/** Values that must never reach a log line, stored row or output (redacted if they ever do). */
export function secretsOf(
  systems: SystemsConfig | undefined,
  alerts: AlertSettings = {},
): string[] {
  const secrets = systems ? [systems.primero.password, systems.oscar.password] : [];
  for (const url of [alerts.email?.smtpUrl, alerts.webhookUrl]) {
    if (!url) continue;
    // The whole URL (a webhook token may sit in its path) and, decoded, a password it carries.
    secrets.push(url);
    const password = new URL(url).password;
    if (password) secrets.push(password, decodeURIComponent(password));
  }
  return secrets;
}
