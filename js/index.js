export { init, isReady } from './wasm.js';
export { LifelineError } from './errors.js';
export { createParser } from './parser.js';
