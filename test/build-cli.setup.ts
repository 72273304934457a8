// Before any test: dist/cli (what `bin/interop.js` runs) is rebuilt when a source changed since it
// was built, so the CLI tests exercise the code under test and not an older build.
import { buildCli, staleBuildReason } from '../bin/build-cli.js';

export default async function setup(): Promise<void> {
  if (staleBuildReason()) await buildCli();
}
