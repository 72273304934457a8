// The process the crash scenarios kill with SIGKILL: one run of the real workflow against the
// parent's emulators, its carried state in a JSON file (mode `json`, persisted the way the contract
// asks a runner to: each sent-ledger record written ahead of its OSCaR upsert) or in the runner's SQLite
// store through the runner's own runOnce (mode `runner`).
// Usage: crash-child.ts <json|runner> <state file or store home> <primero url> <oscar url>
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRunner } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import { runWorkflow } from '../../src/workflow/run.ts';
import type { CarriedState, SystemsConfig } from '../../src/workflow/contract.ts';
import { DEMO_CREDENTIALS } from '../e2e/helpers.ts';
import { FAST } from './harness.ts';
import { START } from './world.ts';

const [mode, where = '', primeroUrl = '', oscarUrl = ''] = process.argv.slice(2);
if (!mode || !where || !primeroUrl || !oscarUrl)
  throw new Error('usage: crash-child.ts <json|runner> <state> <primero url> <oscar url>');
const systems: SystemsConfig = {
  primero: { url: primeroUrl, ...DEMO_CREDENTIALS.primero },
  oscar: { url: oscarUrl, ...DEMO_CREDENTIALS.oscar },
};

/** Atomic replace: a kill mid-write leaves the old file or the new one, never half of one. */
function save(state: CarriedState): void {
  writeFileSync(`${where}.tmp`, JSON.stringify(state));
  renameSync(`${where}.tmp`, where);
}

if (mode === 'json') {
  const carried = existsSync(where)
    ? (JSON.parse(readFileSync(where, 'utf8')) as CarriedState)
    : undefined;
  const base: CarriedState = carried ?? { cursors: {}, retries: [], deadLetters: [] };
  const ledger = new Map((base.sent ?? []).map((record) => [record.key, record]));
  const outcome = await runWorkflow({
    systems,
    ...(carried ? { carried } : {}),
    ...(carried?.cursors.primero ? {} : { since: START }),
    settings: FAST,
    logSink: () => undefined,
    // One record at a time, as the journal reports them (a test harness may rewrite its file).
    onSentRecord: (change) => {
      if ('set' in change) ledger.set(change.set.key, change.set);
      else ledger.delete(change.remove);
      save({ ...base, sent: [...ledger.values()] });
    },
  });
  save(outcome.summary.ok ? outcome.next : { ...base, sent: outcome.next.sent ?? base.sent ?? [] });
} else {
  const store = openStore(where);
  const first = !store.lastCarriedState()?.cursors.primero;
  await createRunner({ store, runWorkflow, systems, settings: FAST }).runOnce({
    trigger: 'schedule',
    ...(first ? { since: START } : {}),
  });
  store.close();
}
process.stdout.write('RUN FINISHED\n');
