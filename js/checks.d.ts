/** Argument checks of the shim (internal). */
export function checkNumber(name: string, v: unknown, min: number, max: number, integer?: boolean): number;
export function checkClock(clock: unknown): () => number;
export function checkOptions(options: unknown, known: readonly string[], what: string): void;
export function checkNumbers(options: Record<string, unknown>, names: readonly string[], prefix?: string): void;
export function hostSeed(): number;
