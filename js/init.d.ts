import type { InitOptions } from './wasm.js';

/**
 * Loads the SSE core; with `router: true` the router module too; with `share: 'origin'` what
 * createManager({ share: 'origin' }) and createRouter({ share: 'origin' }) need. Safe to call
 * many times (each part loads once). Rejects with a TypeError for a wrong `share`, a
 * LifelineError (LIFELINE_ERR_STATE) where there is no WebAssembly, or the load's error (a
 * network error fetching a .wasm: the next call tries again).
 */
export function init(options?: InitOptions): Promise<void>;
