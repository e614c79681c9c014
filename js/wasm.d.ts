/** Loads the Wasm core once; every call returns the same promise. */
export function init(options?: { wasmBinary?: ArrayBuffer | Uint8Array; locateFile?: (name: string) => string }): Promise<void>;
/** True once init() has completed. */
export function isReady(): boolean;
