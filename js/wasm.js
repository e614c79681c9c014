/**
 * Loads the Wasm modules once each and hands out their instances (CMakeLists.txt builds them):
 *  - the SSE core (parser, manager): init() loads it; getCore() returns it. A standalone module
 *    without Emscripten glue: instantiated here, with the few runtime helpers the shim uses.
 *  - the router module (router, and the stand-alone backoff, breaker, histogram and metrics):
 *    init({ router: true }) loads it too; getRouterCore() returns it. Emscripten glue (its fetch
 *    API needs it), fetched only then, so pages without a router never download it.
 * The SSE core ships in two builds: dist/lifeline-core.wasm with Wasm SIMD, and
 * dist/lifeline-core-nosimd.wasm for engines without it (before Chrome 91, Firefox 89, Safari
 * 16.4), fetched only there. Both give the same results; the fallback's parser is slower. The
 * router module uses no SIMD: its one build runs on both.
 * The package's init() is js/init.js: this one and, for `share: 'origin'`, the sharing chunk.
 */
import { LifelineError } from './errors.js';

// LIFELINE_ERR_STATE: the one code needed before the core (and its table) is there; a test
// checks it against the core's table.
export const NOT_READY_CODE = -8;

/** The smallest module that uses Wasm SIMD: () -> v128 returning v128.const 0. An engine without
 * SIMD does not validate it. */
export const SIMD_PROBE = /* @__PURE__ */ new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: one, () -> v128
  0x03, 0x02, 0x01, 0x00, // functions: one, of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code: one body of 20 bytes, no locals, v128.const
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b, // its 16 bytes, end
]);

// Each file is named by a literal `new URL(..., import.meta.url)`: bundlers emit it as an asset
// and rewrite the URL, Node reads it from dist/.
const CORE_FILES = {
  'lifeline-core.wasm': () => new URL('../dist/lifeline-core.wasm', import.meta.url),
  'lifeline-core-nosimd.wasm': () => new URL('../dist/lifeline-core-nosimd.wasm', import.meta.url),
};

let loading = null;
let routerLoading = null;
let core = null;
let router = null;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

/**
 * Loads the SSE core, and with `router: true` the router module too. Safe to call many times:
 * each module loads once.
 * @param {import('./wasm.d.ts').InitOptions} [options]
 */
export function init(options = {}) {
  loading ??= retryable(() => loadCore(options), (m) => { core = m; }, () => { loading = null; });
  if (!options.router) return loading.then(() => undefined);
  // The router's loader is a chunk of its own in a bundle: SSE-only pages never fetch it.
  routerLoading ??= retryable(async () => {
    await loading;
    return (await import('./wasm-router.js')).loadRouter(options, readNode, stateError);
  }, (m) => { router = m; }, () => { routerLoading = null; });
  return Promise.all([loading, routerLoading]).then(() => undefined);
}

// A load that the app may try again after a failure (a network error fetching the .wasm).
function retryable(load, done, forget) {
  return load().then(
    (m) => { done(m); return m; },
    (err) => { forget(); throw err; },
  );
}

/** True when the engine runs Wasm SIMD (asked once per init, with a 43-byte module). */
export function hasWasmSimd() {
  return WebAssembly.validate(SIMD_PROBE);
}

/** The bytes of a file: URL, in Node. */
async function readNode(url) {
  // The module name is hidden from bundlers, which must not try to resolve node:fs for the browser.
  const fsName = 'node:fs/promises';
  const fs = await import(/* @vite-ignore */ fsName);
  return fs.readFile(url);
}

async function loadCore(options) {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
    throw stateError('Lifeline cannot start: this engine has no WebAssembly');
  }
  const name = hasWasmSimd() ? 'lifeline-core.wasm' : 'lifeline-core-nosimd.wasm';
  const box = { core: null }; // the runtime object, once built (memory cannot grow before)
  const imports = { env: { emscripten_notify_memory_growth: () => refresh(box.core) } };
  let result;
  if (options.wasmBinary) {
    result = await WebAssembly.instantiate(options.wasmBinary, imports);
  } else if (isNode && !options.locateFile) {
    result = await WebAssembly.instantiate(await readNode(CORE_FILES[name]()), imports);
  } else {
    const url = options.locateFile ? options.locateFile(name) : CORE_FILES[name]();
    const res = await fetch(url);
    if (!res.ok) throw stateError(`Lifeline cannot start: ${url} answered HTTP ${res.status}`);
    // Compiled while it downloads when the server says application/wasm, else from the bytes.
    result = res.headers.get('content-type')?.startsWith('application/wasm')
      ? await WebAssembly.instantiateStreaming(res, imports)
      : await WebAssembly.instantiate(await res.arrayBuffer(), imports);
  }
  return runtime(result.instance.exports, box);
}

// The SSE core as the shim sees it: its exports with a leading underscore (Emscripten's names),
// the HEAP* views (replaced when memory grows: the core says so through its one import), and
// the string helpers the glue would have provided. Every property is there from the start, in one
// Object.fromEntries: added one by one under computed names, the 67 of them put V8 in dictionary
// mode, and each read on the per-event path (m.HEAPU32 per action) was a hash lookup.
function runtime(exports, box) {
  const fns = Object.entries(exports).filter(([, v]) => typeof v === 'function').map(([k, v]) => [`_${k}`, v]);
  const m = Object.fromEntries([
    ['memory', exports.memory], ['HEAPU8', null], ['HEAP32', null], ['HEAPU32', null], ['HEAPF64', null],
    ['UTF8ToString', (ptr) => {
      if (!ptr) return '';
      const heap = m.HEAPU8;
      let end = ptr;
      while (heap[end]) end++;
      return utf8.decode(heap.subarray(ptr, end));
    }],
    ['lengthBytesUTF8', (s) => encoder.encode(s).length],
    ['stringToUTF8', (s, ptr, max) => {
      const { written } = encoder.encodeInto(s, m.HEAPU8.subarray(ptr, ptr + max - 1));
      m.HEAPU8[ptr + written] = 0;
      return written;
    }],
    ...fns,
  ]);
  box.core = m;
  refresh(m);
  exports._initialize(); // the module's constructors (a reactor: no main)
  return m;
}

const utf8 = /* @__PURE__ */ new TextDecoder();
const encoder = /* @__PURE__ */ new TextEncoder();

function refresh(m) {
  const b = m.memory.buffer;
  m.HEAPU8 = new Uint8Array(b);
  m.HEAP32 = new Int32Array(b);
  m.HEAPU32 = new Uint32Array(b);
  m.HEAPF64 = new Float64Array(b);
}

function stateError(message) {
  return new LifelineError('LIFELINE_ERR_STATE', message, NOT_READY_CODE);
}

/** The loaded SSE core; throws a clear error when init() has not completed. */
export function getCore() {
  if (!core) throw stateError('Lifeline is not initialised: call `await init()` first');
  return core;
}

/** The loaded router module; throws a clear error naming `what` when it was not loaded. */
export function getRouterCore(what = 'createRouter') {
  if (!router) throw stateError(`${what} needs the router module: call \`await init({ router: true })\` first`);
  return router;
}

/** True once init() has loaded the SSE core (and, with `{ router: true }`, the router module). */
export function isReady(options = {}) {
  return core !== null && (!options.router || router !== null);
}

/** Builds a LifelineError for a negative code returned by the core (both modules share the codes). */
export function coreError(code, context) {
  const m = getCore();
  const msg = m.UTF8ToString(m._lifeline_wasm_strerror(code));
  const name = m.UTF8ToString(m._lifeline_wasm_errname(code));
  return new LifelineError(name, context ? `${context}: ${msg}` : msg, code);
}
