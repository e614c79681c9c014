import type { SSETransport } from '../manager.js';
export declare function createEventSourceTransport(options?: { EventSource?: unknown }): SSETransport;
