// Preload (node --import) that makes this process an engine without Wasm SIMD as far as init()
// can tell: WebAssembly.validate, which init() asks about a tiny SIMD module, says no. It then
// loads the core and checks that the build without SIMD is the one running, so every test file
// run after it (tests/js/wasm-load.test.js runs the parser's) uses the fallback.
import { init, getCore } from '../../js/wasm.js';

const asked = [];
WebAssembly.validate = (bytes) => {
  asked.push(bytes.byteLength);
  return false;
};
await init();
if (!asked.length) throw new Error('init() did not ask WebAssembly.validate about SIMD');
if (getCore()._lifeline_wasm_simd() !== 0) throw new Error('init() loaded the SIMD build on an engine without SIMD');
process.stderr.write('# engine without SIMD: lifeline-core-nosimd loaded\n');
