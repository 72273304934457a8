// The one adaptor every body runs with on OpenFn.org. Its version is read from the installed
// package at build time, so Lightning runs the exact code the tests ran.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADAPTOR_NAME = '@openfn/language-http';

export interface InstalledAdaptor {
  name: string;
  version: string;
  /** `name@version`, as project.yaml pins it. */
  specifier: string;
  /** Package root directory (what @openfn/runtime's linker wants). */
  path: string;
}

export function installedAdaptor(root: string): InstalledAdaptor {
  const path = join(root, 'node_modules', ...ADAPTOR_NAME.split('/'));
  let version: unknown;
  try {
    version = (
      JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { version?: unknown }
    ).version;
  } catch {
    throw new Error(`${ADAPTOR_NAME} is not installed under ${root}: run npm ci first`);
  }
  if (typeof version !== 'string' || version === '') {
    throw new Error(`${ADAPTOR_NAME}/package.json has no version: reinstall it with npm ci`);
  }
  return { name: ADAPTOR_NAME, version, specifier: `${ADAPTOR_NAME}@${version}`, path };
}
