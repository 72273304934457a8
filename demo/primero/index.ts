// The Primero API v2 emulator: definition for the shared harness, and a one-call starter.
import { startEmulator } from '../common/harness.ts';
import type { EmulatorDefinition, RunningEmulator, StartOptions } from '../common/harness.ts';
import { primeroErrorBody, registerPrimeroRoutes } from './routes.ts';
import { emptyPrimeroState, exportPrimeroState, loadPrimeroSeed } from './state.ts';
import type { PrimeroState } from './state.ts';

export { DEFAULT_PRIMERO_USER } from './state.ts';
export type { PrimeroState } from './state.ts';

const STATUS_MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

export const primeroEmulator: EmulatorDefinition<PrimeroState> = {
  name: 'primero',
  emptyState: emptyPrimeroState,
  loadSeed: loadPrimeroSeed,
  register: registerPrimeroRoutes,
  exportState: exportPrimeroState,
  issuedSecrets: (state) => [...state.tokens.keys()],
  faultBody: (status, path) =>
    primeroErrorBody(status, path, STATUS_MESSAGES[status] ?? 'Internal Server Error'),
};

export function startPrimeroEmulator(opts: StartOptions = {}): Promise<RunningEmulator> {
  return startEmulator(primeroEmulator, opts);
}
