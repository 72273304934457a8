// The four steps and the two credentials they use, declared once. The plan, the OpenFn.org build,
// the console, the CLI report, the environment parsing and each step's credential check all read
// this file: renaming a step or adding a credential field is an edit here and nowhere else.

export interface CredentialField {
  /** Key in the step's `state.configuration` and in the OpenFn.org credential. */
  readonly key: string;
  /** The local runner's environment variable that gives it. */
  readonly env: string;
  /** What to give, as the "is not set" message says it. */
  readonly what: string;
  readonly format: 'url' | 'email' | 'text';
  /** Never shown, logged or stored; `writeOnly` in the credential's JSON Schema. */
  readonly secret: boolean;
}

export interface CredentialSpec {
  /** The system's name as people write it. */
  readonly system: string;
  /** The credential's name on OpenFn.org unless the build is told another. */
  readonly defaultName: string;
  readonly fields: readonly CredentialField[];
}

export const CREDENTIALS = {
  primero: {
    system: 'Primero',
    defaultName: 'Primero',
    fields: [
      {
        key: 'url',
        env: 'PRIMERO_URL',
        what: 'the base URL, e.g. https://host.example.org',
        format: 'url',
        secret: false,
      },
      {
        key: 'username',
        env: 'PRIMERO_USERNAME',
        what: 'the Primero API user name',
        format: 'text',
        secret: false,
      },
      {
        key: 'password',
        env: 'PRIMERO_PASSWORD',
        what: "that user's password",
        format: 'text',
        secret: true,
      },
    ],
  },
  oscar: {
    system: 'OSCaR',
    defaultName: 'OSCaR',
    fields: [
      {
        key: 'url',
        env: 'OSCAR_URL',
        what: 'the base URL, e.g. https://host.example.org',
        format: 'url',
        secret: false,
      },
      {
        key: 'email',
        env: 'OSCAR_EMAIL',
        what: 'the email of the OSCaR admin (API) user',
        format: 'email',
        secret: false,
      },
      {
        key: 'password',
        env: 'OSCAR_PASSWORD',
        what: "that user's password",
        format: 'text',
        secret: true,
      },
    ],
  },
} as const satisfies Record<string, CredentialSpec>;

export type CredentialKind = keyof typeof CREDENTIALS;
export const CREDENTIAL_KINDS = Object.keys(CREDENTIALS) as CredentialKind[];

export function credentialSpec(kind: CredentialKind): CredentialSpec {
  return CREDENTIALS[kind];
}

/** One value per credential kind. */
export function perCredential<T>(valueOf: (kind: CredentialKind) => T): Record<CredentialKind, T> {
  const values = {} as Record<CredentialKind, T>;
  for (const kind of CREDENTIAL_KINDS) values[kind] = valueOf(kind);
  return values;
}

/** The variable that gives the system's address, e.g. `PRIMERO_URL`. */
export function urlVariable(kind: CredentialKind): string {
  return credentialSpec(kind).fields.find((field) => field.format === 'url')?.env ?? '';
}

/** The variables a sign-in uses (every field but the address), e.g. `OSCAR_EMAIL`, `OSCAR_PASSWORD`. */
export function signInVariables(kind: CredentialKind): string[] {
  return credentialSpec(kind)
    .fields.filter((field) => field.format !== 'url')
    .map((field) => field.env);
}

/** `NAME=value` for each variable of a credential (the demo prints the emulators' own). */
export function credentialAssignments(
  kind: CredentialKind,
  values: Record<string, unknown>,
): string {
  return credentialSpec(kind)
    .fields.map((field) => `${field.env}=${String(values[field.key] ?? '')}`)
    .join(' ');
}

/** A credential's values, one string per field of its declaration. */
export type Credential<K extends CredentialKind> = {
  [F in (typeof CREDENTIALS)[K]['fields'][number] as F['key']]: string;
};

export interface StepSpec {
  readonly id: string;
  /** The step's name wherever a person reads it: logs, errors, console, OpenFn.org. */
  readonly title: string;
  /** What the step moves, in the words of the people who use the sync (the CLI's run table). */
  readonly moves: string;
  /** The job's source, relative to the project root. */
  readonly job: string;
  /** The one system the step talks to, hence the one credential it is given. */
  readonly credential: CredentialKind;
  /**
   * On OpenFn.org the first body opens the run and the last one closes it
   * (src/openfn/lightning-run.ts): no runner does that around the steps there.
   */
  readonly runBoundary?: 'start' | 'finish';
}

/** The steps in the order they run; each runs only when the one before succeeded. */
export const STEPS = [
  {
    id: 'f1-j1',
    title: 'Get Primero cases',
    moves: 'Primero cases read',
    job: 'jobs/f1-j1-get-primero-cases.ts',
    credential: 'primero',
    runBoundary: 'start',
  },
  {
    id: 'f1-j2',
    title: 'Cases to OSCaR',
    moves: 'referrals, decisions, links -> OSCaR',
    job: 'jobs/f1-j2-cases-to-oscar.ts',
    credential: 'oscar',
  },
  {
    id: 'f2-j1',
    title: 'Get OSCaR cases',
    moves: 'OSCaR clients read',
    job: 'jobs/f2-j1-get-oscar-cases.ts',
    credential: 'oscar',
  },
  {
    id: 'f2-j2',
    title: 'Upsert cases to Primero',
    moves: 'cases, services, decisions -> Primero',
    job: 'jobs/f2-j2-upsert-cases-to-primero.ts',
    credential: 'primero',
    runBoundary: 'finish',
  },
] as const satisfies readonly StepSpec[];

export type StepId = (typeof STEPS)[number]['id'];
export const STEP_IDS: readonly StepId[] = STEPS.map((step) => step.id);

export function stepSpec(id: StepId): StepSpec {
  const step: StepSpec | undefined = STEPS.find((candidate) => candidate.id === id);
  if (!step) throw new Error(`Unknown step ${id}: the steps are ${STEP_IDS.join(', ')}`);
  return step;
}

/** `f2-j2` -> `Upsert cases to Primero`; any other text comes back as it is. */
export function stepTitle(id: string): string {
  return STEPS.find((step) => step.id === id)?.title ?? id;
}

/** The step's title mid-sentence, in lower case: "Step f2-j1 (get OSCaR cases) failed". */
export function stepName(id: string): string {
  const title = stepTitle(id);
  return title.charAt(0).toLowerCase() + title.slice(1);
}

/**
 * The credential as a JSON Schema, the way OpenFn adaptors declare theirs: every field required,
 * secrets `writeOnly` so no form or export shows them back.
 */
export function credentialJsonSchema(kind: CredentialKind): Record<string, unknown> {
  const spec = credentialSpec(kind);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${spec.system} credential`,
    type: 'object',
    properties: Object.fromEntries(
      spec.fields.map((field) => [
        field.key,
        {
          type: 'string',
          title: field.env,
          description: field.what,
          minLength: 1,
          ...(field.format === 'url' ? { format: 'uri' } : {}),
          ...(field.format === 'email' ? { format: 'email' } : {}),
          ...(field.secret ? { writeOnly: true } : {}),
        },
      ]),
    ),
    required: spec.fields.map((field) => field.key),
    additionalProperties: true,
  };
}
