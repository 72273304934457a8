// Configuration caught before a run: what can never work is refused with a clear message, and a
// password is never repeated back, not even when it sits inside a URL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config/env.ts';
import { interop } from '../cli/interop-cli.ts';

const SYSTEMS = {
  PRIMERO_URL: 'https://primero.example.org',
  PRIMERO_USERNAME: 'primero-api',
  PRIMERO_PASSWORD: 'Primero-Secret-7731',
  OSCAR_URL: 'https://oscar.example.org',
  OSCAR_EMAIL: 'api@oscar.example.org',
  OSCAR_PASSWORD: 'Oscar-Secret-9912',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('INTEROP_CRON', () => {
  it('refuses a pattern that never fires (31 February), naming it', () => {
    expect(problemsOf({ ...SYSTEMS, INTEROP_CRON: '0 0 31 2 *' })).toEqual([
      expect.stringMatching(/^INTEROP_CRON "0 0 31 2 \*" never fires \(no such date/),
    ]);
  });

  it('refuses a pattern croner cannot read, and accepts the hourly default and 29 February', () => {
    expect(problemsOf({ INTEROP_CRON: 'every hour' })).toEqual([
      expect.stringMatching(/^INTEROP_CRON "every hour" is not a cron pattern/),
    ]);
    expect(readConfig({}).cron).toBe('0 * * * *');
    expect(readConfig({ INTEROP_CRON: '0 0 29 2 *' }).cron).toBe('0 0 29 2 *');
  });
});

describe('system URLs', () => {
  it.each([
    [
      'PRIMERO_URL',
      'https://admin:Url-Secret-4410@primero.example.org',
      'PRIMERO_USERNAME and PRIMERO_PASSWORD',
    ],
    [
      'OSCAR_URL',
      'https://admin:Url-Secret-4410@oscar.example.org/',
      'OSCAR_EMAIL and OSCAR_PASSWORD',
    ],
    ['OSCAR_URL', 'https://Url-Secret-4410@oscar.example.org', 'OSCAR_EMAIL and OSCAR_PASSWORD'],
  ])('refuses %s with credentials in it (%s), never repeating them', (name, url, variables) => {
    const problems = problemsOf({ ...SYSTEMS, [name]: url });
    expect(problems).toEqual([
      `${name} must not contain a user name or password (got "https://***@${name === 'PRIMERO_URL' ? 'primero' : 'oscar'}.example.org${url.endsWith('/') ? '/' : ''}"): remove them from the URL and set ${variables} instead`,
    ]);
    expect(problems.join('\n')).not.toContain('Url-Secret-4410');
    expect(problems.join('\n')).not.toContain('admin');
  });

  it('never repeats credentials of a URL that does not even parse', () => {
    const problems = problemsOf({ ...SYSTEMS, PRIMERO_URL: 'https://admin:Url-Secret-4410@' });
    expect(problems.join('\n')).toMatch(/PRIMERO_URL must be an http\(s\) URL/);
    expect(problems.join('\n')).not.toContain('Url-Secret-4410');
  });
});

describe('npx interop check with a URL holding a password', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'interop-config-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('fails the configuration line and prints no password', async () => {
    const result = await interop(['check'], {
      cwd,
      env: { ...SYSTEMS, OSCAR_URL: 'https://admin:Url-Secret-4410@oscar.example.org' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^FAIL configuration: OSCAR_URL must not contain a user name or password/m,
    );
    expect(result.stdout + result.stderr).not.toContain('Url-Secret-4410');
    expect(result.stdout).not.toMatch(/^ok/m);
  });
});
