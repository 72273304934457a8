#!/usr/bin/env node
// `npm run build` (also run by `npm install` / `npm ci` as the `prepare` script): compiles the CLI to
// dist/cli/ with esbuild, so that `npx interop` and `npm start` run JavaScript and not TypeScript
// transpiled at every start. Each command is its own chunk (src/cli/commands/index.ts imports them
// lazily), so a command loads only what it uses. The native addon and the servers load from
// node_modules as they are; the OpenFn packages are bundled in (see EXTERNAL_PACKAGES).
// Plain JavaScript, so that it runs before anything is compiled.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT_DIR = join(root, 'dist', 'cli');
export const COMPILED_CLI = join(CLI_OUT_DIR, 'main.js');
/**
 * Packages the compiled CLI imports from node_modules (see buildCli). `@openfn/*` is not among
 * them: the adaptor and the runtime are some 1 500 small modules (date-fns, undici, cheerio, the
 * logger's prompt), and resolving and reading them one file at a time was most of a no-op run's
 * start (docs/performance.md, "Start-up"). Bundled, they are the same code in one chunk. What of
 * them looks for files beside itself serves only jobs given as source text (the runtime's adaptor
 * linker and ESM hook, its source-map reader's wasm), which the local runner never hands it.
 */
const EXTERNAL_PACKAGES = [
  'better-sqlite3',
  'fastify',
  '@fastify/*',
  'nodemailer',
  'esbuild',
  'tsx',
  'commander',
];
/** What the build read, with modification times: bin/interop.js runs tsx when a source is newer. */
export const BUILD_MANIFEST = 'build-manifest.json';

/**
 * Modules that find files beside themselves (the mapping tables, the demo seeds) read
 * `import.meta.url`; in a bundle that would be the chunk's address. Each such module gets the
 * address of its source file instead, written relative to the chunk (in `outDir`) so the checkout
 * can move. The JSON files a module imports (the mapping tables) are data an administrator edits:
 * they stay files, read at run time as the TypeScript reads them, so an edit needs no build.
 * @param {string} outDir
 * @returns {import('esbuild').Plugin}
 */
const sourceLocation = (outDir) => ({
  name: 'source-location',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const fromChunk = (/** @type {string} */ path) => {
        const relativePath = relative(outDir, path).split('\\').join('/');
        return relativePath.startsWith('.') ? relativePath : `./${relativePath}`;
      };
      const contents = source
        .replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(fromChunk(args.path))}, import.meta.url).href`,
        )
        // JSON data stays a file (external), addressed from the chunk.
        .replace(
          /from '(\.{1,2}\/[^']+\.json)'/g,
          (_match, specifier) =>
            `from ${JSON.stringify(fromChunk(join(dirname(args.path), specifier)))}`,
        );
      return contents === source ? undefined : { contents, loader: 'ts' };
    });
  },
});

/**
 * Our JSON files stay files (sourceLocation has written their addresses relative to the chunk); a
 * bundled library's own JSON (cli-spinners' spinners.json) is bundled with it, since nothing is
 * beside the chunk to read it from.
 * @type {import('esbuild').Plugin}
 */
const ourJsonExternal = {
  name: 'our-json-external',
  setup(build) {
    build.onResolve({ filter: /\.json$/ }, (args) =>
      args.importer.split(/[\\/]/).includes('node_modules')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * Why dist/cli cannot be run, or undefined when it can: not built, or a source it was built from
 * changed since (a few hundred stat calls, about a millisecond: an edit is never silently ignored).
 */
export function staleBuildReason() {
  if (!existsSync(COMPILED_CLI)) return 'dist/cli is not built (run `npm run build`)';
  try {
    const manifest = JSON.parse(readFileSync(join(CLI_OUT_DIR, BUILD_MANIFEST), 'utf8'));
    const changed = manifest.inputs.find((/** @type {string} */ input) => {
      const path = join(root, input);
      return !existsSync(path) || statSync(path).mtimeMs > manifest.builtAt;
    });
    return changed
      ? `${changed} changed since dist/cli was built (run \`npm run build\`)`
      : undefined;
  } catch {
    return 'dist/cli has no readable build manifest (run `npm run build`)';
  }
}

/** Builds dist/cli; false when esbuild is not installed (then the launcher runs tsx). */
export async function buildCli() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write(
      'build: esbuild is not installed; `npx interop` will run the TypeScript\n',
    );
    return false;
  }
  // Built beside, then swapped in: a command started meanwhile sees the old build or the new one.
  const building = `${CLI_OUT_DIR}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const builtAt = Date.now();
  const result = await bundle(
    esbuild,
    { main: join(root, 'src/cli/main.ts') },
    building,
    CLI_OUT_DIR,
  );
  // The sources of this checkout; bundled libraries change only by an install, which builds again.
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => relative(root, join(root, input)))
    .filter((input) => !input.startsWith('..') && !input.split(/[\\/]/).includes('node_modules'))
    // A change to how it is built makes the build stale too.
    .concat(relative(root, fileURLToPath(import.meta.url)));
  writeFileSync(join(building, BUILD_MANIFEST), `${JSON.stringify({ builtAt, inputs })}\n`);
  const old = `${CLI_OUT_DIR}.old-${process.pid}`;
  if (existsSync(CLI_OUT_DIR)) renameSync(CLI_OUT_DIR, old);
  renameSync(building, CLI_OUT_DIR);
  rmSync(old, { recursive: true, force: true });
  return true;
}

/**
 * The bench's worker (bench/worker.ts) compiled as the CLI is, into `outDir`: the first runs it
 * measures then run the code an operator runs, without tsx's module loader (a second V8 heap in
 * its own thread, some 40 MB of the worker's RSS). Returns the worker's path, or undefined when
 * esbuild is not installed (the bench then runs the worker through tsx).
 * @param {string} outDir
 */
export async function buildBenchWorker(outDir) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  rmSync(outDir, { recursive: true, force: true });
  await bundle(esbuild, { worker: join(root, 'bench/worker.ts') }, outDir, outDir);
  return join(outDir, 'worker.js');
}

/**
 * esbuild over `entryPoints` into `buildDir`, for chunks that will be read from `outDir`.
 * @param {typeof import('esbuild')} esbuild
 * @param {Record<string, string>} entryPoints
 * @param {string} buildDir
 * @param {string} outDir
 */
function bundle(esbuild, entryPoints, buildDir, outDir) {
  return esbuild.build({
    entryPoints,
    outdir: buildDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19', // package.json engines; older targets drop the JSON import attribute
    // Pure-JavaScript libraries made of many small modules (zod alone is about 250, the OpenFn
    // adaptor and runtime some 1 500) are bundled in; the native addon and the frameworks load
    // from node_modules as they are, as does commander (tiny, and CommonJS).
    external: EXTERNAL_PACKAGES,
    mainFields: ['module', 'main'],
    // A bundled CommonJS library that requires a Node built-in (yaml requires `process`) needs a
    // `require` in an ES module chunk.
    banner: {
      js: "import { createRequire as interopCreateRequire } from 'node:module'; const require = interopCreateRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [sourceLocation(outDir), ourJsonExternal],
  });
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const started = Date.now();
  if (await buildCli())
    process.stderr.write(
      `build: ${relative(process.cwd(), CLI_OUT_DIR) || '.'} in ${Date.now() - started} ms\n`,
    );
}
