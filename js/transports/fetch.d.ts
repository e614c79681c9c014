import type { SSETransport } from '../manager.js';
/** Retry-After (delta-seconds or HTTP date) in ms; -1 when absent or invalid. */
export declare function parseRetryAfter(value: string | null | undefined, nowMs?: number): number;
export declare function createFetchTransport(options?: { fetch?: typeof fetch }): SSETransport;
