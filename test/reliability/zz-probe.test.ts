import { it } from 'vitest';
import { runOnce, startSystems } from '/work/main/test/e2e/helpers.ts';
import { worldSeeds, START } from '/work/main/test/reliability/world.ts';
it('probe', async () => {
  const s = await startSystems(worldSeeds());
  const r1 = await runOnce(s, undefined, { since: START });
  const r2 = await runOnce(s, r1.next);
  const r3 = await runOnce(s, r2.next);
  console.error(JSON.stringify({ s1: r1.summary, s2: r2.summary.steps, s3: r3.summary.steps, next: r3.next }, null, 1));
  console.error(JSON.stringify({p: r3.primeroState.cases, o: r3.oscarState.organizations.filter((o: any) => o.clients.length || o.referrals.length)}, null, 1));
  await s.close();
});
