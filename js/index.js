export { init, isReady } from './wasm.js';
export { LifelineError } from './errors.js';
export { createParser } from './parser.js';
export { createManager, SSEManager } from './manager.js';
export { createFetchTransport, parseRetryAfter } from './transports/fetch.js';
export { createEventSourceTransport } from './transports/eventsource.js';
export { browserEnvironment } from './manager-env.js';
