// The OSCaR interop API v1 emulator: a real HTTP server over in-memory state (demo/README.md, "OSCaR").
import { startEmulator } from '../common/harness.ts';
import type { EmulatorDefinition, RunningEmulator, StartOptions } from '../common/harness.ts';
import { INTERNAL_ERROR, registerOscarRoutes } from './routes.ts';
import { emptyOscarState, exportOscarState, loadOscarSeed } from './state.ts';
import type { OscarState } from './state.ts';
import { UNAUTHENTICATED } from './auth.ts';
import { RECORD_ERROR } from './upsert.ts';

export type { OscarState } from './state.ts';
export { OSCAR_ADMIN_PREFIX } from './routes.ts';

export const oscarEmulator: EmulatorDefinition<OscarState> = {
  name: 'oscar',
  emptyState: emptyOscarState,
  loadSeed: loadOscarSeed,
  register: registerOscarRoutes,
  exportState: exportOscarState,
  issuedSecrets: (state) =>
    [...state.sessions.values()].flatMap((session) => [session.token, session.client]),
  faultBody: (status) => {
    if (status === 401) return UNAUTHENTICATED;
    if (status === 422) return { message: RECORD_ERROR };
    if (status === 500) return INTERNAL_ERROR;
    return { status, error: `scripted ${status}` };
  },
};

export function startOscarEmulator(opts: StartOptions = {}): Promise<RunningEmulator> {
  return startEmulator(oscarEmulator, opts);
}
