/**
 * Loads the C core (WebAssembly) once and hands out the instance. Every other module of the shim
 * calls getCore() after the app has awaited init().
 *
 * Two builds of the same C sources ship (CMakeLists.txt): dist/lifeline-core.* with Wasm SIMD,
 * and dist/lifeline-core-nosimd.* for engines without it (before Chrome 91, Firefox 89, Safari
 * 16.4), fetched only there. Both give the same results; the fallback's parser is slower.
 */
import createLifelineCore from '../dist/lifeline-core.mjs';
import { LifelineError } from './errors.js';

// LIFELINE_ERR_STATE: the one code needed before the core (and its table) is there; a test
// checks it against the core's table.
export const NOT_READY_CODE = -8;

/** The smallest module that uses Wasm SIMD: () -> v128 returning v128.const 0. An engine without
 * SIMD does not validate it. */
export const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: one, () -> v128
  0x03, 0x02, 0x01, 0x00, // functions: one, of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code: one body of 20 bytes, no locals, v128.const
  ...new Array(16).fill(0), 0x0b, // its 16 bytes, end
]);

// What the shim reads from the glue. Emscripten exports only what CMakeLists.txt lists (4.0.7
// stopped exporting the HEAP* views by default), so a glue built otherwise is refused at init()
// rather than failing later inside a parser or a router.
const RUNTIME_NAMES = ['HEAPU8', 'HEAPU32', 'HEAP32', 'HEAPF64', 'UTF8ToString', 'stringToUTF8', 'lengthBytesUTF8', '_malloc', '_free'];

const BUILDS = {
  simd: { wasm: 'lifeline-core.wasm', glue: async () => createLifelineCore },
  // Bundlers see this import and this file name, and emit the fallback as its own chunk and asset.
  nosimd: { wasm: 'lifeline-core-nosimd.wasm', glue: async () => (await import('../dist/lifeline-core-nosimd.mjs')).default },
};

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

/** True when the engine runs Wasm SIMD (asked once per init, with a 43-byte module). */
export function hasWasmSimd() {
  return WebAssembly.validate(SIMD_PROBE);
}

async function instantiate(options) {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
    throw stateError('Lifeline cannot start: this engine has no WebAssembly');
  }
  const build = hasWasmSimd() ? BUILDS.simd : BUILDS.nosimd;
  const moduleArg = {};
  if (options.locateFile) moduleArg.locateFile = options.locateFile;
  if (options.wasmBinary) {
    moduleArg.wasmBinary = options.wasmBinary;
  } else if (isNode) {
    // The Emscripten glue is built for the web; in Node we read the .wasm ourselves. The module
    // name is hidden from bundlers, which must not try to resolve node:fs for the browser.
    const fsName = 'node:fs/promises';
    const fs = await import(/* @vite-ignore */ fsName);
    moduleArg.wasmBinary = await fs.readFile(new URL(`../dist/${build.wasm}`, import.meta.url));
  }
  const m = await (await build.glue())(moduleArg);
  const missing = RUNTIME_NAMES.filter((name) => m[name] === undefined);
  if (missing.length) {
    throw stateError(`Lifeline cannot start: the Wasm glue does not export ${missing.join(', ')} (build it with scripts/build.sh)`);
  }
  return m;
}

function stateError(message) {
  return new LifelineError('LIFELINE_ERR_STATE', message, NOT_READY_CODE);
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
