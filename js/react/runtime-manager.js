// What <SSEProvider> loads by default (provider.js): init and createManager only, so
// that a bundle's chunk for it holds neither the router nor the resilience objects.
export { init } from '../init.js';
export { createManager } from '../manager.js';
