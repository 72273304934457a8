// Which Primero the emulator plays. Two profiles, read from primeroIMS/primero:
//   '2.5'     — tag v2.5.0: devise-jwt sign-in that answers a token; unknown keys in a write are a 422.
//   'current' — develop HEAD 4b95bf9474 (every release from v2.11 on, lookups from v2.15): sign-in
//               answers no token but a session cookie (commit 824de7058f), cookie-session writes
//               need X-CSRF-Token, unknown or unwritable keys are dropped silently (commit
//               57a0228cb6), select values must be in the instance's lookups (commit 41a89c22e5).
// Both: HTTP Basic on every request, the owner revert, group scope, the lockout and the throttle.

export const PRIMERO_PROFILES = ['2.5', 'current'] as const;
export type PrimeroProfile = (typeof PRIMERO_PROFILES)[number];

/** The environment variable the emulator harness reads for its default profile. */
export const PRIMERO_PROFILE_ENV = 'PRIMERO_EMULATOR_PROFILE';

export function isPrimeroProfile(value: unknown): value is PrimeroProfile {
  return typeof value === 'string' && (PRIMERO_PROFILES as readonly string[]).includes(value);
}

/** The profile asked for in the environment, else the current Primero. */
export function defaultPrimeroProfile(env: NodeJS.ProcessEnv = process.env): PrimeroProfile {
  const asked = env[PRIMERO_PROFILE_ENV];
  if (asked === undefined || asked === '') return 'current';
  if (!isPrimeroProfile(asked)) {
    throw new Error(
      `${PRIMERO_PROFILE_ENV}=${asked.slice(0, 20)} is not a Primero profile: use ${PRIMERO_PROFILES.join(' or ')}`,
    );
  }
  return asked;
}

export interface ProfileRules {
  /** v2.5: POST /api/v2/tokens answers a JWT (body + Authorization header), Bearer is read. */
  issuesTokens: boolean;
  /** What a write does with a key the user may not write: 422 (v2.5–v2.10) or drop it (v2.11+). */
  unpermittedKeys: 'reject' | 'drop';
  /** v2.15+: a select value outside the instance's lookup is a 422. */
  checksLookups: boolean;
}

export const PROFILE_RULES: Record<PrimeroProfile, ProfileRules> = {
  '2.5': { issuesTokens: true, unpermittedKeys: 'reject', checksLookups: false },
  current: { issuesTokens: false, unpermittedKeys: 'drop', checksLookups: true },
};
