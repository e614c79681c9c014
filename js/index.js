export { init, isReady } from './wasm.js';
export { LifelineError } from './errors.js';
export { createRouter, Router, fetchTransport } from './router.js';
