// Turns one TypeScript job into a body Lightning can compile: a single ES module that imports
// nothing but the adaptor, with our src/ modules, mapping tables and npm packages inlined.
//
// Lightning's compiler (openfn.md §6) rewrites a body before running it, so the bundle is shaped
// so that no rewrite can touch it:
// - it ends in `export default <identifier>`, never `export default [ ... ]`, so top-level calls
//   in the bundle (esbuild helpers, package set-up code) are never moved into the operation list;
// - it already carries `export * from '<adaptor>'` (Lightning adds that only when it adds imports),
//   so the adaptor's `execute` always sets up state as it does for a hand-written job;
// - identifiers are never minified: a bundler name `$` would be rewritten as lazy state.
import { sep } from 'node:path';
import { build, type Message, type Metafile } from 'esbuild';
import type { InstalledAdaptor } from './adaptor.ts';
import { CREDENTIAL_FIELDS, type OpenfnJob } from './jobs.ts';
import { credentialSpec } from '../workflow/steps.ts';

/**
 * OpenFn.org compiles every body in the run's memory-capped worker thread, on every run
 * (docs/deploy.md): 200 KiB keeps the four cheap. Classic zod alone made each about 820 KiB.
 */
export const MAX_BODY_BYTES = 200 * 1024;

/**
 * The worker links this adaptor too, into any step whose body mentions `collections.`
 * (OpenFn/kit packages/ws-worker/src/util/convert-lightning-plan.ts): every body keeps its state
 * there (src/openfn/collections-store.ts), so every body imports it and nothing else but the adaptor.
 */
export const COLLECTIONS_ADAPTOR = '@openfn/language-collections';

export interface JobBodyOptions {
  root: string;
  adaptor: InstalledAdaptor;
  /** Shown in the header; see sourceCommit(). */
  commit: string;
}

export interface JobBody {
  step: OpenfnJob['step'];
  text: string;
  /** Project files and packages inlined into the body, relative to the root. */
  inlined: { files: string[]; packages: string[] };
}

export async function buildJobBody(job: OpenfnJob, options: JobBodyOptions): Promise<JobBody> {
  const { root, adaptor } = options;
  let result;
  try {
    result = await build({
      stdin: {
        contents: entryModule(job),
        resolveDir: root,
        sourcefile: 'openfn-entry.ts',
        loader: 'ts',
      },
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      // 'neutral' picks packages' portable builds (uuid's pure-JS SHA-1 instead of node:crypto)
      // and makes any node built-in a build error: Lightning links nothing but the adaptor.
      platform: 'neutral',
      mainFields: ['module', 'main'],
      external: [adaptor.name, COLLECTIONS_ADAPTOR],
      loader: { '.json': 'json' },
      define: { 'process.env.NODE_ENV': '"production"' },
      target: 'es2020',
      // The compiler's ast-types cannot scope `catch {` without a binding ("null does not match
      // type Pattern" in add-imports): esbuild writes `catch (e)` instead, here and in packages.
      supported: { 'optional-catch-binding': false },
      charset: 'ascii',
      legalComments: 'eof',
      logLevel: 'silent',
    });
  } catch (error) {
    const first = (error as { errors?: Message[] }).errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new Error(
      `${job.source} cannot be bundled for OpenFn.org: ${first?.text ?? String(error)}${where}. ` +
        `A job may import only ${adaptor.name} and src/ modules that use no node built-in ` +
        `(keep file access in modules the jobs do not import).`,
    );
  }
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${job.source}`);
  assertOnlyAdaptorImports(job, result.metafile, adaptor);
  const { code, defaultName } = splitDefaultExport(job, output.text);
  if (/\b__require\(/.test(code)) {
    throw new Error(
      `${job.source} pulls in a CommonJS require() that cannot run on OpenFn.org: ` +
        `import the package's ES module build instead`,
    );
  }
  const inlined = inlinedSources(result.metafile);
  const text = [
    header(job, options, inlined),
    `export * from '${adaptor.name}';`,
    '',
    code.trimEnd(),
    '',
    `export default ${defaultName};`,
    '',
  ].join('\n');
  if (text.length > MAX_BODY_BYTES) {
    // charset 'ascii' above: one character is one byte.
    throw new Error(
      `The body of ${job.step} is ${Math.ceil(text.length / 1024)} KiB, over the ` +
        `${MAX_BODY_BYTES / 1024} KiB OpenFn.org compiles cheaply within a run's memory: find what ` +
        `grew it in the header's inlined packages and files, and import a tree-shakable build ` +
        `(zod/mini, not zod) or less of it (docs/deploy.md)`,
    );
  }
  const rootMentions = [root, root.split(sep).join('/')].filter((path) => text.includes(path));
  if (rootMentions.length > 0) {
    throw new Error(
      `The body of ${job.step} contains this machine's path ${rootMentions[0]}: ` +
        `remove import.meta.url / __dirname use from the modules ${job.source} imports`,
    );
  }
  return { step: job.step, text, inlined };
}

/** The job's operations, with the run's opening or closing operation where Lightning needs it. */
function entryModule(job: OpenfnJob): string {
  const source = `./${job.source.split(sep).join('/')}`;
  const lines = [
    `import job from ${JSON.stringify(source)};`,
    `import { useCollectionsStore } from './src/openfn/collections-store.ts';`,
    // Runs when the body is loaded: the steps find their store through stepStore(state).
    `useCollectionsStore();`,
  ];
  const runModule = './src/openfn/lightning-run.ts';
  if (job.runBoundary === 'start') {
    lines.push(`import { startRun } from ${JSON.stringify(runModule)};`);
    lines.push(`const operations = [startRun, ...job];`);
  } else if (job.runBoundary === 'finish') {
    lines.push(`import { finishRun } from ${JSON.stringify(runModule)};`);
    lines.push(`const operations = [...job, finishRun];`);
  } else {
    lines.push(`const operations = job;`);
  }
  lines.push('export default operations;');
  return lines.join('\n');
}

function assertOnlyAdaptorImports(job: OpenfnJob, metafile: Metafile, adaptor: InstalledAdaptor) {
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (
        imported.external &&
        imported.path !== adaptor.name &&
        imported.path !== COLLECTIONS_ADAPTOR
      ) {
        throw new Error(
          `${job.source} imports ${imported.path}, which OpenFn.org cannot link: ` +
            `a body may import only ${adaptor.name}`,
        );
      }
    }
  }
}

/** esbuild writes `export { x as default };` last; the body needs `export default x;`. */
function splitDefaultExport(job: OpenfnJob, text: string): { code: string; defaultName: string } {
  const match = /\nexport \{([^}]*)\};\s*$/.exec(text);
  const specifiers = match?.[1]?.split(',').map((s) => s.trim()) ?? [];
  const defaultName = specifiers
    .map((s) => /^([\w$]+) as default$/.exec(s)?.[1])
    .find((name) => name !== undefined);
  if (!match || !defaultName) {
    throw new Error(
      `${job.source} has no default export: a job must end in export default [op, op, ...]`,
    );
  }
  const code = text.slice(0, match.index);
  if (/^export\s/m.test(code)) {
    throw new Error(`${job.source}: unexpected export statement in the bundle`);
  }
  return { code, defaultName };
}

function inlinedSources(metafile: Metafile): JobBody['inlined'] {
  const files = new Set<string>();
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const path = input.split(sep).join('/');
    const inPackage = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (inPackage?.[1]) packages.add(inPackage[1]);
    else files.add(path);
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

function header(job: OpenfnJob, options: JobBodyOptions, inlined: JobBody['inlined']): string {
  const fields = CREDENTIAL_FIELDS[job.credential].join(', ');
  const lines = [
    `GENERATED by \`npx interop build-openfn\` from commit ${options.commit}.`,
    `Do not edit this job on OpenFn.org: the next deploy from master overwrites it.`,
    ``,
    `Step ${job.step} of the Primero <-> OSCaR sync ("${job.name}").`,
    `To change it, edit ${job.source} or the repository modules listed below in the interop`,
    `repository, run npm test and push to master (docs/deploy.md).`,
    `Adaptor: ${options.adaptor.specifier}.`,
    `Credential: the ${credentialSpec(job.credential).system} credential {${fields}}, read from state.configuration.`,
    ``,
    ...wrap('Inlined from the repository:', inlined.files),
    ...(inlined.packages.length > 0 ? wrap('Inlined npm packages:', inlined.packages) : []),
  ];
  return lines.map((line) => (line ? `// ${line}` : '//')).join('\n') + '\n';
}

function wrap(title: string, items: readonly string[], width = 96): string[] {
  const lines = [title];
  for (const item of items) {
    const current = lines[lines.length - 1] ?? '';
    if (current.length + item.length + 2 > width) {
      if (current !== title) lines[lines.length - 1] = `${current},`;
      lines.push(`  ${item}`);
    } else
      lines[lines.length - 1] = current === title ? `${current} ${item}` : `${current}, ${item}`;
  }
  return lines;
}
