// Primero sign-in (apis.md §1.1, §3.1 P1, P7). v2.5: devise-jwt tokens that live one hour, an
// allowlist that DELETE /api/v2/tokens revokes. v2.11+: native sessions, no token (commit
// 824de7058f). Both: HTTP Basic on every request (config/initializers/devise.rb
// `http_authenticatable = true`), the 6-failures lockout (Basic failures count: Devise's lockable
// checks every database authentication) and the 7-a-minute throttle on the sign-in endpoint.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { PrimeroState, PrimeroUser } from './state.ts';

export const TOKEN_LIFETIME_MS = 60 * 60 * 1000;
export const LOCK_AFTER_FAILURES = 6;
export const THROTTLE_PER_MINUTE = 7;

const b64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

function sign(secret: Buffer, content: string): string {
  return createHmac('sha256', secret).update(content).digest('base64url');
}

export function issueToken(state: PrimeroState, user: PrimeroUser, now = Date.now()): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const expiresMs = now + TOKEN_LIFETIME_MS;
  const payload = b64url(
    JSON.stringify({
      sub: String(user.id),
      scp: 'user',
      jti: randomUUID(),
      iat: Math.floor(now / 1000),
      exp: Math.floor(expiresMs / 1000),
    }),
  );
  const token = `${header}.${payload}.${sign(state.jwtSecret, `${header}.${payload}`)}`;
  state.tokens.set(token, { user_name: user.user_name, expiresMs });
  return token;
}

export type TokenCheck = { ok: true; user: PrimeroUser } | { ok: false; reason: string };

export function verifyToken(state: PrimeroState, token: string, now = Date.now()): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'Not enough or too many segments' };
  const expected = Buffer.from(sign(state.jwtSecret, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2] ?? '');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'Signature verification failed' };
  }
  const entry = state.tokens.get(token);
  if (!entry) return { ok: false, reason: 'revoked token' };
  if (entry.expiresMs <= now) return { ok: false, reason: 'Signature has expired' };
  const user = state.users.get(entry.user_name);
  if (!user) return { ok: false, reason: 'revoked token' };
  return { ok: true, user };
}

export type SignInResult =
  | { outcome: 'ok'; user: PrimeroUser }
  | { outcome: 'invalid' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

export function signIn(
  state: PrimeroState,
  userName: unknown,
  password: unknown,
  now = Date.now(),
): SignInResult {
  const name = typeof userName === 'string' ? userName : '';
  const user = state.users.get(name);
  if (user) {
    user.recentAttempts = user.recentAttempts.filter((t) => now - t < 60_000);
    if (user.recentAttempts.length >= THROTTLE_PER_MINUTE) {
      const oldest = user.recentAttempts[0] ?? now;
      return {
        outcome: 'throttled',
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000)),
      };
    }
    user.recentAttempts.push(now);
  }
  if (!user || user.locked) return { outcome: 'invalid' };
  if (user.password !== password) {
    user.failedAttempts += 1;
    if (user.failedAttempts >= LOCK_AFTER_FAILURES) user.locked = true;
    return { outcome: 'invalid' };
  }
  user.failedAttempts = 0;
  return { outcome: 'ok', user };
}

/** `Authorization: Basic`; a wrong password counts toward the lockout like a failed sign-in. */
export function basicAuthUser(state: PrimeroState, header: string): PrimeroUser | undefined {
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = state.users.get(decoded.slice(0, colon));
  if (!user || user.locked) return undefined;
  if (user.password !== decoded.slice(colon + 1)) {
    user.failedAttempts += 1;
    if (user.failedAttempts >= LOCK_AFTER_FAILURES) user.locked = true;
    return undefined;
  }
  user.failedAttempts = 0;
  return user;
}

export const SESSION_COOKIE = '_app_session';
export const CSRF_COOKIE = 'CSRF-TOKEN';

/**
 * A native session for a signed-in user (v2.11+). Signing in ends the user's other sessions
 * (HEAD tokens_controller.rb `expire_other_user_sessions`, l.87-95).
 */
export function openSession(state: PrimeroState, user: PrimeroUser): { id: string; csrf: string } {
  for (const [id, session] of state.sessions) {
    if (session.user_name === user.user_name) state.sessions.delete(id);
  }
  const id = randomBytes(16).toString('hex');
  const csrf = randomBytes(32).toString('base64url');
  state.sessions.set(id, { user_name: user.user_name, csrf });
  return { id, csrf };
}

/** The value of one cookie of a Cookie request header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
