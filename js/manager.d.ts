/** Connection states, as reported by the C core. */
export type ConnectionState =
  | 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'circuit-open' | 'failed' | 'closed';

/** Why the state changed (the error class for failures). */
export type StatusReason =
  | 'none' | 'network' | 'timeout' | 'stall' | 'http-5xx' | 'rate-limited' | 'retry-after' | 'auth'
  | 'no-content' | 'not-found' | 'http-status' | 'content-type' | 'overflow' | 'aborted'
  | 'server-closed' | 'exhausted' | 'offline' | 'circuit-open' | 'linger' | 'drain';

export interface LastError {
  reason: StatusReason;
  /** The HTTP status that caused it, 0 when none (network errors, stalls...). */
  httpStatus: number;
  message: string;
  /** When it happened (the manager's clock, epoch ms). */
  at: number;
}

export interface ConnectionStatus {
  state: ConnectionState;
  /** Reconnect attempt number (0 for the first connect and once open). */
  attempt: number;
  /** While reconnecting / circuit-open: ms until the next try, as of `since`. */
  reconnectInMs: number;
  /** While reconnecting / circuit-open: when the next try happens (epoch ms), else null. */
  nextRetryAt: number | null;
  /** The Last-Event-ID a reconnect would send (live in getConnectionStatus, as of the last
   * state change in statusStore snapshots). */
  lastEventId: string;
  /** The most recent failure, kept after recovery; null if none yet. */
  lastError: LastError | null;
  /** When the state was entered (epoch ms), null while idle. */
  since: number | null;
  reason: StatusReason;
  httpStatus: number;
  /** Index into [url, ...endpoints] of the endpoint in use, and its URL. */
  endpoint: number;
  url: string | null;
  /** While open: the URL the stream's response came from, after redirects (fetch transport;
   * the endpoint URL where the transport cannot tell); null otherwise. */
  responseUrl: string | null;
  /** The last `reset` the server sent on this stream (it could not resume from our
   * Last-Event-ID: history trimmed or log lost; reload the state), null if none. The event
   * itself also reaches the subscribers that take type `reset`. */
  lastReset?: ResetNotice | null;
  /** Open, but no byte for longer than staleAfterMs (heartbeats count): the indicator says "No
   * data for N s" before the watchdog gives up on the stream. The state stays 'open'. */
  stale: boolean;
  /** The outage is worth an alert: it has lasted the grace time (graceMs, default 2000) since it
   * was noticed without data resuming, or the channel failed for good. A blip that heals sooner
   * changes the state only. Decided by the core (include/lifeline/manager.h). */
  alert: boolean;
  /** When the last byte and the last event arrived (the manager's clock), null before any. Live
   * in getConnectionStatus(); as of the last status change in statusStore snapshots (exact while
   * stale: no byte has come since). */
  lastByteAt: number | null;
  lastEventAt: number | null;
  /** The last data received before the current outage (its start); null while open and fresh.
   * A stall's outage starts at its last byte, so it counts in full (the metrics measure it to
   * the first data after it). */
  outageSince: number | null;
  /** The silence after which an open stream is stale, ms: connect's staleAfterMs, or learned
   * (twice the longest gap between bytes over the last minute, 2 s at least, at most two
   * thirds of heartbeatTimeoutMs, which it is until 10 s of the rhythm were seen). */
  staleAfterMs: number;
}

export interface ResetNotice {
  /** When it arrived (the manager's clock, epoch ms). */
  at: number;
  /** The reset event's data as sent (lifeline-sse/server: JSON {lastEventId, reason, lastId}). */
  data: string;
}

export interface SSEEvent {
  type: string;
  data: string;
  /** The event's id (the last event id, as EventSource's lastEventId). */
  id: string;
  channel: string;
  /** True for events replayed from the channel's buffer to a late subscriber. */
  replayed?: true;
  /** True for the events a resumed stream sent back to back right after reconnecting: the
   * server catching up on what was missed ("Reconnected — 58 events caught up"). */
  caughtUp?: true;
}

export interface ManagerBackoffOptions {
  /** First delay ceiling (default 1000: with full jitter the first retry is within 1 s). */
  initialMs?: number;
  maxMs?: number;
  multiplier?: number;
  jitter?: 'none' | 'full' | 'equal' | 'decorrelated';
  /** Give up (state failed, reason 'exhausted') after this many attempts; default unlimited. */
  maxAttempts?: number;
  /** A connection up this long resets the backoff (default 5000). */
  healthyAfterMs?: number;
  /** Adapt growth to measured network quality (default true). */
  adaptive?: boolean;
}

export interface ManagerBreakerOptions {
  consecutiveFailures?: number;
  failureRateThreshold?: number;
  minimumCalls?: number;
  windowMs?: number;
  openMs?: number;
  maxOpenMs?: number;
}

export type HeaderMap = Record<string, string>;

/** Connections are pooled by a SHA-256 of every option below except replay, replayBytes and
 * dedupWindow (channel options): two connects that differ in any other option, a header value
 * or the body included, get two connections. Function options (headers, onAuthRequired) and
 * non-string bodies count by identity. */
export interface ConnectOptions {
  transport?: 'fetch' | 'eventsource';
  /** Static headers, or a (possibly async) function called before every attempt (fetch only). */
  headers?: HeaderMap | (() => HeaderMap | Promise<HeaderMap>);
  method?: string;
  /** A string/Blob/FormData..., or a plain object sent as JSON. */
  body?: unknown;
  credentials?: 'omit' | 'same-origin' | 'include';
  withCredentials?: boolean;
  /** Watchdog: silence (no byte, event or comment) after which the stream is declared stalled. */
  heartbeatTimeoutMs?: number;
  /** Deadline for the response headers (default 30000; 0: none). */
  connectTimeoutMs?: number;
  /** Reconnect delay when features.reconnect is false (the EventSource default, 3000). */
  plainRetryMs?: number;
  /** Parser cap for a line and for an event (bytes); default 1 MiB. */
  maxEventBytes?: number;
  /** Silence (ms) after which an open stream is reported stale (status.stale). Default: learned
   * from the server's rhythm (see ConnectionStatus.staleAfterMs); stale detection needs the
   * watchdog feature or this option. */
  staleAfterMs?: number;
  /** How long an outage may last, from when it is noticed, before status.alert (default 2000;
   * 0: at once). */
  graceMs?: number;
  backoff?: ManagerBackoffOptions;
  breaker?: ManagerBreakerOptions;
  /** More URLs of the same stream (other server instances) to fail over to. */
  endpoints?: string[];
  /** eventsource transport: query parameter carrying the last id (default 'lastEventId'). */
  lastEventIdParam?: string;
  initialLastEventId?: string;
  /** Remember the last event id in sessionStorage (or the manager's `storage`), under
   * `lifeline:lastEventId:<32 hex digits>`: a SHA-256 of what defines the stream (transport,
   * URLs, method, body, headers, credentials, lastEventIdParam, eventTypes). Header values,
   * bodies and URLs are never written to storage. */
  persistLastEventId?: boolean;
  /** Called before the single retry after a 401/403; resolves to headers to add from then on. */
  onAuthRequired?: (info: { url: string; status: number }) => HeaderMap | void | Promise<HeaderMap | void>;
  /** Each defaults to true (watchdog: false for the eventsource transport unless
   * heartbeatTimeoutMs is given); all false behaves like a plain EventSource.
   * retryHttpErrors: 5xx, 408 and 429 answers are retried with backoff (after Retry-After when
   * sent); false: every answer but a 200 text/event-stream fails, as EventSource does.
   * dedup: an event whose id was delivered recently is dropped (dedupWindow); false: delivered. */
  features?: { reconnect?: boolean; breaker?: boolean; watchdog?: boolean; retryHttpErrors?: boolean; dedup?: boolean };
  /** Events the channel remembers for late subscribers (default 0) and their byte cap. */
  replay?: number;
  replayBytes?: number;
  /** Recent event ids remembered for duplicate suppression (default 256). */
  dedupWindow?: number;
  /** eventsource transport: named event types to listen to besides the subscribers' filters. */
  eventTypes?: string[];
}

export interface SubscribeOptions {
  /** Event types to receive (default: every type). */
  events?: string | string[];
  /** Higher first (default 0); equal priorities in subscription order. */
  priority?: number;
  /** Deliver this many of the channel's remembered events at once. */
  replay?: number;
}

export interface StatusStore {
  subscribe(onChange: () => void): () => void;
  /** The cached snapshot: the same object until the status changes. */
  getSnapshot(): ConnectionStatus;
}

/** A latency histogram's summary in ms (quantiles within 0.54% of the exact value); nulls when empty. */
export interface SampleSummary {
  count: number; mean: number | null; min: number | null; max: number | null;
  p50: number | null; p90: number | null; p95: number | null; p99: number | null;
}

export interface ManagerMetrics {
  connections: number; channels: number; subscribers: number;
  opens?: number; opened?: number; reconnects?: number; events?: number; delivered?: number;
  duplicates?: number; replayed?: number; bytes?: number; stalls?: number; failovers?: number;
  fatal?: number; overflows?: number; errors?: Record<StatusReason, number>;
  /** Server notices acted on: `reset` events, `lifeline:drain` events. */
  resets?: number; drains?: number;
  /** OPEN -> accepted response; OPEN -> first event of that stream. */
  connectMs?: SampleSummary; firstEventMs?: SampleSummary;
  /** Outages: the last data before a drop or stall -> the first data after it. */
  recoveryMs?: SampleSummary;
  /** Drop -> first reconnect attempt. */
  dropToAttemptMs?: SampleSummary;
  /** With measureLatency: now() - the event's server timestamp, for events that carry one. */
  eventLatencyMs?: SampleSummary;
  /** Events and connection failures per second over the last minute. */
  eventRate?: number;
  errorRate?: number;
  /** Events delivered with caughtUp (a resumed stream's catch-up), once each. */
  caughtUp?: number;
  /** Outages that ended (last data -> first data after) and their total length, ms. */
  outages?: number; outageMs?: number;
  /** Per channel name: the figures with one definition each (docs/manager.md, Metrics). */
  byChannel?: Record<string, ChannelMetrics>;
}

export interface ChannelMetrics {
  /** Events received for the channel, once each however many subscribers took them
   * (duplicates included). */
  eventsReceived: number;
  /** Events handed to subscribers: one per subscriber and event (replays included). */
  deliveries: number;
  /** Of the deliveries, from the channel's replay buffer to late subscribers. */
  replayed: number;
  /** Received events dropped as already delivered (their id was seen). */
  duplicatesDropped: number;
  /** Received events that were a resumed stream's catch-up (event.caughtUp). */
  caughtUp: number;
  /** Reconnection attempts of the channel's connection. */
  reconnects: number;
  /** Outages (a running one included) and their total length up to now, ms. */
  outages: number;
  outageMs: number;
  /** The running outage's length so far, 0 when data flows. */
  currentOutageMs: number;
  subscribers: number;
}

export interface ManagerEnvironment {
  isOnline?(): boolean;
  subscribe(handlers: { online(): void; offline(): void; resume(): void }): () => void;
}

export interface SSETransport {
  name: string;
  available?: boolean;
  open(request: Record<string, unknown>, sink: Record<string, (...args: any[]) => unknown>): { abort(): void; listen?(types: string[]): void };
}

export interface ManagerOptions {
  /** Clock in ms, as every Lifeline module takes it (default: performance.timeOrigin + performance.now()). */
  clock?: () => number;
  /** Seeds the jitter (default random). */
  seed?: number;
  /** How long a connection stays open after its last subscriber leaves (default 1000). */
  lingerMs?: number;
  /** Random spread of the retries after "online" or a page resume (default: the core's, 4000). */
  onlineSpreadMs?: number;
  maxConnections?: number;
  maxChannels?: number;
  maxSubscribers?: number;
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(t: unknown): void };
  environment?: ManagerEnvironment;
  storage?: { getItem(k: string): string | null; setItem(k: string, v: string): void } | null;
  fetch?: typeof fetch;
  EventSource?: unknown;
  transports?: Record<string, SSETransport>;
  /**
   * Event latency (`getMetrics().eventLatencyMs`) from a server timestamp in each event's JSON
   * data: the first `"<field>": <number>` in the text, read as epoch time in `unit`, subtracted
   * from this manager's `now()`. Default false (no per-event work). `true` is
   * `{ field: 'ts', unit: 'ms' }`. A sample more than 24 h old or more than 60 s in the future
   * (a unit or clock mismatch) is ignored; a server clock up to 60 s ahead counts as 0 ms.
   */
  measureLatency?: boolean | { field?: string; unit?: 'ms' | 's' };
  /** Errors thrown by callbacks (default: rethrown asynchronously). */
  onError?: (error: unknown) => void;
}

/** Entries in the manager's JS maps (see retainedState). */
export interface RetainedState {
  channels: number; channelHandles: number; connections: number; subscribers: number;
  /** Per channel name: status snapshots, status listener sets, cached status stores. */
  snapshots: number; listeners: number; stores: number;
}

export declare class SSEManager {
  constructor(options?: ManagerOptions);
  /**
   * Binds `channel` to the stream at `url` and opens nothing: the connection opens when the
   * first subscriber of any channel bound to it arrives (subscribe), so a channel that is only
   * bound — a page that renders a status but subscribes to nothing — stays 'idle' and costs no
   * connection out of the browser's six per origin. Status listeners (onStatus, statusStore)
   * do not count as subscribers. Returns disconnect(). The drop-in EventSource subscribes at
   * construction, so it connects at once.
   */
  connect(channel: string, url: string, options?: ConnectOptions): () => void;
  disconnect(channel: string): void;
  subscribe(channel: string, callback: (event: SSEEvent) => void, options?: SubscribeOptions): () => void;
  unsubscribe(channel: string, callback: (event: SSEEvent) => void): void;
  getConnectionStatus(channel: string): ConnectionStatus;
  onStatus(channel: string, callback: (status: ConnectionStatus) => void): () => void;
  /** Cached per name while the name is a channel or the store is listened to (a name that is
   * neither reads as 'idle'). */
  statusStore(channel: string): StatusStore;
  retryNow(channel: string): void;
  /** Undefined fields once destroyed. */
  getMetrics(): ManagerMetrics;
  /** Sizes of the per-name and per-handle JS state, for leak checks: a name's entries are kept
   * while it is a channel or its status is listened to, and released after. */
  retainedState(): RetainedState;
  /** The core's registry in Prometheus text format 0.0.4; null when destroyed. */
  getPrometheusMetrics(): string | null;
  closeAll(): void;
  destroy(): void;
}

/**
 * The options of createManager({ share: 'origin' }): the streams are held once for all the
 * origin's tabs, in a SharedWorker or, where that is missing or fails, a leader tab elected with
 * Web Locks; in a document with an opaque origin (a sandboxed iframe), which no other context
 * shares, in the tab itself (docs/sharing.md). The other ManagerOptions would have to run in
 * that other context, so they are refused (TypeError), as are functions among connect()'s
 * options.
 */
export interface SharedManagerOptions {
  share: 'origin';
  /** 'auto' (default): the SharedWorker, else Web Locks; 'worker' or 'locks' to force one. */
  shareVia?: 'auto' | 'worker' | 'locks';
  /** Errors the tab cannot throw: the hub's answers, a gap after a rebuild, a callback's throw. */
  onError?: (err: Error) => void;
}

/** The hub's figures: its manager's, the tabs it serves, and the bytes its catch-up rings hold (at most 1 MiB a channel). */
export type OriginMetrics = ManagerMetrics & { tabs: number; catchUpBytes: number };

/** What a shared tab reports: its own figures, and under `origin` the hub's as last heard. */
export interface SharedManagerMetrics {
  connections: 0;
  channels: number;
  subscribers: number;
  /** Where this tab's streams are held. */
  sharing: 'starting' | 'worker' | 'leader' | 'follower';
  delivered: number;
  /** Events dropped because this tab had them already (a rebuild, two leaders for a moment). */
  duplicatesDropped: number;
  /** Times this tab rebuilt its subscriptions on a new hub. */
  rebuilds: number;
  origin: OriginMetrics | null;
}

/** The manager's API in a tab that shares the origin's streams. */
export declare class SharedManager {
  readonly sharing: 'starting' | 'worker' | 'leader' | 'follower';
  connect(channel: string, url: string, options?: ConnectOptions): () => void;
  disconnect(channel: string): void;
  subscribe(channel: string, callback: (event: SSEEvent) => void, options?: SubscribeOptions): () => void;
  unsubscribe(channel: string, callback: (event: SSEEvent) => void): void;
  getConnectionStatus(channel: string): ConnectionStatus;
  onStatus(channel: string, callback: (status: ConnectionStatus) => void): () => void;
  statusStore(channel: string): StatusStore;
  retryNow(channel: string): void;
  getMetrics(): SharedManagerMetrics;
  /** The hub's figures, fresh (every tab's streams, and how many tabs). */
  originMetrics(): Promise<OriginMetrics>;
  /** Null: the registry is the hub's. */
  getPrometheusMetrics(): null;
  retainedState(): RetainedState;
  closeAll(): void;
  destroy(): void;
}

/** Creates a manager; `await init()` first (`await init({ share: 'origin' })` for a shared one). */
export declare function createManager(options: SharedManagerOptions): SharedManager;
export declare function createManager(options?: ManagerOptions & { share?: 'tab' }): SSEManager;
