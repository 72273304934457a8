// Alert settings are read and validated like every other setting; a URL that may hold credentials
// (SMTP user and password, a webhook token) is never echoed in a problem.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig, secretsOf } from '../../src/config/env.ts';

const SMTP = 'smtps://alerts:p%40ss-Secret-42@mail.mosvy.test:465';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('alert settings', () => {
  it('none set: alerts off', () => {
    expect(readConfig({}).alerts).toEqual({});
  });

  it('email, webhook and console link read from the environment', () => {
    const config = readConfig({
      INTEROP_ALERT_SMTP_URL: SMTP,
      INTEROP_ALERT_EMAIL_TO: 'admin@mosvy.test, lead@hagar.test',
      INTEROP_ALERT_EMAIL_FROM: 'interop@mosvy.test',
      INTEROP_ALERT_WEBHOOK_URL: 'https://hooks.mosvy.test/T0K3N-abc',
      INTEROP_CONSOLE_URL: 'https://interop.mosvy.test/',
    });
    expect(config.alerts).toEqual({
      email: {
        smtpUrl: SMTP,
        to: ['admin@mosvy.test', 'lead@hagar.test'],
        from: 'interop@mosvy.test',
      },
      webhookUrl: 'https://hooks.mosvy.test/T0K3N-abc',
      consoleUrl: 'https://interop.mosvy.test',
    });
    // Both URLs and the decoded SMTP password are cut out of every log line.
    expect(secretsOf(undefined, config.alerts)).toEqual(
      expect.arrayContaining([SMTP, 'p@ss-Secret-42', 'https://hooks.mosvy.test/T0K3N-abc']),
    );
  });

  it('half an email setting is an error naming the missing variables', () => {
    expect(problemsOf({ INTEROP_ALERT_SMTP_URL: SMTP })).toEqual([
      'email alerts need INTEROP_ALERT_SMTP_URL, INTEROP_ALERT_EMAIL_TO and INTEROP_ALERT_EMAIL_FROM together: set the missing ones, or unset all three',
    ]);
  });

  it('a malformed URL is named, its value (which may hold a password) is not shown', () => {
    const badSmtp = 'http://alerts:Secret-99@mail.mosvy.test';
    const problems = problemsOf({
      INTEROP_ALERT_SMTP_URL: badSmtp,
      INTEROP_ALERT_EMAIL_TO: 'not-an-address',
      INTEROP_ALERT_EMAIL_FROM: 'interop@mosvy.test',
      INTEROP_ALERT_WEBHOOK_URL: 'hooks.mosvy.test/Secret-77',
    });
    expect(problems).toEqual([
      'INTEROP_ALERT_SMTP_URL must be a smtp or smtps URL such as smtps://user:password@mail.example.org:465 (value not shown)',
      'INTEROP_ALERT_EMAIL_TO must be one or more email addresses, separated by commas',
      'INTEROP_ALERT_WEBHOOK_URL must be a http or https URL such as https://hooks.example.org/interop (value not shown)',
    ]);
    expect(problems.join('\n')).not.toMatch(/Secret-/);
  });
});
