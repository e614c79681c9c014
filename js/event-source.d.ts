import type { ConnectOptions, ManagerEnvironment, SSEManager, StatusReason } from './manager.js';

/**
 * The init dictionary: the standard's `withCredentials`, the eventsource package's `fetch`, the
 * request options and Lifeline's resilience options under the manager's names (ConnectOptions),
 * plus `manager` / `environment` to choose the manager that pools the connection.
 */
export interface EventSourceInit
  extends Pick<ConnectOptions, 'headers' | 'method' | 'body' | 'credentials' | 'backoff' | 'breaker' | 'endpoints'
    | 'heartbeatTimeoutMs' | 'connectTimeoutMs' | 'plainRetryMs' | 'maxEventBytes' | 'dedupWindow'
    | 'initialLastEventId' | 'persistLastEventId' | 'onAuthRequired'> {
  /** Credentials mode 'include' (default false: 'same-origin'); `credentials` wins when given. */
  withCredentials?: boolean;
  /** A fetch implementation (default globalThis.fetch), as in the eventsource package v4. */
  fetch?: typeof fetch;
  /** Default here: { reconnect, breaker, watchdog, dedup: true, retryHttpErrors: false }. */
  features?: ConnectOptions['features'];
  /** The manager whose pooled connections to use (e.g. the app's SSEProvider one); default: one
   * shared manager per environment (per `fetch` and `environment`), created on first use. */
  manager?: SSEManager;
  /** Online/offline and page-resume signals (default: the browser's; a manager option). */
  environment?: ManagerEnvironment;
  /**
   * 'tab' (default): the stream is held in this tab. 'origin': once for all the origin's tabs,
   * in a SharedWorker or a leader tab (docs/sharing.md), through one SharedManager per page and
   * `shareVia`; the class calls `init({ share: 'origin' })` itself. With 'origin', `manager`,
   * `fetch`, `environment` or any function option (a headers function, onAuthRequired) throws a
   * TypeError from the constructor; an engine with neither SharedWorker nor Web Locks fails the
   * source (CLOSED, then `error`). close() of the last source leaves the stream to the hub's
   * linger (5 s), not an immediate abort.
   */
  share?: 'tab' | 'origin';
  /** With share 'origin': 'auto' (default, the SharedWorker, else Web Locks), 'worker' or 'locks'. */
  shareVia?: 'auto' | 'worker' | 'locks';
}

/** The `error` event: an Event with Lifeline's reason (message and code as in eventsource v4). */
export interface EventSourceErrorEvent extends Event {
  readonly type: 'error';
  /** Plain words, e.g. 'server error', 'network error'. */
  readonly message: string | undefined;
  /** The HTTP status that caused it; undefined when none. */
  readonly code: number | undefined;
  readonly reason: StatusReason | undefined;
}

export interface EventSourceEventMap {
  open: Event;
  message: MessageEvent<string>;
  error: EventSourceErrorEvent;
}

/** The WHATWG EventSource, on Lifeline's manager (docs/eventsource.md). */
export declare class EventSource extends EventTarget {
  constructor(url: string | URL, eventSourceInit?: EventSourceInit);
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSED: 2;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSED: 2;
  readonly url: string;
  readonly withCredentials: boolean;
  /** CONNECTING also while Lifeline waits to reconnect (backoff, offline, circuit open). */
  readonly readyState: 0 | 1 | 2;
  onopen: ((this: EventSource, ev: Event) => any) | null;
  onmessage: ((this: EventSource, ev: MessageEvent<string>) => any) | null;
  onerror: ((this: EventSource, ev: EventSourceErrorEvent) => any) | null;
  addEventListener<K extends keyof EventSourceEventMap>(type: K,
    listener: (this: EventSource, ev: EventSourceEventMap[K]) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: (this: EventSource, ev: MessageEvent<string>) => any,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof EventSourceEventMap>(type: K,
    listener: (this: EventSource, ev: EventSourceEventMap[K]) => any, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: (this: EventSource, ev: MessageEvent<string>) => any,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  /** Stops at once: no further event is dispatched, not even from the chunk being read. */
  close(): void;
}
