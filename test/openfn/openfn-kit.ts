// OpenFn's real compiler for the tests. @openfn/compiler and @openfn/describe-package are not on
// the npm registry, so they come as tarballs in ../shared/openfn-kit beside the repository (CI has
// it there too) and never enter package.json: a clone without that folder must still `npm ci`.
// They are installed once into node_modules/.cache/openfn-kit/<hash of the tarballs> and reused.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Where the tarballs are expected: beside the repository root (OPENFN_KIT_DIR overrides it). */
export const OPENFN_KIT_DIR = resolve(
  process.env.OPENFN_KIT_DIR || resolve(root, '..', 'shared', 'openfn-kit'),
);
const TARBALLS = ['openfn-describe-package-0.1.6.tgz', 'openfn-compiler-1.2.5.tgz'];
const CACHE = join(root, 'node_modules', '.cache', 'openfn-kit');

/** Set by .ci/run: there the real-compiler test must run, never skip. */
export const KIT_REQUIRED = process.env.REQUIRE_OPENFN_KIT === '1';

/** Why the real compiler cannot be used here, or undefined when it can. */
export function openfnKitMissing(): string | undefined {
  const absent = TARBALLS.filter((name) => !existsSync(join(OPENFN_KIT_DIR, name)));
  if (absent.length === 0) return undefined;
  return (
    `OpenFn's real compiler is not available: ${absent.join(', ')} not found in ` +
    `${OPENFN_KIT_DIR} (the folder ../shared/openfn-kit beside the repository; see docs/deploy.md)`
  );
}

export interface OpenfnKit {
  /** file:// URL of @openfn/compiler's ES module (default export compile, preloadAdaptorExports). */
  compilerUrl: string;
}

/**
 * Installs the tarballs with npm (their dependencies come from the registry) into a folder keyed
 * by the tarballs' content, so a new tarball gets a fresh install and a rerun installs nothing.
 * The install goes to a temporary folder renamed into place, so two test processes never see a
 * half-installed cache.
 */
export async function installOpenfnKit(): Promise<OpenfnKit> {
  const missing = openfnKitMissing();
  if (missing) throw new Error(missing);
  const hash = createHash('sha256');
  for (const name of TARBALLS) hash.update(await readFile(join(OPENFN_KIT_DIR, name)));
  const dir = join(CACHE, hash.digest('hex').slice(0, 16));
  const entry = join(dir, 'node_modules', '@openfn', 'compiler', 'dist', 'index.js');
  if (!existsSync(entry)) {
    await mkdir(CACHE, { recursive: true });
    const staging = await mkdtemp(join(CACHE, 'install-'));
    try {
      await promisify(execFile)(
        'npm',
        [
          'install',
          '--no-save',
          '--no-audit',
          '--no-fund',
          '--no-package-lock',
          '--prefix',
          staging,
          ...TARBALLS.map((name) => join(OPENFN_KIT_DIR, name)),
        ],
        { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      );
      await rename(staging, dir).catch((error: NodeJS.ErrnoException) => {
        // Another process finished first: its install is as good as ours.
        if (!existsSync(entry)) throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    await removeStaleInstalls(dir);
  }
  return { compilerUrl: pathToFileURL(entry).href };
}

async function removeStaleInstalls(keep: string): Promise<void> {
  for (const name of await readdir(CACHE)) {
    const path = join(CACHE, name);
    if (path !== keep && !name.startsWith('install-'))
      await rm(path, { recursive: true, force: true });
  }
}
