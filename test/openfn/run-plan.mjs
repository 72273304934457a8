// Runs an execution plan of string bodies on @openfn/runtime the way OpenFn.org's worker does:
// in its own node process with --experimental-vm-modules, the adaptor as the only module the
// linker can resolve (and the collections adaptor, which the worker links into steps that use it).
// Usage: node --experimental-vm-modules run-plan.mjs <request.json> <result.json>
// request: { plan, input, adaptors: [{ name, path }] }; result: { state, outputs } or { error },
// where outputs holds each step's output as the worker would save it as a dataclip.
import { readFileSync, writeFileSync } from 'node:fs';
import run from '@openfn/runtime';
import { createMockLogger } from '@openfn/logger';

const [requestPath, resultPath] = process.argv.slice(2);
const { plan, input, adaptors } = JSON.parse(readFileSync(requestPath, 'utf8'));
const modules = Object.fromEntries(adaptors.map((a) => [a.name, { path: a.path }]));
const logger = createMockLogger('R', { level: 'debug' });
const jobLogger = createMockLogger('JOB', { level: 'debug' });
const events = [];
const outputs = {};
try {
  const state = await run(plan, input, {
    logger,
    jobLogger,
    linker: { modules },
    callbacks: {
      notify: (event, payload) => {
        events.push([event, payload?.jobId ?? null]);
        if (event === 'job-complete' && payload?.jobId) outputs[payload.jobId] = payload.state;
      },
    },
  });
  writeFileSync(resultPath, JSON.stringify({ state, outputs, events, jobLog: jobLogger._history }));
} catch (error) {
  writeFileSync(
    resultPath,
    JSON.stringify({
      error: { name: error?.name, message: error?.message, severity: error?.severity },
      events,
      outputs,
      log: logger._history.slice(-30),
      jobLog: jobLogger._history,
    }),
  );
}
// The runtime leaves a failed step's timeout timer running; do not wait for it.
process.exit(0);
