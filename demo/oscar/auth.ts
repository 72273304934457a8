// devise_token_auth 0.1.43 as OSCaR configures it: tokens live a week, are not rotated per request,
// travel in response headers on sign-in and in request headers (or query params) afterwards.
import { randomBytes } from 'node:crypto';
import type { OscarState, Session } from './state.ts';
import type { EmulatorReply } from './upsert.ts';

export const TOKEN_LIFESPAN_SECONDS = 7 * 24 * 60 * 60;
export const BAD_CREDENTIALS = {
  success: false,
  errors: ['Invalid login credentials. Please try again.'],
};
export const UNAUTHENTICATED = { errors: ['You need to sign in or sign up before continuing.'] };

export interface SignInReply extends EmulatorReply {
  headers: Record<string, string>;
}

export function signIn(state: OscarState, body: unknown, now: Date): SignInReply {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const user = state.adminUsers.find((u) => u.email === input.email);
  if (!user || user.password !== input.password)
    return { status: 401, body: BAD_CREDENTIALS, headers: {} };
  const session: Session = {
    uid: user.email,
    client: randomBytes(16).toString('base64url'),
    token: randomBytes(16).toString('base64url'),
    expiry: Math.floor(now.getTime() / 1000) + TOKEN_LIFESPAN_SECONDS,
  };
  state.sessions.set(session.token, session);
  return {
    status: 200,
    body: {
      data: {
        id: user.id,
        email: user.email,
        provider: 'email',
        uid: user.email,
        first_name: user.first_name,
        last_name: user.last_name,
        token: null,
      },
    },
    headers: {
      'access-token': session.token,
      'token-type': 'Bearer',
      client: session.client,
      expiry: String(session.expiry),
      uid: session.uid,
    },
  };
}

/** The session the request's `access-token`, `client` and `uid` (headers, else query) name. */
export function sessionFor(
  state: OscarState,
  headers: Record<string, string | string[] | undefined>,
  query: Record<string, unknown>,
  now: Date,
): Session | undefined {
  const read = (name: string): string | undefined => {
    const header = headers[name];
    const value = Array.isArray(header) ? header[0] : header;
    if (typeof value === 'string' && value !== '') return value;
    const param = query[name];
    return typeof param === 'string' && param !== '' ? param : undefined;
  };
  const token = read('access-token');
  if (!token) return undefined;
  const session = state.sessions.get(token);
  if (!session || session.client !== read('client') || session.uid !== read('uid'))
    return undefined;
  if (session.expiry * 1000 <= now.getTime()) return undefined;
  return session;
}
