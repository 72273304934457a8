// Level of risk: OSCaR `level_of_risk` <-> Primero `risk_level`.
import { MappingError } from './errors.ts';

export type OscarRiskLevel = 'high' | 'medium' | 'low' | 'no action';
export type PrimeroRiskLevel = 'high' | 'medium' | 'low' | 'no_action';

const RISK_LEVELS: ReadonlyArray<{ oscar: OscarRiskLevel; primero: PrimeroRiskLevel }> = [
  { oscar: 'high', primero: 'high' },
  { oscar: 'medium', primero: 'medium' },
  { oscar: 'low', primero: 'low' },
  { oscar: 'no action', primero: 'no_action' },
];

/** OSCaR requires a level of risk on every referral; a missing one is an item error, because a
 * child's risk must never be invented. */
export function riskLevelToOscar(risk: string | null | undefined): OscarRiskLevel {
  const value = (risk ?? '').trim();
  if (value === '') throw new MappingError('risk level is not set in Primero');
  const level = RISK_LEVELS.find((r) => r.primero === value);
  if (level === undefined) {
    throw new MappingError(
      `Primero risk level ${JSON.stringify(value)} is not one of ${RISK_LEVELS.map((r) => r.primero).join(', ')}`,
    );
  }
  return level.oscar;
}

/** OSCaR sends '' when the client has no referral with a level of risk: that stays unset. */
export function riskLevelToPrimero(level: string | null | undefined): PrimeroRiskLevel | undefined {
  const value = (level ?? '').trim();
  if (value === '') return undefined;
  const match = RISK_LEVELS.find((r) => r.oscar === value);
  if (match === undefined) {
    throw new MappingError(
      `OSCaR level of risk ${JSON.stringify(value)} is not one of ${RISK_LEVELS.map((r) => r.oscar).join(', ')}`,
    );
  }
  return match.primero;
}
