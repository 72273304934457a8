// What every job needs from its state besides the business data: its own system's client built
// from the configuration the runtime injected, the window start, and the rule that tells an outage
// (fail the step, so the cursors stay) from a bad item (record it, go on).
import { ApiError } from '../http/transport.ts';
import { RecordRefusedError } from '../http/record-error.ts';
import { MappingError } from '../mapping/index.ts';
import { createOscarClient } from '../clients/oscar.ts';
import type { OscarClient } from '../clients/oscar.ts';
import { createPrimeroClient } from '../clients/primero.ts';
import { PrimeroRecordError } from '../model/primero.ts';
import type { PrimeroClient } from '../clients/primero.ts';
import type { SystemsConfig } from './contract.ts';
import { credentialSpec, type CredentialKind } from './steps.ts';
import type { BaseState } from './state.ts';

/** The step's credential, checked against its declaration in steps.ts. */
function configurationOf<K extends CredentialKind>(
  state: BaseState,
  kind: K,
): SystemsConfig[K] & Record<string, unknown> {
  const { system, fields } = credentialSpec(kind);
  const keys = fields.map((field) => field.key);
  const configuration = state.configuration ?? {};
  const missing = keys.filter(
    (key) => typeof configuration[key] !== 'string' || configuration[key] === '',
  );
  if (missing.length > 0) {
    throw new Error(
      `The ${system} credential of this step lacks ${missing.join(', ')}: give the step a ${system} credential ` +
        `with ${keys.join(', ')}`,
    );
  }
  return configuration as SystemsConfig[K] & Record<string, unknown>;
}

// Clients shared by the steps of one run, so that a run signs in once per system: the Primero
// client keeps its credential (token or Basic) for its whole life and signs in again only when a
// request answers 401 (token expired), and Primero throttles sign-ins (apis.md §3). runWorkflow
// opens a registry per run id; the steps then take their clients from it. On OpenFn.org nothing
// opens one: each step is its own job, evaluated with its own copy of this module, so each step that
// needs a system signs in to it once (docs/deploy.md).
const runClients = new Map<string, Map<string, unknown>>();

/** Shares the clients of run `runId` between its steps until the returned function is called. */
export function openRunClients(runId: string): () => void {
  runClients.set(runId, new Map());
  return () => {
    runClients.delete(runId);
  };
}

/** The run's client of `system` for this step's credential, made on first use. */
function sharedClient<T>(
  state: BaseState,
  system: 'primero' | 'oscar',
  make: (state: BaseState) => T,
): T {
  const id = state.run.id;
  const clients = id === undefined ? undefined : runClients.get(id);
  if (!clients) return make(state);
  const configuration = state.configuration ?? {};
  // Two credentials for one system (a test, a misconfigured plan) never share a session.
  const who = [system, configuration['url'], configuration['username'] ?? configuration['email']];
  const key = JSON.stringify(who);
  let client = clients.get(key) as T | undefined;
  if (client === undefined) {
    client = make(state);
    clients.set(key, client);
  }
  return client;
}

export function primeroClientFrom(state: BaseState): PrimeroClient {
  return sharedClient(state, 'primero', newPrimeroClient);
}

function newPrimeroClient(state: BaseState): PrimeroClient {
  const config = configurationOf(state, 'primero');
  return createPrimeroClient(
    {
      url: config.url,
      username: config.username,
      password: config.password,
      basicAuth: config.basicAuth === true,
    },
    transportOptions(state),
  );
}

/** The transport options a step's client gets from the run's settings. */
function transportOptions(state: BaseState) {
  return { ...state.run.settings.http, concurrency: state.run.settings.concurrency };
}

export function oscarClientFrom(state: BaseState): OscarClient {
  return sharedClient(state, 'oscar', newOscarClient);
}

function newOscarClient(state: BaseState): OscarClient {
  const config = configurationOf(state, 'oscar');
  return createOscarClient(
    { url: config.url, email: config.email, password: config.password },
    transportOptions(state),
  );
}

/**
 * Whether an error is about one item (bad data, OSCaR or Primero refusing that record) rather than
 * the system being unreachable, down or refusing our credentials. Item errors are recorded and the
 * step goes on; anything else fails the step so the window is run again.
 */
export function isItemError(error: unknown): error is Error {
  if (error instanceof MappingError) return true;
  // One Primero record of an unexpected shape: that record fails, the others go on.
  if (error instanceof PrimeroRecordError) return error.recordId !== undefined;
  // An unsafe id, or a 403/404/422 about one record (src/http/record-error.ts).
  if (error instanceof RecordRefusedError) return true;
  if (error instanceof ApiError) {
    const status = error.status;
    return (
      status !== undefined &&
      status >= 400 &&
      status < 500 &&
      ![401, 403, 408, 429].includes(status)
    );
  }
  return false;
}

/** The reason recorded for an item: the error's own safe message, one line, bounded. */
export function reasonOf(error: Error): string {
  const line = error.message.split('\n')[0] ?? error.message;
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/**
 * A client made on first use and shared by the step's operations (the run context object lives as
 * long as the step), so a step signs in once, and only if it needs to.
 */
function perStep<T extends object>(make: (state: BaseState) => T) {
  const clients = new WeakMap<object, T>();
  return (state: BaseState) => (): T => {
    let client = clients.get(state.run);
    if (!client) {
      client = make(state);
      clients.set(state.run, client);
    }
    return client;
  };
}

export const lazyPrimeroClient: (state: BaseState) => () => PrimeroClient =
  perStep(primeroClientFrom);
export const lazyOscarClient: (state: BaseState) => () => OscarClient = perStep(oscarClientFrom);
