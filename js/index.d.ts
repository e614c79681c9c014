export * from './wasm.js';
export * from './errors.js';
export * from './parser.js';
export * from './manager.js';
export * from './transports/fetch.js';
export * from './transports/eventsource.js';
export * from './manager-env.js';
