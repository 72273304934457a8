// What f1-j1 selected travels to f1-j2 through the run's store, never in a step output (on
// OpenFn.org every output is stored as a dataclip; src/workflow/hand-off.ts): the output keeps the
// hand-offs' names and sizes, an empty batch, and neither the window read nor the sent ledger.
import { emptyToOscarBatch } from '../../model/to-oscar.ts';
import { putHandOff, runIdOf } from '../../workflow/hand-off.ts';
import type { AfterGetPrimeroCases } from '../../workflow/state.ts';
import { stepStore } from '../../workflow/state-store.ts';
import type { WindowSelected } from './select-window.ts';

/** The cases f1-j2 settles once their referrals land (settled-cases.ts). */
export const SETTLING_HAND_OFF = 'f1.settling';

export async function handOffToOscar(state: WindowSelected): Promise<AfterGetPrimeroCases> {
  const { window: _window, ledger: _ledger, settling, ...rest } = state;
  const store = stepStore(state);
  const runId = runIdOf(state);
  const { referrals, decisions, links } = state.toOscar;
  const toOscarHandOff = {
    referrals: await putHandOff(store, runId, 'toOscar.referrals', referrals),
    decisions: await putHandOff(store, runId, 'toOscar.decisions', decisions),
    links: await putHandOff(store, runId, 'toOscar.links', links),
  };
  const settlingHandOff = await putHandOff(store, runId, SETTLING_HAND_OFF, settling);
  return { ...rest, toOscar: emptyToOscarBatch(), toOscarHandOff, settlingHandOff };
}
