// `check`: can the runner reach and sign in to both systems with the configured credentials?
// One cheap authenticated call per system; every failure says which variable to look at.
import { createOscarClient } from '../clients/oscar.ts';
import { createPrimeroClient } from '../clients/primero.ts';
import { ApiError } from '../http/errors.ts';
import { signInVariables, urlVariable } from '../workflow/steps.ts';
import type { SystemsConfig } from '../workflow/contract.ts';
import { createRedactor } from './redact.ts';

export interface SystemCheck {
  system: 'Primero' | 'OSCaR';
  url: string;
  ok: boolean;
  /** The system accepted the credentials (a scheduled run may sign in to it again). */
  signedIn: boolean;
  message: string;
}

// A check should answer in seconds, not retry for minutes like a run does.
const QUICK = { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1000, timeoutMs: 10_000 };

function explain(
  system: 'Primero' | 'OSCaR',
  url: string,
  error: unknown,
  variables: string,
): string {
  if (error instanceof ApiError) {
    if (error.status === undefined) {
      return `${system} at ${url} did not answer (${error.message}): check ${urlVariable(system === 'Primero' ? 'primero' : 'oscar')} and the network`;
    }
    if (error.status === 401 || error.status === 403) {
      return `${system} at ${url} refused the sign-in (${error.status}): check ${variables}`;
    }
    return `${system} at ${url} answered ${error.status}: ${error.message}`;
  }
  return `${system} at ${url}: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Whether the API user sees every case the sync needs. Primero scopes searches by the role's group
 * permission (app/models/user.rb `user_query_scope`): a case handed to a province or NGO user
 * outside the API user's agency or group leaves its view, and creating it again answers 409.
 * Writes need no check here: every write is compared with what Primero then holds, and an item
 * fails naming a field or owner Primero did not take.
 */
export function primeroReach(
  username: string,
  groupPermission: string | undefined,
): { ok: boolean; message: string } {
  if (groupPermission === undefined) {
    return {
      ok: true,
      message:
        "this Primero does not say the user's group permission (before v2.11): make sure its role " +
        'has group permission "all"',
    };
  }
  if (groupPermission === 'all')
    return { ok: true, message: 'group permission "all": it sees every case it hands over' };
  return {
    ok: false,
    message:
      `user ${username} has group permission "${groupPermission}": cases the sync hands to ` +
      'province and NGO users leave its view; give its role group permission "all" in Primero',
  };
}

export async function checkSystems(systems: SystemsConfig): Promise<SystemCheck[]> {
  const redact = createRedactor([systems.primero.password, systems.oscar.password]);
  const primero = async (): Promise<SystemCheck> => {
    const { url, username } = systems.primero;
    try {
      const client = createPrimeroClient(systems.primero, QUICK);
      const signedIn = await client.signIn();
      // A window starting now: authenticated, and answers with (almost) no cases.
      const cases = await client.listCases({ last_updated_at: `${new Date().toISOString()}..` });
      const reach = primeroReach(username, signedIn.groupPermission);
      return {
        system: 'Primero',
        url,
        ok: reach.ok,
        signedIn: true,
        message:
          `signed in as ${username} (${signedIn.mode === 'token' ? 'token' : 'HTTP Basic'}) and listed cases ` +
          `(${cases.length} changed since now); ${reach.message}`,
      };
    } catch (error) {
      return {
        system: 'Primero',
        url,
        ok: false,
        signedIn: false,
        message: redact(explain('Primero', url, error, signInVariables('primero').join(' and '))),
      };
    }
  };
  const oscar = async (): Promise<SystemCheck> => {
    const { url } = systems.oscar;
    try {
      await createOscarClient(systems.oscar, QUICK).signIn();
      return {
        system: 'OSCaR',
        url,
        ok: true,
        signedIn: true,
        message: `signed in as ${systems.oscar.email}`,
      };
    } catch (error) {
      return {
        system: 'OSCaR',
        url,
        ok: false,
        signedIn: false,
        message: redact(explain('OSCaR', url, error, signInVariables('oscar').join(' and '))),
      };
    }
  };
  return Promise.all([primero(), oscar()]);
}
