import type { LifelineError } from './errors.js';

/** Names and codes read from the loaded core (internal to the shim). */
export interface CoreTables {
  readonly mgrState: readonly string[];
  readonly mgrReason: readonly string[];
  readonly breakerState: readonly string[];
  readonly breakerReason: readonly string[];
  readonly netQuality: readonly string[];
  readonly health: readonly string[];
  readonly breakerMode: readonly string[];
  /** By manager reason: a status with it reports a failure. */
  readonly mgrFailure: readonly boolean[];
  /** Error name (e.g. 'LIFELINE_ERR_STATE') -> code. */
  readonly codes: Readonly<Record<string, number>>;
}
export function coreTables(): CoreTables;
export function errorNamed(name: string, context?: string): LifelineError;
export function lifelineError(name: string, message: string): LifelineError;
export function coreConfigured(kind: 'backoff' | 'breaker', fields: readonly string[], given: Record<string, unknown>, what: string): { ptr: number; values: Record<string, number> };
export function jitterOf(name: string): number;
