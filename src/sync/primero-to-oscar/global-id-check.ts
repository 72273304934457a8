// f1-j1's last look at Primero: for each OSCaR global id the batch is about to send as a child's
// identity, every Primero case holding it (case-lookup.ts: one search per id, or one scan when
// that is fewer requests). Two holders make the items ambiguous (ambiguity.ts): they fail, the
// rest of the batch goes on.
import { log } from '../../log.ts';
import type { PrimeroClient } from '../../clients/primero.ts';
import { recordFailure } from '../../workflow/outcomes.ts';
import { findCasesForBatch } from '../case-lookup.ts';
import { ambiguousGlobalIdFailures, globalIdsToCheck, holderIds } from './ambiguity.ts';
import type { WindowSelected } from './select-window.ts';

export async function checkGlobalIds(
  state: WindowSelected,
  primero: () => PrimeroClient,
): Promise<WindowSelected> {
  const { toOscar, report, run } = state;
  const globalIds = globalIdsToCheck(toOscar, state.ledger);
  const find = await findCasesForBatch({ oscarNumbers: globalIds }, primero(), 'f1-j1');
  const holders = new Map<string, string[]>();
  await Promise.all(
    globalIds.map(async (globalId) => {
      holders.set(globalId, holderIds(await find({ oscar_number: globalId })));
    }),
  );
  const ambiguous = ambiguousGlobalIdFailures(toOscar, holders);
  const now = new Date().toISOString();
  for (const failure of ambiguous.failures) {
    const item = recordFailure(report, run.carried, failure, now);
    log.warn(`f1-j1: ${item.key} failed (attempt ${item.attempts}): ${item.reason}`);
  }
  const { referrals, decisions, links } = ambiguous.batch;
  log.info(
    `f1-j1: selected ${referrals.length} referrals, ${decisions.length} decisions, ` +
      `${links.length} links for OSCaR (${ambiguous.failures.length} ambiguous); ` +
      `next Primero cursor ${state.primeroNextCursor ?? '(unchanged)'}`,
  );
  return { ...state, toOscar: ambiguous.batch };
}
