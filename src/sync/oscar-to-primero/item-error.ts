/**
 * One child that cannot be synced as OSCaR and Primero stand (an ambiguous match, a decision that
 * matches no referral). The message names ids and the fix, never child data; the step records it
 * as the item's reason and goes on with the others.
 */
export class ItemError extends Error {
  override readonly name = 'ItemError';
}
