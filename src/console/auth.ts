// Who may use the console: one admin secret, server-side sessions that expire when idle, an
// anti-forgery token per session, and a per-client brake on wrong passwords.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'interop_session';
/** An administrator who walks away for a working day has to sign in again. */
export const DEFAULT_IDLE_MS = 8 * 60 * 60_000;
/** Even an active session ends after a day, so a stolen cookie does not live for ever. */
export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60_000;

const randomToken = () => randomBytes(32).toString('base64url');
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token printed at start when INTEROP_ADMIN_PASSWORD is not set. */
export function generateSignInToken(): string {
  return randomToken();
}

export interface Session {
  id: string;
  /** Anti-forgery token every form of this session carries. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly idleMs = DEFAULT_IDLE_MS,
    private readonly maxAgeMs = DEFAULT_MAX_AGE_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  create(): Session {
    this.sweep();
    const at = this.clock();
    const session: Session = {
      id: randomToken(),
      csrfToken: randomToken(),
      createdAt: at,
      lastSeenAt: at,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for a cookie value, its idle clock restarted; undefined when expired. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const at = this.clock();
    if (this.expired(session, at)) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = at;
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  private expired(session: Session, at: number): boolean {
    return at - session.lastSeenAt > this.idleMs || at - session.createdAt > this.maxAgeMs;
  }

  private sweep(): void {
    const at = this.clock();
    for (const [id, session] of this.sessions)
      if (this.expired(session, at)) this.sessions.delete(id);
  }
}

export interface SignInBrakeOptions {
  /** Delay after the first wrong password; doubles with each further one. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A client's count of wrong passwords is forgotten after this long without one. */
  forgetAfterMs?: number;
  /** Attempts that would wait longer than this for their turn are refused (429) instead. */
  maxQueueMs?: number;
  clock?: () => number;
}

interface ClientRecord {
  failures: number;
  /** Attempts whose turn is reserved but whose password is not checked yet. */
  pending: number;
  /** The next attempt of this client is not checked before this time. */
  nextCheckAt: number;
  lastFailureAt: number;
}

/**
 * Progressive delay per client: attempts of one client are checked one after another, each after
 * the delay the wrong passwords before it earned (doubling, capped). Guessing becomes slow, also in
 * parallel, while the right password is never refused: it is checked when its turn comes (at most
 * the capped delay later) and lets the admin in. Attempts still waiting count as wrong ones until
 * checked, so a burst of parallel guesses is spaced out too.
 */
export class SignInBrake {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxQueueMs: number;
  private readonly clock: () => number;

  constructor(options: SignInBrakeOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.maxQueueMs = options.maxQueueMs ?? 4 * this.maxDelayMs;
    this.clock = options.clock ?? Date.now;
  }

  private delayAfter(failures: number): number {
    return failures <= 0 ? 0 : Math.min(this.baseDelayMs * 2 ** (failures - 1), this.maxDelayMs);
  }

  /** Milliseconds before this client's next attempt would be checked (0: at once). */
  waitFor(client: string): number {
    const record = this.live(client);
    return record ? Math.max(0, record.nextCheckAt - this.clock()) : 0;
  }

  /**
   * Reserves this attempt's turn: the milliseconds to wait before checking its password, or
   * undefined when so many attempts of this client are waiting that this one is refused.
   */
  turn(client: string): number | undefined {
    const at = this.clock();
    const record = this.live(client) ?? {
      failures: 0,
      pending: 0,
      nextCheckAt: 0,
      lastFailureAt: at,
    };
    const checkAt = Math.max(at, record.nextCheckAt);
    if (checkAt - at > this.maxQueueMs) return undefined;
    record.pending += 1;
    record.nextCheckAt = checkAt + this.delayAfter(record.failures + record.pending);
    this.clients.set(client, record);
    return checkAt - at;
  }

  /** Records a wrong password; returns the delay to apply before answering. */
  failed(client: string): number {
    const at = this.clock();
    const record = this.live(client) ?? {
      failures: 0,
      pending: 0,
      nextCheckAt: 0,
      lastFailureAt: at,
    };
    record.failures += 1;
    record.pending = Math.max(0, record.pending - 1);
    record.lastFailureAt = at;
    const delay = this.delayAfter(record.failures);
    record.nextCheckAt = Math.max(record.nextCheckAt, at + delay);
    this.clients.set(client, record);
    return delay;
  }

  succeeded(client: string): void {
    this.clients.delete(client);
  }

  private live(client: string): ClientRecord | undefined {
    const record = this.clients.get(client);
    if (
      record &&
      record.pending === 0 &&
      this.clock() - record.lastFailureAt > this.forgetAfterMs
    ) {
      this.clients.delete(client);
      return undefined;
    }
    return record;
  }
}
