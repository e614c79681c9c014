import type { SSEManager } from './manager.js';
import type { Router } from './router.js';

export declare const HEALTH_EVENT: 'service-health';

/** Hands every service-health event of the channel to router.hint(); returns the unsubscribe function. */
export declare function followHealthHints(manager: SSEManager, router: Router, channel: string, options?: {
  event?: string;
  maxTtlMs?: number;
  onHint?: (h: { service: string; state: string; ttlMs: number; data: unknown; applied: boolean }) => void;
}): () => void;
