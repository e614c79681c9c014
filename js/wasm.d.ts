/** What init() loads and from where. */
export interface InitOptions {
  /** Also load the router module (createRouter, createBackoff, createBreaker, createHistogram,
   * createMetrics need it): a second Wasm module with its Emscripten glue, fetched only then. */
  router?: boolean;
  /** The bytes of the SSE core build that applies (Node reads it from dist/ by itself). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** The bytes of dist/lifeline-router.wasm (with `router: true`; Node reads it by itself). */
  routerWasmBinary?: ArrayBuffer | Uint8Array;
  /** Maps 'lifeline-core.wasm', 'lifeline-core-nosimd.wasm' or 'lifeline-router.wasm' to its URL. */
  locateFile?: (name: string) => string;
  /** 'origin': also load what createManager({ share: 'origin' }) and createRouter({ share: 'origin' }) need (a chunk of its own). */
  share?: 'tab' | 'origin';
}
/**
 * Loads the SSE core (parser, manager, EventSource) once, and with `{ router: true }` the router
 * module too; every call returns a promise of the same loads. The engine's Wasm SIMD support
 * picks the core's build: dist/lifeline-core.wasm, or dist/lifeline-core-nosimd.wasm where SIMD
 * is missing (before Chrome 91, Firefox 89, Safari 16.4); both give the same results. Rejects
 * with LifelineError LIFELINE_ERR_STATE when the engine has no WebAssembly at all.
 */
export function init(options?: InitOptions): Promise<void>;
/** True once init() has loaded the SSE core (and, with `{ router: true }`, the router module). */
export function isReady(options?: { router?: boolean }): boolean;
