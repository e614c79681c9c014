/**
 * lifeline-sse/react: React 18/19 bindings for the Lifeline runtime.
 *
 * The manager and router types are structural (exactly the members the bindings call), so these
 * declarations need neither @types/react nor the core's own declarations; the objects returned
 * by createManager()/createRouter() from 'lifeline-sse' satisfy them.
 */

/** Anything React can render. Kept structural so @types/react is not required. */
export type LifelineNode = unknown;
/** What the components return: a React element (assignable to JSX.Element) or null. */
export interface LifelineElement {
  type: unknown;
  props: unknown;
  key: string | null;
}

export type ConnectionState =
  | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'circuit-open' | 'failed' | 'closed'
  /** Not bound to a connection (before connect(), after disconnect()). */
  | 'idle';

/** A channel's status snapshot; the same object while nothing changed. */
export interface ConnectionStatus {
  state: ConnectionState;
  /** Reconnection attempt number (0 while connected). */
  attempt: number;
  /** Milliseconds until the next attempt, when one is scheduled. */
  reconnectInMs: number | null;
  lastEventId: string | null;
  /** Why the last attempt failed, when known: text or { reason, httpStatus, message, at }. */
  lastError: unknown;
  /** When the state was entered (ms), when known. */
  since: number | null;
  /** Why the state was entered ('stall', 'http-5xx', 'no-content', ...), when the manager says. */
  reason?: string;
  httpStatus?: number;
}

export interface SSEEvent {
  type: string;
  data: string;
  id: string | null;
  channel: string;
}

export interface SubscribeOptions {
  events?: string | string[];
  priority?: number;
  replay?: number | boolean;
}

export interface StatusStore {
  subscribe(cb: () => void): () => void;
  getSnapshot(): ConnectionStatus;
}

/** The members of a Lifeline manager that the bindings use. */
export interface ManagerLike {
  connect(channel: string, url: string, options?: Record<string, unknown>): unknown;
  subscribe(channel: string, cb: (event: SSEEvent) => void, options?: SubscribeOptions): (() => void) | unknown;
  unsubscribe(channel: string, cb: (event: SSEEvent) => void): unknown;
  getConnectionStatus(channel: string): ConnectionStatus;
  onStatus(channel: string, cb: (status: ConnectionStatus) => void): () => void;
  statusStore(channel: string): StatusStore;
  retryNow(channel: string): unknown;
  getMetrics(): unknown;
  closeAll(): unknown;
  /** Unbinds one channel; the provider calls it for channels removed from its `channels` prop. */
  disconnect(channel: string): unknown;
  /** closeAll() and free resources; the provider calls it on unmount for a manager it created. */
  destroy(): unknown;
}

export type ServiceState = 'healthy' | 'degraded' | 'down';

export interface ServiceHealth {
  name: string;
  state: ServiceState;
  p50Ms: number | null;
  p95Ms: number | null;
  /** 0..1 */
  errorRate: number | null;
  lastError: unknown;
  since: number | null;
}

export interface RouterResponse {
  service: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  attempts: number;
  degraded: boolean;
}

/** The members of a Lifeline router that the bindings use. */
export interface RouterLike {
  request(capability: string, options?: { path?: string; method?: string; body?: unknown; [k: string]: unknown }): Promise<RouterResponse>;
  getHealth(): readonly ServiceHealth[];
  onStatus(cb: (change: unknown) => void): () => void;
  close(): unknown;
  /** Store protocol (what useServiceHealth binds): notified after any health figure changes. */
  subscribe(listener: () => void): () => void;
  /** getHealth(), the same array until a figure changes. */
  getSnapshot(): readonly ServiceHealth[];
}

/** The module the provider loads lazily (default: import('lifeline-sse')). */
export interface LifelineRuntime {
  init(options?: unknown): Promise<unknown>;
  createManager(options?: unknown): ManagerLike;
  createRouter?(options?: unknown): RouterLike;
}

export interface ChannelConfig {
  url: string;
  [connectOption: string]: unknown;
}

export interface SSEProviderProps {
  /** createManager() options. The manager is created once per provider. */
  options?: Record<string, unknown>;
  /** Channels connected once the manager exists: { name: { url, ...connectOptions } }. */
  channels?: Record<string, ChannelConfig>;
  /** Use this manager instead of creating one; it is not closed on unmount. */
  manager?: ManagerLike;
  /** Use this router; it is not closed on unmount. */
  router?: RouterLike;
  /** createRouter() options: the provider creates (and closes) a router too. */
  routerOptions?: Record<string, unknown>;
  /** Passed to init(). */
  initOptions?: Record<string, unknown>;
  /** The runtime module (tests, custom builds); default: the 'lifeline-sse' package, loaded lazily. */
  runtime?: LifelineRuntime;
  children?: LifelineNode;
}
export function SSEProvider(props: SSEProviderProps): LifelineElement;
export const LifelineContext: unknown;

/** Calls handler for each event on channel while mounted; the handler may change freely. */
export function useSSE(channel: string | null, handler: (event: SSEEvent) => void, options?: SubscribeOptions): void;
/** The channel's status through useSyncExternalStore; re-renders only when it changes. */
export function useSSEStatus(channel: string): ConnectionStatus;
/** Whole seconds to the next reconnection attempt, ticking each second; null when none is scheduled. */
export function useReconnectCountdown(channel: string): number | null;
export function useCountdown(status: ConnectionStatus): number | null;
/** The provider's manager; null until init() has resolved. */
export function useSSEManager(): ManagerLike | null;
/** The provider's router; null until created or when none was configured. */
export function useRouter(): RouterLike | null;

export const ANALYSIS_STAGES: readonly string[];
export interface AnalysisSection {
  title: string;
  content: string;
  stage?: number;
}
export interface AnalysisProgress {
  /** 1-based stage number; 0 before the first progress event. */
  stage: number;
  total: number;
  name: string | null;
  message: string | null;
  sections: readonly AnalysisSection[];
  running: boolean;
  done: boolean;
  error: string | null;
  runId: number | null;
  ward: string | null;
}
/** SSE event types of a progress stream (defaults: PROGRESS_EVENTS). */
export interface ProgressEvents {
  start?: string;
  progress?: string;
  section?: string;
  complete?: string;
  error?: string;
}
export interface ProgressOptions {
  /** Stage names in order (default ANALYSIS_STAGES, the origin's six). */
  stages?: readonly string[];
  events?: ProgressEvents;
}
export const PROGRESS_EVENTS: Readonly<Required<ProgressEvents>>;
export const INITIAL_PROGRESS: AnalysisProgress;
export function initialProgress(stages?: readonly string[]): AnalysisProgress;
export type ProgressReducer = (state: AnalysisProgress, event: Pick<SSEEvent, 'type' | 'data'>) => AnalysisProgress;
export function progressReducer(options?: ProgressOptions): ProgressReducer;
/** progressReducer() for the default stages and event names. */
export const reduceProgress: ProgressReducer;
export function useSSEProgress(channel: string | null, options?: ProgressOptions): AnalysisProgress;

export interface BufferOptions {
  mode?: 'throttle' | 'debounce' | 'buffer';
  /** Interval (throttle, buffer) or quiet time (debounce), ms. Default 250. */
  ms?: number;
  /** Events kept in `items` (and, in buffer mode, the batch size that forces a render). Default 100. */
  max?: number;
  /** Debounce only: render at least this often during a continuous stream. */
  maxWaitMs?: number;
  events?: string | string[];
}
export interface BufferSnapshot {
  latest: SSEEvent | null;
  /** The last `max` events, oldest first. */
  items: readonly SSEEvent[];
  /** Events seen since mount. */
  total: number;
  /** Events dropped from the front of the bounded buffer. */
  dropped: number;
  /** items[i] is delivery number firstSeq + i since mount: use it as the React key (event ids
   * repeat, since an event without an id field carries the last id). */
  firstSeq: number;
}
export function useSSEBuffer(channel: string, options?: BufferOptions): BufferSnapshot;
/** manager.getMetrics() re-read every intervalMs (default 1000); null before the manager exists. */
export function useSSEMetrics<T = Record<string, unknown>>(intervalMs?: number): T | null;
/** The router's per-service health (its subscribe/getSnapshot store); [] without a router. */
export function useServiceHealth(): readonly ServiceHealth[];

export const STATUS_LABELS: Readonly<Record<ConnectionState, string>>;
export function describeStatus(status: Pick<ConnectionStatus, 'state' | 'attempt' | 'lastError'>, labels?: Partial<Record<ConnectionState, string>>): string;

export function SSEStatusIndicator(props: {
  channel: string;
  label?: string;
  labels?: Partial<Record<ConnectionState, string>>;
  className?: string;
  showCountdown?: boolean;
}): LifelineElement;

export function ReconnectionAlert(props: {
  channel: string;
  /** States in which the alert shows. Default: reconnecting, offline, circuit-open, failed. */
  states?: ConnectionState[];
  className?: string;
  /** The alert's heading; a function gets the status (default: one heading per state). */
  title?: string | ((status: ConnectionStatus) => string | undefined);
  retryLabel?: string;
  children?: LifelineNode;
}): LifelineElement | null;

export function SSEProgressBar(props: {
  channel?: string;
  progress?: AnalysisProgress;
  stages?: readonly string[];
  className?: string;
  label?: string;
}): LifelineElement;

export function StreamingDataDisplay(props: {
  channel: string;
  events?: string | string[];
  mode?: BufferOptions['mode'];
  ms?: number;
  max?: number;
  renderItem?: (event: SSEEvent, data: unknown) => LifelineNode;
  empty?: LifelineNode;
  className?: string;
  label?: string;
}): LifelineElement;

export function ServiceHealthPanel(props: {
  className?: string;
  title?: string;
  renderExtra?: (service: ServiceHealth) => LifelineNode;
}): LifelineElement;

export interface ErrorFallbackProps {
  error: unknown;
  /** Renders the children again; false once the retries are used up. */
  retry: () => boolean;
  retriesLeft: number;
  retries: number;
}
export interface SSEErrorBoundaryProps {
  /** Default 3. */
  maxRetries?: number;
  fallback?: LifelineElement | string | number | null | ((props: ErrorFallbackProps) => LifelineNode);
  onError?: (error: unknown, info: unknown) => void;
  onRetry?: (retry: number) => void;
  children?: LifelineNode;
}
/** Catches render errors below it; a fallback with a limited number of retries. */
export class SSEErrorBoundary {
  constructor(props: SSEErrorBoundaryProps);
  props: SSEErrorBoundaryProps;
  state: { error: unknown; retries: number };
  context: unknown;
  setState(state: unknown, callback?: () => void): void;
  forceUpdate(callback?: () => void): void;
  retry(): boolean;
  render(): LifelineNode;
}

export const PENDING_STATUS: ConnectionStatus;
/** Parses JSON event data ('{…}' or '[…]'); returns other text unchanged. */
export function parseData(data: unknown): unknown;
