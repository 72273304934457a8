// Shared by the console tests: a console on a free loopback port over a real runner and store (in a
// temporary folder), a scriptable stand-in for the sync, and a plain-fetch "browser".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerBackend } from '../../src/console/runner-backend.ts';
import { startConsole } from '../../src/console/server.ts';
import type { SignInBrakeOptions } from '../../src/console/auth.ts';
import { createRunner } from '../../src/runner/run-once.ts';
import type { Runner, RunWorkflow } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import type { Store } from '../../src/runner/store.ts';
import { STEP_IDS } from '../../src/workflow/contract.ts';
import type {
  FailedItem,
  RunOutcome,
  RunSummary,
  StepCounts,
  StepId,
  SyncSettings,
  SystemsConfig,
} from '../../src/workflow/contract.ts';
import type { Alerter } from '../../src/runner/alerts/alerter.ts';

export const ADMIN_PASSWORD = 'correct-horse-battery-staple';

export const STUB_SYSTEMS: SystemsConfig = {
  primero: { url: 'http://127.0.0.1:9', username: 'api-user', password: 'primero-secret-Zq81' },
  oscar: { url: 'http://127.0.0.1:9', email: 'api@ngo.example', password: 'oscar-secret-Kd27' },
};

export interface StubScript {
  steps?: Partial<Record<StepId, Partial<StepCounts>>>;
  failed?: FailedItem[];
  deadLettered?: FailedItem[];
  /** Lines the stub logs during the run. */
  logLines?: string[];
  /** Pause per step, so a test can watch the progress. */
  stepDelayMs?: number;
  error?: string;
  nextCursors?: { primero?: string; oscar?: string };
  /** Holds the run half-way through this step (one of its two items done) until `gate` resolves. */
  pauseIn?: { step: StepId; gate: Promise<void> };
}

export function failedItem(overrides: Partial<FailedItem> = {}): FailedItem {
  return {
    key: 'f1-j2:referral:case-0001:svc-0001',
    step: 'f1-j2',
    kind: 'referral',
    ids: { case_id: 'case-0001', service_id: 'svc-0001' },
    reason: 'risk level is not set in Primero',
    attempts: 1,
    firstFailedAt: '2025-01-01T00:00:00.000Z',
    lastFailedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A stand-in for src/workflow/run.ts that reports what the script says. */
export function stubWorkflow(
  script: StubScript = {},
  calls: Array<Parameters<RunWorkflow>[0]> = [],
): RunWorkflow {
  return async (options) => {
    calls.push(options);
    const startedAt = new Date().toISOString();
    const steps = {} as Record<StepId, StepCounts>;
    for (const step of STEP_IDS) {
      steps[step] = {
        fetched: 0,
        written: 0,
        unchanged: 0,
        failed: 0,
        skipped: 0,
        ...script.steps?.[step],
      };
      options.onProgress?.({ step, phase: 'running', done: 0, total: 2 });
      if (script.stepDelayMs)
        await new Promise((resolve) => setTimeout(resolve, script.stepDelayMs));
      options.onProgress?.({ step, phase: 'running', done: 1, total: 2 });
      if (script.pauseIn?.step === step) await script.pauseIn.gate;
      options.onProgress?.({ step, phase: 'done', done: 2, total: 2, counts: steps[step] });
    }
    for (const line of script.logLines ?? []) options.logSink?.('info', line);
    const carried = options.carried ?? { cursors: {}, retries: [], deadLetters: [] };
    const summary: RunSummary = {
      ok: !script.error,
      dryRun: options.dryRun ?? false,
      startedAt,
      finishedAt: new Date().toISOString(),
      from: carried.cursors,
      to: script.nextCursors ?? carried.cursors,
      steps,
      failed: script.failed ?? [],
      deadLettered: script.deadLettered ?? [],
      planned: options.dryRun
        ? [{ step: 'f1-j2', action: 'upsert client', ids: { case_id: 'case-0002' } }]
        : [],
      ...(script.error ? { error: script.error } : {}),
    };
    const next = {
      cursors: script.nextCursors ?? carried.cursors,
      retries: (script.failed ?? []).filter(
        (item) => !(script.deadLettered ?? []).some((d) => d.key === item.key),
      ),
      deadLetters: [...carried.deadLetters, ...(script.deadLettered ?? [])],
    };
    const outcome: RunOutcome = { summary, next };
    return outcome;
  };
}

export interface TestConsole {
  url: string;
  store: Store;
  runner: Runner;
  close(): Promise<void>;
}

export async function startTestConsole(input: {
  runWorkflow: RunWorkflow;
  systems?: SystemsConfig;
  adminSecret?: string;
  sessionIdleMs?: number;
  signInBrake?: SignInBrakeOptions;
  settings?: Partial<SyncSettings>;
  /** Alerts built on the console's store. */
  alerts?: (store: Store) => Alerter;
}): Promise<TestConsole> {
  const home = mkdtempSync(join(tmpdir(), 'interop-console-'));
  const store = openStore(home);
  const systems = input.systems ?? STUB_SYSTEMS;
  const adminSecret = input.adminSecret ?? ADMIN_PASSWORD;
  const runner = createRunner({
    store,
    runWorkflow: input.runWorkflow,
    systems,
    secrets: [systems.primero.password, systems.oscar.password, adminSecret],
    ...(input.settings ? { settings: input.settings } : {}),
    ...(input.alerts ? { alerts: input.alerts(store) } : {}),
  });
  const running = await startConsole({
    backend: runnerBackend(runner),
    adminSecret,
    port: 0,
    signInBrake: input.signInBrake ?? { baseDelayMs: 150, maxDelayMs: 2_000 },
    ...(input.sessionIdleMs ? { sessionIdleMs: input.sessionIdleMs } : {}),
  });
  return {
    url: running.url,
    store,
    runner,
    async close() {
      await running.close();
      store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A signed-in client: the session cookie and the page's anti-forgery token. */
export interface Client {
  cookie: string;
  csrf: string;
}

export function form(fields: Record<string, string>): {
  body: string;
  headers: Record<string, string>;
} {
  return {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };
}

export async function signIn(url: string, password = ADMIN_PASSWORD): Promise<Client> {
  const { body, headers } = form({ password });
  const response = await fetch(`${url}/sign-in`, {
    method: 'POST',
    body,
    headers,
    redirect: 'manual',
  });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await fetch(`${url}/`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error('no anti-forgery token on the overview');
  return { cookie, csrf };
}

/** Posts a console form as the console's own page would (same origin, with the token). */
export function post(
  url: string,
  path: string,
  client: Client,
  fields: Record<string, string>,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const { body, headers } = form({ _csrf: client.csrf, ...fields });
  return fetch(`${url}${path}`, {
    method: 'POST',
    body,
    headers: { ...headers, cookie: client.cookie, origin: url, ...extraHeaders },
    redirect: 'manual',
  });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
