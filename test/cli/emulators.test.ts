import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// `npx interop emulators --seed demo/seed`: starts both, answers, and stops cleanly on Ctrl-C.
describe('interop emulators', () => {
  it('starts both emulators with the demo seed, answers, and shuts down on SIGINT', async () => {
    const args = ['bin/interop.js', 'emulators', '--seed', 'demo/seed', '--primero-profile', '2.5'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );

    const deadline = Date.now() + 20_000;
    while (!out.includes('Press Ctrl-C') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const primeroUrl = /Primero emulator: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const oscarUrl = /OSCaR emulator: +(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(primeroUrl, out).toBeDefined();
    expect(oscarUrl, out).toBeDefined();

    const login = await fetch(`${primeroUrl}/api/v2/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        user: { user_name: 'primero_cp', password: 'primero-demo-password' },
      }),
    });
    expect(login.status).toBe(200);
    // --primero-profile 2.5: the sign-in answers a token, as v2.5 does.
    expect(out).toContain('(Primero 2.5;');
    expect(((await login.json()) as { token?: unknown }).token).toEqual(expect.any(String));
    const signIn = await fetch(`${oscarUrl}/api/v1/admin_auth/sign_in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'primero@oscar.test', password: 'demo-only-password' }),
    });
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get('access-token')).toBeTruthy();
    const state = (await (await fetch(`${primeroUrl}/__emulator/state`)).json()) as {
      cases: unknown[];
    };
    expect(state.cases.length).toBeGreaterThanOrEqual(25);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('Emulators stopped.');
    await expect(fetch(`${primeroUrl}/api/v2/cases`)).rejects.toThrow();
  });
});
