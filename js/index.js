export { init, isReady } from './wasm.js';
export { LifelineError } from './errors.js';
