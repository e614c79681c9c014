export * from './wasm.js';
// Explicit, so that it wins over wasm.js's own init (the loader underneath, without `share`).
export { init } from './init.js';
export * from './errors.js';
export * from './parser.js';
export * from './manager.js';
export * from './transports/fetch.js';
export * from './transports/eventsource.js';
export * from './manager-env.js';
export * from './backoff.js';
export * from './breaker.js';
export * from './metrics.js';
export * from './router.js';
export * from './event-source.js';
export * from './health-hints.js';
