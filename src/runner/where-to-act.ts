// Which system holds an item and where in it: "OSCaR (organisation ngo-a, client abc12)" for
// items read from OSCaR, "Primero (case 7f3a…)" for items read from Primero. Shown next to every
// failed item and dead letter, so the administrator knows where to correct the value.
import type { FailedItem } from '../workflow/contract.ts';

export function whereToAct(item: Pick<FailedItem, 'step' | 'ids'>): string {
  const { ids } = item;
  if (item.step.startsWith('f2-')) {
    const parts = [
      ids.organization ? `organisation ${ids.organization}` : '',
      ids.slug ? `client ${ids.slug}` : ids.client_id ? `client ${ids.client_id}` : '',
      !ids.organization && !ids.slug && ids.global_id ? `global id ${ids.global_id}` : '',
      !ids.organization && !ids.slug && !ids.global_id && ids.position
        ? `position ${ids.position} of the listing`
        : '',
    ].filter(Boolean);
    return `OSCaR (${parts.join(', ') || 'client without ids'})`;
  }
  const caseId = ids.case_id ?? ids.primero_id;
  return caseId ? `Primero (case ${caseId})` : 'Primero';
}
