import type { Transport } from '../manager.js';
export declare function createEventSourceTransport(options?: { EventSource?: unknown }): Transport;
