export * from './backoff.js';
export * from './breaker.js';
export * from './metrics.js';
export * from './router.js';
