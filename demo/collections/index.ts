// The OpenFn.org (Lightning) collections API emulator: a real HTTP server over in-memory state
// (demo/README.md, "Collections").
import { startEmulator } from '../common/harness.ts';
import type { EmulatorDefinition, RunningEmulator, StartOptions } from '../common/harness.ts';
import { registerCollectionsRoutes } from './routes.ts';
import { emptyCollectionsState, exportCollectionsState, loadCollectionsSeed } from './state.ts';
import type { CollectionsState } from './state.ts';

export type { CollectionsState } from './state.ts';

export const collectionsEmulator: EmulatorDefinition<CollectionsState> = {
  name: 'collections',
  emptyState: emptyCollectionsState,
  loadSeed: loadCollectionsSeed,
  register: registerCollectionsRoutes,
  exportState: exportCollectionsState,
  issuedSecrets: (state) => [...state.tokens.keys()],
  faultBody: (status) => ({ errors: { detail: `scripted ${status}` } }),
};

export function startCollectionsEmulator(opts: StartOptions = {}): Promise<RunningEmulator> {
  return startEmulator(collectionsEmulator, opts);
}
