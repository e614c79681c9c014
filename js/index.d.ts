export * from './backoff.js';
export * from './breaker.js';
export * from './metrics.js';
