// Build of the OpenFn.org deployment: job bodies, project.yaml and the deploy config.
export { ADAPTOR_NAME, installedAdaptor, type InstalledAdaptor } from './adaptor.ts';
export { buildJobBody, type JobBody, type JobBodyOptions } from './bundle.ts';
export { sourceCommit } from './commit.ts';
export { DEFAULT_ENDPOINT, DEFAULT_STATE_PATH, type DeployConfig } from './deploy-config.ts';
export {
  CREDENTIAL_FIELDS,
  DEFAULT_CREDENTIAL_NAMES,
  OPENFN_JOBS,
  type CredentialKind,
  type OpenfnJob,
} from './jobs.ts';
export {
  CRON_EXPRESSION,
  PROJECT_NAME,
  WORKFLOW_NAME,
  credentialKey,
  projectSpecYaml,
  specKey,
} from './project-spec.ts';
export {
  DEFAULT_OUT_DIR,
  buildOpenfn,
  type BuildOpenfnOptions,
  type BuildOpenfnResult,
} from './build.ts';
