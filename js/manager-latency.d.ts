/** Internal: the manager's `measureLatency` option as a function of (data, nowMs), or null when off. */
export declare function latencyProbe(
  option: boolean | { field?: string; unit?: 'ms' | 's' } | undefined | null,
): ((data: string, nowMs: number) => number | null) | null;
