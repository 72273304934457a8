// The Primero API v2 emulator: definition for the shared harness, and a one-call starter.
import { startEmulator } from '../common/harness.ts';
import type { EmulatorDefinition, RunningEmulator, StartOptions } from '../common/harness.ts';
import { primeroErrorBody, registerPrimeroRoutes } from './routes.ts';
import { emptyPrimeroState, exportPrimeroState, loadPrimeroSeed } from './state.ts';
import type { PrimeroState } from './state.ts';
import { defaultPrimeroProfile } from './profile.ts';
import type { PrimeroProfile } from './profile.ts';

export { DEFAULT_PRIMERO_USER } from './state.ts';
export type { PrimeroState } from './state.ts';
export {
  PRIMERO_PROFILES,
  PRIMERO_PROFILE_ENV,
  defaultPrimeroProfile,
  isPrimeroProfile,
} from './profile.ts';
export type { PrimeroProfile } from './profile.ts';

const STATUS_MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/**
 * The emulator playing one Primero profile; without one, the profile of the environment
 * (PRIMERO_EMULATOR_PROFILE), read when the emulator starts, else the current Primero.
 */
export function primeroEmulatorFor(profile?: PrimeroProfile): EmulatorDefinition<PrimeroState> {
  let chosen = profile;
  const current = () => (chosen ??= defaultPrimeroProfile());
  return {
    name: 'primero',
    emptyState: () => emptyPrimeroState(current()),
    loadSeed: (seed) => loadPrimeroSeed(seed, current()),
    register: registerPrimeroRoutes,
    exportState: exportPrimeroState,
    issuedSecrets: (state) => [
      ...state.tokens.keys(),
      ...[...state.sessions].flatMap(([id, session]) => [id, session.csrf]),
    ],
    faultBody: (status, path) =>
      primeroErrorBody(status, path, STATUS_MESSAGES[status] ?? 'Internal Server Error'),
  };
}

/** The definition `demo/common/serve.ts` starts: the environment's profile. */
export const primeroEmulator: EmulatorDefinition<PrimeroState> = primeroEmulatorFor();

export function startPrimeroEmulator(
  opts: StartOptions & { profile?: PrimeroProfile } = {},
): Promise<RunningEmulator> {
  const { profile, ...rest } = opts;
  return startEmulator(primeroEmulatorFor(profile), rest);
}
