import { describe, expect, it } from 'vitest';
import { Sessions, SignInBrake, sameSecret } from '../../src/console/auth.ts';

describe('sessions expire', () => {
  it('ends a session idle for longer than the idle limit, and keeps an active one alive', () => {
    let now = 0;
    const sessions = new Sessions(1_000, 10_000, () => now);
    const idle = sessions.create();
    const active = sessions.create();
    for (now = 500; now <= 1_900; now += 700) expect(sessions.touch(active.id)).toBeDefined();
    expect(sessions.touch(idle.id)).toBeUndefined();
    expect(sessions.touch(active.id)?.csrfToken).toBe(active.csrfToken);
  });

  it('ends even an active session after the maximum age', () => {
    let now = 0;
    const sessions = new Sessions(1_000, 3_000, () => now);
    const session = sessions.create();
    for (now = 500; now < 3_000; now += 500) expect(sessions.touch(session.id)).toBeDefined();
    now = 3_001;
    expect(sessions.touch(session.id)).toBeUndefined();
  });

  it('gives every session its own id and anti-forgery token', () => {
    const sessions = new Sessions();
    const a = sessions.create();
    const b = sessions.create();
    expect(new Set([a.id, b.id, a.csrfToken, b.csrfToken]).size).toBe(4);
    expect(a.id.length).toBeGreaterThanOrEqual(40);
  });
});

describe('wrong passwords are slowed down per client', () => {
  it('doubles the wait with each wrong password, up to a maximum, per client', () => {
    let now = 0;
    const brake = new SignInBrake({ baseDelayMs: 1_000, maxDelayMs: 5_000, clock: () => now });
    expect(brake.waitFor('10.0.0.1')).toBe(0);
    expect([1, 2, 3, 4].map(() => brake.failed('10.0.0.1'))).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(brake.waitFor('10.0.0.1')).toBe(5_000);
    expect(brake.waitFor('10.0.0.2')).toBe(0);
    now = 5_000;
    expect(brake.waitFor('10.0.0.1')).toBe(0);
  });

  it('forgets a client after a quiet period and after a right password', () => {
    let now = 0;
    const brake = new SignInBrake({ baseDelayMs: 1_000, forgetAfterMs: 60_000, clock: () => now });
    brake.failed('a');
    brake.failed('a');
    now = 61_000;
    expect(brake.failed('a')).toBe(1_000);
    brake.succeeded('a');
    expect(brake.failed('a')).toBe(1_000);
  });
});

describe('secrets are compared whole', () => {
  it('accepts only the exact secret', () => {
    expect(sameSecret('s3cret-value', 's3cret-value')).toBe(true);
    expect(sameSecret('s3cret-valu', 's3cret-value')).toBe(false);
    expect(sameSecret('', 's3cret-value')).toBe(false);
  });
});
