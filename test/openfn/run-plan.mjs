// Runs an execution plan of string bodies on @openfn/runtime the way OpenFn.org's worker does:
// in its own node process with --experimental-vm-modules, the adaptor as the only module the
// linker can resolve. Usage: node --experimental-vm-modules run-plan.mjs <request.json> <result.json>
// request: { plan, input, adaptor: { name, path } }; result: { state } or { error }.
import { readFileSync, writeFileSync } from 'node:fs';
import run from '@openfn/runtime';
import { createMockLogger } from '@openfn/logger';

const [requestPath, resultPath] = process.argv.slice(2);
const { plan, input, adaptor } = JSON.parse(readFileSync(requestPath, 'utf8'));
const logger = createMockLogger('R', { level: 'debug' });
const jobLogger = createMockLogger('JOB', { level: 'debug' });
const events = [];
try {
  const state = await run(plan, input, {
    logger,
    jobLogger,
    linker: { modules: { [adaptor.name]: { path: adaptor.path } } },
    callbacks: { notify: (event, payload) => events.push([event, payload?.jobId ?? null]) },
  });
  writeFileSync(resultPath, JSON.stringify({ state, events, jobLog: jobLogger._history }));
} catch (error) {
  writeFileSync(
    resultPath,
    JSON.stringify({
      error: { name: error?.name, message: error?.message, severity: error?.severity },
      events,
      log: logger._history.slice(-30),
      jobLog: jobLogger._history,
    }),
  );
}
// The runtime leaves a failed step's timeout timer running; do not wait for it.
process.exit(0);
