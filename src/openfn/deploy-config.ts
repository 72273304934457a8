// config.json for `openfn deploy -c <it>` (OpenFn's CLI and deploy action). Paths are relative
// to the directory deploy runs in: the repository root. The API key never goes in this file:
// the CLI reads it from OPENFN_API_KEY.
export const DEFAULT_ENDPOINT = 'https://app.openfn.org/api/provision';
/**
 * Where `openfn deploy` keeps the UUIDs OpenFn.org gave the project, workflow, jobs and edges.
 * It must be committed: without it the next deploy would create a second project.
 */
export const DEFAULT_STATE_PATH = '.github/openfn/projectState.json';

export interface DeployConfig {
  specPath: string;
  statePath: string;
  endpoint: string;
  requireConfirmation: boolean;
}

export function deployConfigJson(config: DeployConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
