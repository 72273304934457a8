// Child process of the SIGKILL test: runs the workflow (stub) through runOnce against the store in
// argv[2]; it logs, reports that it is inside f2-j2, then blocks until it is killed.
import { createRunner } from '../../src/runner/run-once.ts';
import { openStore } from '../../src/runner/store.ts';
import { TEST_SYSTEMS, createStubWorkflow, createWorld, failedItem } from './stub-workflow.ts';

const home = process.argv[2];
if (!home) throw new Error('usage: killable-run.ts <store home>');
const store = openStore(home);
const world = createWorld({
  now: '2024-06-02T10:00:00.000Z',
  incoming: [failedItem('f2-j2:case:G1', 0), failedItem('f2-j2:case:G2', 0)],
  logLines: ['fetched 2 OSCaR clients'],
  onStep: async (step) => {
    if (step !== 'f2-j2') return;
    process.stdout.write('IN f2-j2\n');
    await new Promise(() => setInterval(() => undefined, 1000));
  },
});
await createRunner({
  store,
  runWorkflow: createStubWorkflow(world),
  systems: TEST_SYSTEMS,
}).runOnce({
  trigger: 'schedule',
});
