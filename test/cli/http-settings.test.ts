// Request timeout and Primero page size are settings with defaults that survive a slow full
// listing; INTEROP_HTTP_TIMEOUT_MS and INTEROP_PRIMERO_PAGE_SIZE set them.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config/env.ts';
import { DEFAULT_PRIMERO_PAGE_SIZE } from '../../src/clients/primero.ts';
import { DEFAULT_TIMEOUT_MS } from '../../src/http/transport.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    readConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('HTTP settings', () => {
  it('defaults: two minutes per attempt, 500 cases a page (below Primero cap of 1000)', () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(120_000);
    expect(DEFAULT_PRIMERO_PAGE_SIZE).toBe(500);
    expect(readConfig({}).settings.http).toBeUndefined();
  });

  it('reads INTEROP_HTTP_TIMEOUT_MS and INTEROP_PRIMERO_PAGE_SIZE into the run settings', () => {
    expect(
      readConfig({ INTEROP_HTTP_TIMEOUT_MS: '300000', INTEROP_PRIMERO_PAGE_SIZE: '200' }).settings
        .http,
    ).toEqual({ timeoutMs: 300_000, primeroPageSize: 200 });
  });

  it.each([
    [{ INTEROP_HTTP_TIMEOUT_MS: 'slow' }, 'INTEROP_HTTP_TIMEOUT_MS must be a whole number >= 1'],
    [
      { INTEROP_PRIMERO_PAGE_SIZE: '5000' },
      'INTEROP_PRIMERO_PAGE_SIZE must be a whole number from 1 to 1000',
    ],
  ])('refuses %j, naming the range', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it('no longer knows PRIMERO_BASIC_AUTH: Primero needs no auth setting', () => {
    const config = readConfig({
      PRIMERO_BASIC_AUTH: 'true',
      PRIMERO_URL: 'https://primero.example.org',
      PRIMERO_USERNAME: 'u',
      PRIMERO_PASSWORD: 'p',
      OSCAR_URL: 'https://oscar.example.org',
      OSCAR_EMAIL: 'a@b.c',
      OSCAR_PASSWORD: 'p',
    });
    expect(config.systems?.primero).toEqual({
      url: 'https://primero.example.org',
      username: 'u',
      password: 'p',
    });
  });
});
