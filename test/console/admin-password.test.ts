// INTEROP_ADMIN_PASSWORD is checked at start: a blank or short password (once its surrounding
// spaces are trimmed) is refused with a message naming the setting, never echoing the value.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminSecret } from '../../src/cli/commands/serve.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('INTEROP_ADMIN_PASSWORD', () => {
  it('refuses ten spaces, and a short password padded with spaces', () => {
    expect(() => adminSecret({ INTEROP_ADMIN_PASSWORD: ' '.repeat(10) })).toThrow(
      'INTEROP_ADMIN_PASSWORD is blank: use at least 12 characters',
    );
    // Long enough only because of its spaces.
    expect(() => adminSecret({ INTEROP_ADMIN_PASSWORD: ' '.repeat(20) })).toThrow(
      'INTEROP_ADMIN_PASSWORD is blank',
    );
    expect(() => adminSecret({ INTEROP_ADMIN_PASSWORD: '   short-pw-1      ' })).toThrow(
      'INTEROP_ADMIN_PASSWORD is too short (10 characters without surrounding spaces)',
    );
  });

  it('accepts 12 characters, and prints a token when unset', () => {
    expect(adminSecret({ INTEROP_ADMIN_PASSWORD: 'twelve-chars' })).toEqual({
      secret: 'twelve-chars',
      printed: false,
    });
    expect(adminSecret({}).printed).toBe(true);
  });

  it('`interop serve` with a blank password stops at start with that message', async () => {
    const home = mkdtempSync(join(tmpdir(), 'interop-serve-'));
    try {
      const child = spawn(
        process.execPath,
        [join(ROOT, 'bin/interop.js'), 'serve', '--port', '8799'],
        {
          cwd: home,
          env: {
            ...process.env,
            INTEROP_HOME: home,
            INTEROP_ADMIN_PASSWORD: ' '.repeat(10),
            PRIMERO_URL: 'http://127.0.0.1:9',
            PRIMERO_USERNAME: 'primero_cp',
            PRIMERO_PASSWORD: 'not-used-here',
            OSCAR_URL: 'http://127.0.0.1:9',
            OSCAR_EMAIL: 'admin@example.org',
            OSCAR_PASSWORD: 'not-used-here',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).not.toBe(0);
      expect(stderr).toContain('INTEROP_ADMIN_PASSWORD is blank');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
