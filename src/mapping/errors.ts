/**
 * A value the mapping tables cannot translate. The message names the value (never personal data)
 * and the data file an administrator edits to fix it; a step records it as the item's reason.
 */
export class MappingError extends Error {
  override readonly name = 'MappingError';
}
