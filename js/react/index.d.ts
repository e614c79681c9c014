/**
 * lifeline-sse/react: React 18/19 bindings for the Lifeline runtime.
 *
 * Components are declared against @types/react (an optional peer dependency: install
 * @types/react >= 18.2.6, the first with React.JSX, to type-check TSX). Every runtime type is the
 * core's own (lifeline-sse's SSEEvent, ConnectionStatus, ServiceHealth, SSEManager, Router...),
 * imported, never redeclared, and re-exported here for convenience: one family of types.
 */
import type { Component, Context, ErrorInfo, JSX, ReactNode } from 'react';
import type {
  ConnectOptions, ConnectionState, ConnectionStatus, ManagerMetrics, ManagerOptions, SSEEvent, SSEManager,
  SharedManager, SharedManagerOptions,
} from '../manager.js';
import type {
  Router, RouterOptions, ServiceHealth, SharedRouter, SharedRouterOptions, StreamOptions, StreamNotice, StreamStatus, StreamError,
  StreamResult,
} from '../router.js';
import type { init } from '../wasm.js';

export type {
  ChannelMetrics, ConnectOptions, ConnectionState, ConnectionStatus, LastError, ManagerMetrics, ManagerOptions, SSEEvent,
  SSEManager, StatusReason, StatusStore, SubscribeOptions,
} from '../manager.js';
export type { HealthState, Router, RouterOptions, RouterResponse, ServiceHealth } from '../router.js';

/** The module the provider loads lazily (default: import('lifeline-sse')). */
export interface LifelineRuntime {
  init(options?: Parameters<typeof init>[0]): Promise<unknown>;
  createManager(options?: ManagerOptions): SSEManager;
  createRouter?(options: RouterOptions): Router;
}

/** A channel the provider connects: the stream's URL and manager.connect() options. */
export interface ChannelConfig extends ConnectOptions {
  url: string;
}

/** What every <SSEProvider> takes, whatever its `share`. */
export interface SSEProviderBaseProps {
  /**
   * The app's manager, created after `await init()` (`createManager()`, a SharedManager with
   * `share: 'origin'`): the hooks have it from the first render on, on the server too, and the
   * provider never closes it (nor reads `share` or `options`). Without it the provider creates
   * (and on unmount destroys) its own, after init() resolves in an effect.
   */
  manager?: SSEManager | SharedManager;
  /** The app's router (`createRouter()`, a SharedRouter with `share: 'origin'`): as `manager`, present from the first render, not closed. */
  router?: Router | SharedRouter;
  /**
   * createRouter() options: the provider creates (and closes) a router too, after init(). Under
   * `share="origin"` that router is shared as well (`share: 'origin'` is added unless given);
   * `share: 'tab'` keeps it in the tab, `share: 'origin'` shares it under any provider.
   */
  routerOptions?: (RouterOptions & { share?: 'tab' }) | SharedRouterOptions;
  /** Channels connected once the manager exists: { name: { url, ...connectOptions } }. */
  channels?: Record<string, ChannelConfig>;
  /** Passed to init() when the provider loads the runtime itself. */
  initOptions?: Parameters<typeof init>[0];
  /** The runtime module (tests, custom builds); default: the 'lifeline-sse' package, loaded lazily. */
  runtime?: LifelineRuntime;
  children?: ReactNode;
}
/**
 * `share`: where the provider's own manager holds its streams (read once per provider).
 * 'tab' (default): in this tab, `options` are createManager()'s. 'origin': once for all the
 * origin's tabs (docs/sharing.md): the provider calls `init({ ...initOptions, share: 'origin' })`
 * and `createManager({ ...options, share: 'origin' })`, so `options` are a shared manager's
 * (`shareVia`, `onError`). A wrong value, an `options.share` that says otherwise, or an engine
 * with neither SharedWorker nor Web Locks is a TypeError, shown as every channel's 'failed' status.
 */
export type SSEProviderProps = SSEProviderBaseProps & (
  | { share?: 'tab'; /** createManager() options (read once per provider). */ options?: ManagerOptions & { share?: 'tab' } }
  | { share: 'origin'; /** createManager({ share: 'origin' }) options (read once per provider). */ options?: Omit<SharedManagerOptions, 'share'> & { share?: 'origin' } }
);
export function SSEProvider(props: SSEProviderProps): JSX.Element;
/** The provider's context (its value is internal; use the hooks). */
export const LifelineContext: Context<unknown>;

/** Calls handler for each event on channel while mounted; the handler may change freely. */
export function useSSE(channel: string | null, handler: (event: SSEEvent) => void, options?: {
  events?: string | string[];
  priority?: number;
  replay?: number;
}): void;
/**
 * The channel's status through useSyncExternalStore; re-renders only when it changes. Before the
 * manager exists, and on the server, it is PENDING_STATUS ('connecting').
 */
export function useSSEStatus(channel: string): ConnectionStatus;
/** Whole seconds to the next reconnection attempt, ticking each second; null when none is scheduled. */
export function useReconnectCountdown(channel: string): number | null;
export function useCountdown(status: ConnectionStatus): number | null;
/** Whole seconds of silence of a stale channel (status.stale), ticking each second; null otherwise. */
export function useStaleSeconds(status: ConnectionStatus): number | null;
/**
 * The provider's manager. Never null under a provider given `manager` (from the first render,
 * the server render included). null only when the provider creates the manager itself: on the
 * server, during hydration and the first client render, until init() resolves (after the first
 * commit); and for good when init() failed (useSSEStatus then reports 'failed'). A SharedManager
 * under a provider with `share="origin"` (both have connect, subscribe, onStatus, retryNow...).
 */
export function useSSEManager(): SSEManager | SharedManager | null;
/**
 * The provider's router. Never null under a provider given `router`. null without one and without
 * `routerOptions`; with `routerOptions`, null until init() resolves, as for useSSEManager. A
 * SharedRouter when it is shared (`share="origin"`, or routerOptions.share: 'origin').
 */
export function useRouter(): Router | SharedRouter | null;

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
export function useSSEMetrics(intervalMs?: number): ManagerMetrics | null;
/** The router's per-service health (its subscribe/getSnapshot store); [] without a router. */
export function useServiceHealth(): readonly ServiceHealth[];

/** useAIStream's request: router.stream options, plus `key` naming the call (default: capability, path and body). */
export interface AIStreamRequest extends Omit<StreamOptions, 'signal' | 'onStatus' | 'onSwitch'> {
  key?: string;
}

export interface AIStreamNotice extends StreamNotice {
  /** In words for the user, e.g. "gemini did not answer (HTTP 503); switched to perplexity". */
  text: string;
}

export interface AIStreamState {
  /** The answer so far (after a restart, the new answer's; after an error, the partial text). */
  text: string;
  /** The service answering now (null before the first attempt). */
  service: string | null;
  status: 'idle' | StreamStatus['state'];
  /** The last switch to another service, or null. */
  notice: AIStreamNotice | null;
  switched: boolean;
  done: boolean;
  /** True only when the service's own end marker arrived. */
  complete: boolean;
  error: StreamError | Error | null;
  result: StreamResult | null;
}

/** A streamed AI answer from the provider's router; a null request makes no call. Unmount or a new key aborts the call. */
export function useAIStream(capability: string, request: AIStreamRequest | null | undefined): AIStreamState;
export declare const IDLE_AI_STREAM: AIStreamState;

/** Indicator words per state, and `stale` ("No data"). */
export type StatusLabels = Record<ConnectionState | 'stale', string>;
export const STATUS_LABELS: Readonly<StatusLabels>;
/** The indicator's sentence, without countdown: "Live", "No data for 12 s" (with staleSeconds), "Stopped: ...". */
export function describeStatus(status: Pick<ConnectionStatus, 'state' | 'attempt' | 'lastError'> & Partial<Pick<ConnectionStatus, 'stale'>>,
  labels?: Partial<StatusLabels>, staleSeconds?: number | null): string;
/** The alert's headline in plain words ("Live updates paused — the server is not answering"); no countdown, no jargon. */
export function alertHeadline(status: ConnectionStatus): string;
/** What happens next: "Trying again in 12 s.", "Live updates will not resume by themselves." */
export function nextStep(status: ConnectionStatus, seconds: number | null): string;
/** The technical reason, for details: "HTTP 503 · server error · attempt 4 · paused by the circuit breaker ...". */
export function statusDetails(status: ConnectionStatus): string;
/** 'auth' for a failed channel whose fix is signing in (401/403), 'retry' otherwise. */
export function actionKind(status: ConnectionStatus): 'auth' | 'retry';
/** A service's state in words: "Healthy", "Recovering — 1 of 3 checks ok", "Degraded", "Down". */
export function serviceStateText(service: ServiceHealth): string;
/** ServiceHealthPanel's notice: null when all are healthy, "No AI service is available; retrying." when none can answer. */
export function healthNotice(services: readonly ServiceHealth[]): string | null;

/** A live feed entry: an event, or a marker where the stream was interrupted. */
export type FeedEntry =
  | { kind: 'event'; key: string; event: SSEEvent }
  | { kind: 'resumed' | 'silence' | 'reset'; key: string; ms: number | null; count: number; events: readonly SSEEvent[] };
export interface FeedState {
  max: number;
  /** Oldest first, at most `max`; a resumed stream's catch-up events are inside its marker. */
  entries: readonly FeedEntry[];
  total: number;
  markers: number;
}
/** The marker's sentence: "Reconnected after 15 s — 58 events caught up". */
export function markerText(entry: Exclude<FeedEntry, { kind: 'event' }>): string;
export function initialFeed(max?: number): FeedState;
export function feedReducer(state: FeedState, input: { type: 'event'; event: SSEEvent } | { type: 'status'; status: ConnectionStatus; now: number }): FeedState;
/** Events kept inside one catch-up marker. */
export const MARKER_EVENTS: number;
/** The feed of a channel with its interruption markers, re-rendered at most every `ms` (default 250). */
export function useSSEFeed(channel: string, options?: { max?: number; ms?: number; events?: string | string[] }): FeedState;

export interface SSEStatusIndicatorProps {
  channel: string;
  label?: string;
  labels?: Partial<StatusLabels>;
  className?: string;
  showCountdown?: boolean;
}
export function SSEStatusIndicator(props: SSEStatusIndicatorProps): JSX.Element;

export interface ReconnectionAlertProps {
  channel: string;
  /** States in which the alert may show, when status.alert says the outage deserves one.
   * Default: connecting, reconnecting, offline, circuit-open, failed. */
  states?: readonly ConnectionState[];
  className?: string;
  /** The alert's heading; a function gets the status (default: alertHeadline). */
  title?: ReactNode | ((status: ConnectionStatus) => ReactNode);
  retryLabel?: ReactNode;
  /** A failed channel that needs signing in (401/403) shows this as its action. */
  onSignIn?: (status: ConnectionStatus) => void;
  signInLabel?: ReactNode;
  /** The app's own action instead of the default button (retry calls manager.retryNow). */
  renderAction?: (status: ConnectionStatus, retry: () => void) => ReactNode;
  /** Where focus goes when the alert closes while it had focus (default: where it was before). */
  returnFocus?: { current: HTMLElement | null } | (() => HTMLElement | null);
  /** 'overlay' (default): fixed over the page, never moving it; 'inline': in a slot the app reserves. */
  layout?: 'overlay' | 'inline';
  /** Show the technical reason (HTTP status, attempt, breaker) in a Details disclosure. Default true. */
  showDetails?: boolean;
  children?: ReactNode;
}
/** Always renders its host and polite live region; the alert itself only while status.alert. */
export function ReconnectionAlert(props: ReconnectionAlertProps): JSX.Element | null;

export interface SSEProgressBarProps {
  channel?: string;
  progress?: AnalysisProgress;
  stages?: readonly string[];
  className?: string;
  label?: string;
}
export function SSEProgressBar(props: SSEProgressBarProps): JSX.Element;

export interface StreamingDataDisplayProps {
  channel: string;
  events?: string | string[];
  /** At most one render per `ms` (default 250). */
  ms?: number;
  /** Entries kept (events and markers; a catch-up burst is one marker). Default 20. */
  max?: number;
  /** Draws one item; `data` is parseData(event.data). */
  renderItem?: (event: SSEEvent, data: unknown) => ReactNode;
  /** Draws a marker (default markerText). */
  renderMarker?: (entry: Exclude<FeedEntry, { kind: 'event' }>) => ReactNode;
  /** 'markers' (default): each marker is announced once, politely; 'none': nothing is. */
  announce?: 'markers' | 'none';
  empty?: ReactNode;
  className?: string;
  label?: string;
}
export function StreamingDataDisplay(props: StreamingDataDisplayProps): JSX.Element;

export interface ServiceHealthPanelProps {
  className?: string;
  title?: string;
  renderExtra?: (service: ServiceHealth) => ReactNode;
}
export function ServiceHealthPanel(props: ServiceHealthPanelProps): JSX.Element;

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
  fallback?: ReactNode | ((props: ErrorFallbackProps) => ReactNode);
  onError?: (error: unknown, info: ErrorInfo) => void;
  onRetry?: (retry: number) => void;
  children?: ReactNode;
}
export interface SSEErrorBoundaryState {
  /** What was thrown (any value), null while the children render. */
  error: unknown;
  retries: number;
}
/** Catches render errors below it; a fallback with a limited number of retries. */
export class SSEErrorBoundary extends Component<SSEErrorBoundaryProps, SSEErrorBoundaryState> {
  static getDerivedStateFromError(error: unknown): Partial<SSEErrorBoundaryState>;
  componentDidCatch(error: unknown, info: ErrorInfo): void;
  readonly maxRetries: number;
  /** Renders the children again, while retries remain; false once they are used up. */
  retry(): boolean;
  render(): ReactNode;
}

/**
 * Every channel's status before the manager exists and on the server: state 'connecting', reason
 * 'none', nothing scheduled. When loading the runtime fails, useSSEStatus reports the same shape
 * with state 'failed' and lastError.message saying why.
 */
export const PENDING_STATUS: ConnectionStatus;
/** Parses JSON event data ('{…}' or '[…]'); returns other text unchanged. */
export function parseData(data: unknown): unknown;
