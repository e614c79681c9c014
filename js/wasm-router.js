/**
 * Loads the router module (dist/lifeline-router.mjs + .wasm: the router with the Emscripten
 * fetch API, and the stand-alone backoff, breaker, histogram and metrics objects). Only
 * init({ router: true }) imports this file (js/wasm.js), so an SSE-only page never fetches it. It
 * imports nothing of the shim (js/wasm.js hands it what it needs): a bundler then keeps the shim
 * in the page's chunk instead of splitting the shared modules into one more file.
 */

// What the shim reads from the glue. Emscripten exports only what CMakeLists.txt lists (4.0.7
// stopped exporting the HEAP* views by default), so a glue built otherwise is refused at init()
// rather than failing later inside a router.
export const RUNTIME_NAMES = ['HEAPU8', 'HEAPU32', 'HEAP32', 'HEAPF64', 'UTF8ToString', 'stringToUTF8', 'lengthBytesUTF8', '_malloc', '_free'];

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

/**
 * The router module's instance; `readNode(url)` reads a file in Node (the glue cannot there),
 * `stateError(message)` makes the LifelineError for a glue that lacks a runtime name.
 */
export async function loadRouter(options, readNode, stateError) {
  const moduleArg = {};
  if (options.locateFile) moduleArg.locateFile = options.locateFile;
  if (options.routerWasmBinary) moduleArg.wasmBinary = options.routerWasmBinary;
  else if (isNode && !options.locateFile) moduleArg.wasmBinary = await readNode(new URL('../dist/lifeline-router.wasm', import.meta.url));
  const { default: createLifelineRouter } = await import('../dist/lifeline-router.mjs');
  const m = await createLifelineRouter(moduleArg);
  const missing = RUNTIME_NAMES.filter((name) => m[name] === undefined);
  if (missing.length) {
    throw stateError(`Lifeline cannot start the router: its Wasm glue does not export ${missing.join(', ')} (build it with scripts/build.sh)`);
  }
  return m;
}
