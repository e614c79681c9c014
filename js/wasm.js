/**
 * Loads the C core (WebAssembly) once and hands out the instance. Every other module of the shim
 * calls getCore() after the app has awaited init().
 */
import createLifelineCore from '../dist/lifeline-core.mjs';
import { LifelineError } from './errors.js';

// LIFELINE_ERR_STATE: the one code needed before the core (and its table) is there; a test
// checks it against the core's table.
export const NOT_READY_CODE = -8;

let loading = null;
let core = null;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

/**
 * Loads the Wasm core. Safe to call many times: every call returns the same promise.
 * @param {{ wasmBinary?: ArrayBuffer|Uint8Array, locateFile?: (name: string) => string }} [options]
 */
export function init(options = {}) {
  if (!loading) {
    loading = instantiate(options).then(
      (m) => {
        core = m;
        return m;
      },
      (err) => {
        loading = null; // let the app try again, e.g. after a network failure fetching the .wasm
        throw err;
      },
    );
  }
  return loading.then(() => undefined);
}

async function instantiate(options) {
  const moduleArg = {};
  if (options.locateFile) moduleArg.locateFile = options.locateFile;
  if (options.wasmBinary) {
    moduleArg.wasmBinary = options.wasmBinary;
  } else if (isNode) {
    // The Emscripten glue is built for the web; in Node we read the .wasm ourselves. The module
    // name is hidden from bundlers, which must not try to resolve node:fs for the browser.
    const fsName = 'node:fs/promises';
    const fs = await import(/* @vite-ignore */ fsName);
    moduleArg.wasmBinary = await fs.readFile(new URL('../dist/lifeline-core.wasm', import.meta.url));
  }
  return createLifelineCore(moduleArg);
}

/** The loaded core; throws a clear error when init() has not completed. */
export function getCore() {
  if (!core) throw new LifelineError('LIFELINE_ERR_STATE', 'Lifeline is not initialised: call `await init()` first', NOT_READY_CODE);
  return core;
}

/** True once init() has completed. */
export function isReady() {
  return core !== null;
}

/** Builds a LifelineError for a negative code returned by the core. */
export function coreError(code, context) {
  const m = getCore();
  const msg = m.UTF8ToString(m._lifeline_wasm_strerror(code));
  const name = m.UTF8ToString(m._lifeline_wasm_errname(code));
  return new LifelineError(name, context ? `${context}: ${msg}` : msg, code);
}
