export { init, isReady } from './wasm.js';
export { LifelineError } from './errors.js';
export { createParser } from './parser.js';
export { createBackoff } from './backoff.js';
export { createBreaker } from './breaker.js';
export { createHistogram, createMetrics } from './metrics.js';
export { createRouter, Router, fetchTransport } from './router.js';
