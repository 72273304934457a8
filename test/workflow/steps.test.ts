// One step registry (src/workflow/steps.ts): every place that names a step, orders the steps,
// builds a step's body or asks for a credential field reads it there, so renaming a step or adding
// a credential field is one edit. Each test derives what it expects from the registry itself.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEM_VARIABLES, ConfigError, readConfig, secretsOf } from '../../src/config/env.ts';
import { STEP_TITLES } from '../../src/console/views/layout.ts';
import { CREDENTIAL_FIELDS, DEFAULT_CREDENTIAL_NAMES, OPENFN_JOBS } from '../../src/openfn/jobs.ts';
import { formatSummary } from '../../src/runner/report.ts';
import { emptyReport } from '../../src/workflow/outcomes.ts';
import { buildPlan } from '../../src/workflow/plan.ts';
import type { Job } from '../../src/workflow/plan.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import { oscarClientFrom, primeroClientFrom } from '../../src/workflow/step-context.ts';
import type { BaseState } from '../../src/workflow/state.ts';
import type { RunSummary, StepId, SystemsConfig } from '../../src/workflow/contract.ts';
import {
  CREDENTIALS,
  CREDENTIAL_KINDS,
  STEPS,
  STEP_IDS,
  credentialJsonSchema,
  credentialSpec,
} from '../../src/workflow/steps.ts';

/** A value for every variable of both credentials, of the shape each field asks for. */
const env: Record<string, string> = Object.fromEntries(
  CREDENTIAL_KINDS.flatMap((kind) =>
    credentialSpec(kind).fields.map((field) => [
      field.env,
      field.format === 'url'
        ? `https://${kind}.example.org`
        : field.format === 'email'
          ? `api@${kind}.example.org`
          : `${kind}-${field.key}-value`,
    ]),
  ),
);

const systems = readConfig(env).systems as SystemsConfig;
const noop: Job = [(state) => state];
const jobs = Object.fromEntries(STEP_IDS.map((id) => [id, noop])) as Record<StepId, Job>;

describe('the step registry', () => {
  it('orders the steps and names each once; ids are the ones the rest of the code keys by', () => {
    expect(STEP_IDS).toEqual(STEPS.map((step) => step.id));
    expect(new Set(STEPS.map((step) => step.title)).size).toBe(STEPS.length);
  });

  it('the plan runs the steps in registry order, by title, each with its own credential', () => {
    const plan = buildPlan(systems, jobs);
    expect(plan.options?.start).toBe(STEPS[0]!.id);
    expect(
      plan.workflow.steps.map((step) => ({ id: step.id, name: step.name, next: step.next })),
    ).toEqual(
      STEPS.map((step, index) => ({
        id: step.id,
        name: step.title,
        next: STEPS[index + 1] ? { [STEPS[index + 1]!.id]: 'on_job_success' } : undefined,
      })),
    );
    for (const [index, step] of STEPS.entries()) {
      const configuration = (plan.workflow.steps[index] as { configuration: object }).configuration;
      expect(Object.keys(configuration).sort()).toEqual(
        credentialSpec(step.credential)
          .fields.map((field) => field.key)
          .sort(),
      );
    }
  });

  it('the OpenFn.org build names, sources and credentials its jobs from the registry', () => {
    expect(OPENFN_JOBS).toEqual(
      STEPS.map((step) => ({
        step: step.id,
        source: step.job,
        name: `${step.id} ${step.title}`,
        credential: step.credential,
        ...('runBoundary' in step ? { runBoundary: step.runBoundary } : {}),
      })),
    );
    for (const kind of CREDENTIAL_KINDS) {
      expect(CREDENTIAL_FIELDS[kind]).toEqual(CREDENTIALS[kind].fields.map((field) => field.key));
      expect(DEFAULT_CREDENTIAL_NAMES[kind]).toBe(CREDENTIALS[kind].defaultName);
    }
  });

  it('the console shows, and the CLI report lists, each step as the registry words it', () => {
    for (const step of STEPS) expect(STEP_TITLES[step.id]).toBe(step.title);
    const summary: RunSummary = {
      ok: true,
      dryRun: false,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      from: {},
      to: {},
      steps: emptyReport().steps,
      failed: [],
      deadLettered: [],
      planned: [],
    };
    const text = formatSummary(summary);
    for (const step of STEPS) expect(text).toMatch(new RegExp(`${step.id}\\s+${step.moves}`));
  });

  it("a failed run names the step by the registry's title", async () => {
    const failing = STEPS[2]!;
    const outcome = await runWorkflow(
      {
        systems,
        carried: {
          cursors: { primero: '2026-01-01T00:00:00.000Z', oscar: '2026-01-01 00:00:00' },
          retries: [],
          deadLetters: [],
        },
      },
      {
        ...jobs,
        [failing.id]: [
          () => {
            throw new Error('boom');
          },
        ],
      },
    );
    const midSentence = failing.title.charAt(0).toLowerCase() + failing.title.slice(1);
    expect(outcome.summary.error).toBe(`Step ${failing.id} (${midSentence}) failed: boom`);
    expect(outcome.summary.failure).toEqual({ step: failing.id });
  });
});

describe('the credential declarations', () => {
  it('the environment parsing reads every field from its variable, and only those', () => {
    expect([...SYSTEM_VARIABLES].sort()).toEqual(Object.keys(env).sort());
    for (const kind of CREDENTIAL_KINDS) {
      for (const field of credentialSpec(kind).fields) {
        expect((systems[kind] as Record<string, string>)[field.key]).toBe(env[field.env]);
      }
    }
  });

  it('a missing variable is refused by its name and what to give', () => {
    for (const kind of CREDENTIAL_KINDS) {
      for (const field of credentialSpec(kind).fields) {
        const { [field.env]: _missing, ...rest } = env;
        let problems: string[] = [];
        try {
          readConfig(rest);
        } catch (error) {
          problems = (error as ConfigError).problems;
        }
        expect(problems).toEqual([`${field.env} is not set: give ${field.what}`]);
      }
    }
  });

  it('every secret field, and no other, is redacted from what the run keeps', () => {
    const secrets = CREDENTIAL_KINDS.flatMap((kind) =>
      credentialSpec(kind)
        .fields.filter((field) => field.secret)
        .map((field) => env[field.env]),
    );
    expect(secretsOf(systems).sort()).toEqual(secrets.sort());
  });

  it("each step's credential check asks for the declared fields", () => {
    const state = (configuration: object) =>
      ({ configuration, run: { settings: {} } }) as unknown as BaseState;
    for (const [kind, clientFrom] of [
      ['primero', primeroClientFrom],
      ['oscar', oscarClientFrom],
    ] as const) {
      const keys = credentialSpec(kind).fields.map((field) => field.key);
      expect(() => clientFrom(state({}))).toThrow(
        `lacks ${keys.join(', ')}: give the step a ${CREDENTIALS[kind].system} credential with ${keys.join(', ')}`,
      );
      expect(() => clientFrom(state(systems[kind]))).not.toThrow();
    }
  });

  it('the JSON Schema requires every field and marks exactly the secrets writeOnly', () => {
    for (const kind of CREDENTIAL_KINDS) {
      const schema = credentialJsonSchema(kind) as {
        required: string[];
        properties: Record<string, { writeOnly?: boolean }>;
      };
      const { fields } = credentialSpec(kind);
      expect(schema.required).toEqual(fields.map((field) => field.key));
      expect(
        Object.entries(schema.properties)
          .filter(([, property]) => property.writeOnly)
          .map(([key]) => key),
      ).toEqual(fields.filter((field) => field.secret).map((field) => field.key));
    }
  });
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('one home', () => {
  // The HTTP clients sit below the workflow and do not import it; their sign-in messages name
  // the variables themselves.
  const readers = [
    'src/workflow',
    'src/openfn',
    'src/console',
    'src/runner',
    'src/config',
    'src/cli',
    'jobs',
  ]
    .flatMap((dir) => sources(dir))
    .filter((path) => !path.endsWith(join('src', 'workflow', 'steps.ts')));

  it('no other file spells a step title or a credential variable', () => {
    const words = [
      ...STEPS.map((step) => step.title),
      ...CREDENTIAL_KINDS.flatMap((kind) => credentialSpec(kind).fields.map((field) => field.env)),
    ];
    const found = readers.flatMap((path) => {
      const text = readFileSync(path, 'utf8');
      return words
        .filter((word) => text.includes(word))
        .map((word) => `${relative('.', path)}: ${word}`);
    });
    expect(found).toEqual([]);
  });
});
