// `npx interop build-openfn`: writes the OpenFn.org job bodies, project.yaml and the config.json
// that `openfn deploy` reads. The deploy workflow (.github/workflows/deploy-openfn.yml) runs it.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { log } from '../../log.ts';
import { DEFAULT_OUT_DIR, buildOpenfn } from '../../openfn/build.ts';
import { DEFAULT_ENDPOINT } from '../../openfn/deploy-config.ts';
import { DEFAULT_CREDENTIAL_NAMES } from '../../openfn/jobs.ts';

interface BuildOpenfnCommandOptions {
  out: string;
  credentialOwner?: string;
  primeroCredential: string;
  oscarCredential: string;
  endpoint: string;
}

const root = fileURLToPath(new URL('../../..', import.meta.url));

export function register(program: Command): void {
  program
    .command('build-openfn')
    .description(
      'Build the OpenFn.org deployment: one self-contained body per job, project.yaml and config.json',
    )
    .option('--out <dir>', 'output folder', DEFAULT_OUT_DIR)
    .option(
      '--credential-owner <email>',
      'OpenFn.org user who owns the Primero and OSCaR credentials (default: $OPENFN_CREDENTIAL_OWNER)',
    )
    .option(
      '--primero-credential <name>',
      'name of the Primero credential on OpenFn.org',
      DEFAULT_CREDENTIAL_NAMES.primero,
    )
    .option(
      '--oscar-credential <name>',
      'name of the OSCaR credential on OpenFn.org',
      DEFAULT_CREDENTIAL_NAMES.oscar,
    )
    .option(
      '--endpoint <url>',
      'Lightning provisioning API (default: $OPENFN_ENDPOINT, else OpenFn.org)',
      process.env.OPENFN_ENDPOINT ?? DEFAULT_ENDPOINT,
    )
    .action(async (options: BuildOpenfnCommandOptions) => {
      const credentialOwner = options.credentialOwner ?? process.env.OPENFN_CREDENTIAL_OWNER ?? '';
      const result = await buildOpenfn({
        root,
        outDir: options.out,
        credentialOwner,
        credentialNames: { primero: options.primeroCredential, oscar: options.oscarCredential },
        endpoint: options.endpoint,
      });
      for (const body of result.bodies) {
        log.info(`${body.step}: ${Math.round(body.text.length / 1024)} KiB`);
      }
      log.info(
        `Built ${result.files.length} files in ${relative(process.cwd(), result.outDir) || '.'} ` +
          `(commit ${result.commit}, adaptor ${result.adaptor.specifier})`,
      );
    });
}
