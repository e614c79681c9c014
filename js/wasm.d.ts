/**
 * Loads the Wasm core once; every call returns the same promise. The engine's Wasm SIMD support
 * picks the build: dist/lifeline-core.wasm, or dist/lifeline-core-nosimd.wasm where SIMD is
 * missing (before Chrome 91, Firefox 89, Safari 16.4); both give the same results. Rejects with
 * LifelineError LIFELINE_ERR_STATE when the engine has no WebAssembly at all.
 * - `wasmBinary`: the bytes of the build that applies (Node reads it from dist/ by itself).
 * - `locateFile`: maps 'lifeline-core.wasm' or 'lifeline-core-nosimd.wasm' to its URL.
 */
export function init(options?: { wasmBinary?: ArrayBuffer | Uint8Array; locateFile?: (name: string) => string }): Promise<void>;
/** True once init() has completed. */
export function isReady(): boolean;
