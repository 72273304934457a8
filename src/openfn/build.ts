// `npx interop build-openfn`: the four bodies, project.yaml, the deploy config and the JSON Schema
// of each credential, in one folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { installedAdaptor, type InstalledAdaptor } from './adaptor.ts';
import { buildJobBody, type JobBody } from './bundle.ts';
import { sourceCommit } from './commit.ts';
import { DEFAULT_ENDPOINT, DEFAULT_STATE_PATH, deployConfigJson } from './deploy-config.ts';
import {
  DEFAULT_CREDENTIAL_NAMES,
  OPENFN_JOBS,
  type CredentialKind,
  type OpenfnJob,
} from './jobs.ts';
import { projectSpecYaml } from './project-spec.ts';
import { credentialJsonSchema } from '../workflow/steps.ts';

export const DEFAULT_OUT_DIR = 'dist/openfn';

export interface BuildOpenfnOptions {
  /** The repository root (where package.json and node_modules are). */
  root: string;
  /** Default `<root>/dist/openfn`. */
  outDir?: string;
  /** Email of the OpenFn.org user who owns the Primero and OSCaR credentials. */
  credentialOwner: string;
  credentialNames?: Partial<Record<CredentialKind, string>>;
  endpoint?: string;
  /** Relative to the root; default .github/openfn/projectState.json. */
  statePath?: string;
  /** Overrides `git rev-parse HEAD` (tests). */
  commit?: string;
  /** Overrides the four jobs (tests build fixtures). */
  jobs?: readonly OpenfnJob[];
}

export interface BuildOpenfnResult {
  outDir: string;
  commit: string;
  adaptor: InstalledAdaptor;
  bodies: JobBody[];
  /** Absolute paths of everything written. */
  files: string[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function buildOpenfn(options: BuildOpenfnOptions): Promise<BuildOpenfnResult> {
  const root = resolve(options.root);
  if (!EMAIL.test(options.credentialOwner)) {
    throw new Error(
      `Credential owner "${options.credentialOwner}" is not an email: give the OpenFn.org user ` +
        `who owns the Primero and OSCaR credentials (--credential-owner or OPENFN_CREDENTIAL_OWNER)`,
    );
  }
  const outDir = resolve(root, options.outDir ?? DEFAULT_OUT_DIR);
  const jobs = options.jobs ?? OPENFN_JOBS;
  const adaptor = installedAdaptor(root);
  const commit = options.commit ?? sourceCommit(root);
  const credentialNames = { ...DEFAULT_CREDENTIAL_NAMES, ...options.credentialNames };

  const bodies: JobBody[] = [];
  for (const job of jobs) bodies.push(await buildJobBody(job, { root, adaptor, commit }));

  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const write = async (name: string, text: string) => {
    const path = join(outDir, name);
    await writeFile(path, text);
    files.push(path);
  };
  for (const body of bodies) await write(`${body.step}.js`, body.text);
  // What each credential must hold, for the admin who creates it on OpenFn.org (secrets writeOnly).
  for (const kind of new Set(jobs.map((job) => job.credential))) {
    await write(
      `${kind}-credential.schema.json`,
      `${JSON.stringify(credentialJsonSchema(kind), null, 2)}\n`,
    );
  }
  await write(
    'project.yaml',
    projectSpecYaml({
      jobs,
      bodies,
      adaptor,
      commit,
      credentialOwner: options.credentialOwner,
      credentialNames,
    }),
  );
  await write(
    'config.json',
    deployConfigJson({
      specPath: fromRoot(root, join(outDir, 'project.yaml')),
      statePath: options.statePath ?? DEFAULT_STATE_PATH,
      endpoint: options.endpoint ?? DEFAULT_ENDPOINT,
      requireConfirmation: false,
    }),
  );
  return { outDir, commit, adaptor, bodies, files };
}

/** Deploy runs from the root, so paths inside it are written relative to it. */
function fromRoot(root: string, path: string): string {
  const rel = relative(root, path);
  if (rel.startsWith('..') || isAbsolute(rel)) return path;
  return rel.split(sep).join('/');
}
