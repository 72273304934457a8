// Rules for items about a child OSCaR already knows (the case has an oscar_number). OSCaR's API
// acts on the first organisation holding the child's global id, whichever NGO the request names,
// and resets the client's attributes to what is sent or nil (docs/oscar-api-defects.md). These
// rules decide, from the holders f1-j2 read, whether an item can be sent at all and what it must
// carry so that OSCaR keeps what it holds.
import { MappingError } from '../../mapping/index.ts';
import type { OscarStatusUpdate, OscarUpsertPayload } from '../../model/oscar.ts';
import type { DecisionForOscar } from '../../model/to-oscar.ts';
import type { HeldCopy, HeldValues } from './oscar-holders.ts';
import { holdingOrgs } from './oscar-holders.ts';

/** What OSCaR's API cannot keep on a client it updates: named in the run's log, by ids. */
export const LOST_ON_UPDATE = ['local names', 'reason for referral'] as const;

export interface KnownChildReferral {
  payload: OscarUpsertPayload;
  /** The NGO whose client OSCaR updates (the only holder, or holders that all agree). */
  updated: string;
}

const sameValues = (a: HeldValues, b: HeldValues) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * A referral of a child OSCaR knows: sent only when the receiving NGO holds the child, carrying
 * OSCaR's own values for every attribute the update resets. Throws MappingError (the item's
 * reason) when OSCaR would create nothing, or would overwrite a copy it cannot be told about.
 */
export function referralOfKnownChild(
  payload: OscarUpsertPayload,
  globalId: string,
  copies: readonly HeldCopy[] | undefined,
): KnownChildReferral {
  const receiving = payload.organization_name;
  const orgs = holdingOrgs(copies ?? []);
  if (orgs.length === 0) {
    throw new MappingError(
      `OSCaR cannot refer ${globalId} to ${receiving}: no NGO lists the child in OSCaR ` +
        '(deleted, or missing a name, gender or birth date there); refer by hand in OSCaR',
    );
  }
  if (!orgs.includes(receiving)) {
    throw new MappingError(
      `OSCaR cannot refer ${globalId} to ${receiving}: only ${orgs.join(', ')} ` +
        `${orgs.length === 1 ? 'holds' : 'hold'} the child; refer by hand in OSCaR`,
    );
  }
  const held = copies!.map((copy) => copy.values);
  if (!held.every((values) => sameValues(values, held[0]!))) {
    // OSCaR overwrites the first holder's copy, and which one is first is not visible.
    throw new MappingError(
      `OSCaR cannot refer ${globalId} to ${receiving} safely: ${orgs.join(', ')} hold different ` +
        'details of the child and OSCaR would overwrite one of them; refer by hand in OSCaR',
    );
  }
  return {
    payload: { ...payload, ...held[0]!, global_id: globalId },
    updated: orgs.length === 1 ? orgs[0]! : orgs.join(', '),
  };
}

/**
 * A decision OSCaR can apply to the referral meant only when one NGO holds the child: it looks
 * the referral id up in the tenant of the first holder. Throws MappingError naming the NGOs.
 */
export function decisionOfKnownChild(
  decision: DecisionForOscar,
  update: OscarStatusUpdate,
  copies: readonly HeldCopy[] | undefined,
): OscarStatusUpdate {
  const orgs = holdingOrgs(copies ?? []);
  const { global_id: globalId, oscar_referral_id: referralId } = decision.ids;
  if (orgs.length === 0) {
    throw new MappingError(
      `OSCaR cannot find referral ${referralId} of ${globalId}: no NGO lists the child in OSCaR; ` +
        'set the status by hand in OSCaR',
    );
  }
  if (orgs.length > 1) {
    throw new MappingError(
      `OSCaR cannot be told which referral ${referralId} of ${globalId} is meant: ` +
        `${orgs.join(', ')} all hold the child and OSCaR looks the id up in one of them only; ` +
        'set the status by hand in OSCaR',
    );
  }
  return update;
}
