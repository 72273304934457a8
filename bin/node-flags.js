// The Node flags of every process that runs the sync: `npx interop` (bin/interop.js) and the
// benchmark's worker (bench/run.ts), so that what the benchmark measures is what an operator runs.
// Plain JavaScript: bin/interop.js reads it before tsx is loaded.

/**
 * The heap a run may use, in MB. OpenFn.org runs every workflow run under a memory limit of its own
 * (its workers' WORKER_MAX_RUN_MEMORY_MB, commonly 500 MB); the local runner keeps to the same order
 * so that a window that fits here fits there. A budget also makes V8 collect garbage as it goes
 * instead of letting the heap grow to several times what is live (docs/performance.md).
 */
export const HEAP_BUDGET_MB = 512;

/**
 * `--experimental-vm-modules` lets @openfn/runtime run jobs given as source text (the OpenFn.org
 * bodies). The heap budget is left out when NODE_OPTIONS already sets one: that is how an operator
 * gives a very large first run more room.
 *
 * @param {Record<string, string | undefined>} env
 * @returns {string[]}
 */
export function syncNodeFlags(env = process.env) {
  const flags = ['--experimental-vm-modules', '--no-warnings'];
  if (!/--max-old-space-size/.test(env.NODE_OPTIONS ?? ''))
    flags.push(`--max-old-space-size=${HEAP_BUDGET_MB}`);
  return flags;
}

/**
 * The sync's flags that are not in force in the process described by `execArgv` and `env`: a flag
 * counts as in force when this process was started with it or NODE_OPTIONS carries it. Empty when
 * the process can run the sync itself; otherwise bin/interop.js starts one child with them.
 *
 * @param {string[]} execArgv
 * @param {Record<string, string | undefined>} env
 * @returns {string[]}
 */
export function missingSyncFlags(execArgv = process.execArgv, env = process.env) {
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  const has = (/** @type {string} */ name) =>
    given.some((flag) => flag === name || flag.startsWith(`${name}=`));
  const missing = [];
  if (!has('--experimental-vm-modules')) missing.push('--experimental-vm-modules');
  if (!has('--max-old-space-size')) missing.push(`--max-old-space-size=${HEAP_BUDGET_MB}`);
  // Only worth a new process when something the sync needs is missing; then start it quietly.
  return missing.length > 0 ? ['--no-warnings', ...missing] : [];
}
