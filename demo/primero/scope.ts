// Which cases a user may see. Primero scopes every search, show and referral list by the role's
// group permission (app/models/user.rb `user_query_scope` ~l.500: all / agency / group / user),
// matched against the case's associated users — its owner and assigned users
// (app/models/concerns/ownable.rb `update_associated` ~l.109: associated_user_names, _groups,
// _agencies). A case handed to a user outside the API user's reach vanishes from its view.
import type { CaseRecord, PrimeroState, PrimeroUser } from './state.ts';

/** owned_by plus assigned_user_names, as Primero stores associated_user_names. */
function associatedUserNames(record: CaseRecord): string[] {
  const assigned = Array.isArray(record.assigned_user_names)
    ? record.assigned_user_names.filter((name): name is string => typeof name === 'string')
    : [];
  const owner = typeof record.owned_by === 'string' && record.owned_by ? [record.owned_by] : [];
  return [...new Set([...owner, ...assigned])];
}

export function canSee(state: PrimeroState, user: PrimeroUser, record: CaseRecord): boolean {
  if (user.group_permission === 'all') return true;
  const names = associatedUserNames(record);
  if (user.group_permission === 'self') return names.includes(user.user_name);
  const associated = names.flatMap((name) => {
    const found = state.users.get(name);
    return found ? [found] : [];
  });
  if (user.group_permission === 'agency')
    return user.agency !== undefined && associated.some((other) => other.agency === user.agency);
  // A group user with no group falls back to its own cases (`user_group_ids.present?`).
  if (user.groups.length === 0) return names.includes(user.user_name);
  return associated.some((other) => other.groups.some((group) => user.groups.includes(group)));
}
