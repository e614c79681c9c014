export * from './wasm.js';
export * from './errors.js';
export * from './parser.js';
export * from './backoff.js';
export * from './breaker.js';
export * from './metrics.js';
export * from './router.js';
