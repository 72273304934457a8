// One run as OpenFn.org's worker runs it (OpenFn/kit packages/engine-multi): this process stands
// for the engine's child process (started with --experimental-vm-modules and
// --max-old-space-size=<run memory limit>, worker/pool.ts), which starts a worker_threads Worker
// capped with resourceLimits.maxOldGenerationSizeMb = <run memory limit>
// (worker/child/create-thread.ts). Inside that thread, as worker/thread/run.ts does, every step's
// body is compiled (worker/thread/compile.ts: add-imports with the exports preloadAdaptorExports
// reads from each adaptor, exportAll) and then the plan runs on @openfn/runtime.
// Usage: node --experimental-vm-modules --max-old-space-size=<mb> lightning-worker.mjs <request> <result>
// request: { plan, input, compilerUrl, adaptorPaths: { name: path }, memoryLimitMb }
// result: { compiled, compileSeconds, heap, state } or compileError / error; outputs, events, logs.
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const MB = 1024 * 1024;

if (isMainThread) {
  const [requestPath, resultPath] = process.argv.slice(2);
  const request = JSON.parse(readFileSync(requestPath, 'utf8'));
  const thread = new Worker(new URL(import.meta.url), {
    workerData: request,
    resourceLimits: { maxOldGenerationSizeMb: request.memoryLimitMb },
  });
  let result;
  thread.on('message', (message) => {
    result = message;
  });
  thread.on('error', (error) => {
    // engine-multi turns this code into its OOMError and fails the run.
    result = {
      error: { name: error?.name, code: error?.code, message: error?.message },
      events: [],
    };
  });
  thread.on('exit', () => {
    writeFileSync(resultPath, JSON.stringify(result ?? { error: { message: 'no result' } }));
    // The runtime may leave a failed step's timer running; the run is over.
    process.exit(0);
  });
} else {
  const { plan, input, compilerUrl, adaptorPaths, memoryLimitMb } = workerData;
  const { default: run } = await import('@openfn/runtime');
  const { createMockLogger } = await import('@openfn/logger');
  const { default: compile, preloadAdaptorExports } = await import(compilerUrl);
  const logger = createMockLogger('R', { level: 'debug' });
  const jobLogger = createMockLogger('JOB', { level: 'debug' });
  const events = [];
  // Each step's output: the dataclip Lightning saves, and what a later run may be fed.
  const outputs = {};
  const notify = (event, payload) => {
    events.push([event, payload?.jobId ?? null]);
    if (event === 'job-complete')
      outputs[payload.jobId] = JSON.parse(JSON.stringify(payload.state));
  };
  const finish = (result) => {
    parentPort.postMessage({ ...result, outputs, events, jobLog: jobLogger._history });
  };

  // worker/thread/compile.ts: adaptor names without their version, exports read from the
  // installed package (the linker's path for it), the whole adaptor re-exported.
  const nameOf = (specifier) => {
    const at = specifier.lastIndexOf('@');
    return at > 0 ? specifier.slice(0, at) : specifier;
  };
  const compiled = {};
  let compileError;
  const started = Date.now();
  for (const step of plan.workflow.steps) {
    if (!step.expression) continue;
    try {
      const adaptors = [];
      for (const specifier of step.adaptors ?? []) {
        const name = nameOf(specifier);
        const path = adaptorPaths[name];
        if (!path) throw new Error(`No installed adaptor for ${specifier}: give its path`);
        adaptors.push({
          name,
          exports: await preloadAdaptorExports(path, logger),
          exportAll: true,
        });
      }
      const result = compile(step.expression, { logger, 'add-imports': { adaptors } });
      step.expression = result.code;
      compiled[step.id] = result.code;
    } catch (error) {
      compileError = { step: step.id, name: error?.name, message: error?.message };
      break;
    }
  }
  const compileSeconds = (Date.now() - started) / 1000;
  // What compiling left: the heap in use and the heap V8 grew to hold it (it only gives memory
  // back slowly, so this shows the compile's peak), then what survives a full collection (the
  // parent process runs with --expose-gc, a V8 flag every thread of the process shares).
  const afterCompile = getHeapStatistics();
  globalThis.gc?.();
  const retained = getHeapStatistics();
  const compileReport = {
    compiled,
    compileSeconds,
    heap: {
      usedMb: afterCompile.used_heap_size / MB,
      committedMb: afterCompile.total_heap_size / MB,
      retainedMb: globalThis.gc ? retained.used_heap_size / MB : undefined,
      limitMb: afterCompile.heap_size_limit / MB,
    },
  };
  if (compileError) {
    finish({ ...compileReport, compileError });
  } else {
    try {
      // worker/thread/run.ts and api.ts: the options engine-multi gives the runtime.
      const state = await run(plan, input, {
        timeout: 0,
        strict: false,
        logger,
        jobLogger,
        statePropsToRemove: ['configuration', 'response'],
        stateLimitMb: memoryLimitMb * 0.25,
        linker: {
          modules: Object.fromEntries(
            Object.entries(adaptorPaths).map(([name, path]) => [name, { path }]),
          ),
        },
        callbacks: { notify },
      });
      finish({ ...compileReport, state });
    } catch (error) {
      finish({
        ...compileReport,
        error: { name: error?.name, message: error?.message, severity: error?.severity },
        log: logger._history.slice(-30),
      });
    }
  }
}
