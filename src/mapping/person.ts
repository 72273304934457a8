// A child's identity fields as they cross from OSCaR into a new Primero case.

/** OSCaR `male`/`female` keep their value; any other gender (lgbt, unknown, prefer_not_to_say,
 * other) is Primero `other`; a missing gender stays missing rather than becoming `other`. */
export function sexForPrimero(
  gender: string | null | undefined,
): 'male' | 'female' | 'other' | undefined {
  const value = (gender ?? '').trim().toLowerCase();
  if (value === '') return undefined;
  if (value === 'male' || value === 'female') return value;
  return 'other';
}

/** Primero's single name field from OSCaR's pair: `local (english)` when both exist, else
 * whichever exists, else undefined. */
export function displayName(
  english: string | null | undefined,
  local: string | null | undefined,
): string | undefined {
  const inEnglish = (english ?? '').trim();
  const inLocal = (local ?? '').trim();
  if (inEnglish !== '' && inLocal !== '') return `${inLocal} (${inEnglish})`;
  return inLocal || inEnglish || undefined;
}
