import type { LifelineError } from './errors.js';
import type { AIStream, StreamOptions, StreamFormat } from './router-stream.js';
export type * from './router-stream.js';

export type HealthState = 'healthy' | 'degraded' | 'down';

export interface ServiceConfig {
  /** Unique name, 1..31 bytes (shown in health and error messages). */
  name: string;
  /** Joined with a request's `path` and the `healthPath`. */
  baseUrl: string;
  /** What it can do, e.g. ['analysis', 'summary'] or 'analysis,summary'. */
  capabilities: string[] | string;
  /** Lower is preferred (default: position in the list, 1-based). */
  priority?: number;
  /** Ceiling of one attempt in ms (default 10000): the upper clamp of the latency-derived
   * attempt timeout, as minAttemptTimeoutMs is the lower one. */
  maxAttemptTimeoutMs?: number;
  /** GET path for active probes (default '/health'); '' or null = no probes. */
  healthPath?: string | null;
  /** Sent with every call and probe to this service (a request's headers win). */
  headers?: Record<string, string>;
  /** router.stream(): the answer format (default 'openai'). */
  format?: StreamFormat;
  /** router.stream(): resumes a broken stream by Last-Event-ID (a Lifeline server). Default false. */
  resumable?: boolean;
  /** router.stream(): false when it cannot continue a partial answer (skipped for 'continue'). Default true. */
  continues?: boolean;
}

/** A transport for environments without XHR (Node) or for tests; browsers default to C fetch. */
export interface RouterTransport {
  fetch(req: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body: string | Uint8Array | null;
    timeoutMs: number;
    signal: AbortSignal;
  }): Promise<{ status: number; headers?: Record<string, string>; body?: string }>;
}

export interface RouterOptions {
  services: ServiceConfig[];
  /** Active probe interval (default 10000; 0 = off), +/- probeJitterPercent (default 10). */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  probeJitterPercent?: number;
  /** Failed probes in a row that mean 'down' (default 2). */
  probeDownAfter?: number;
  /** Start the next candidate when an attempt has not answered after this (default 0 = off). */
  hedgeMs?: number;
  /** Lower clamp of the latency-derived attempt timeout (default 1500). */
  minAttemptTimeoutMs?: number;
  /** Attempt timeout before 8 latency samples exist (default 3000). */
  coldTimeoutMs?: number;
  /** Default overall deadline of a request, ms, across every attempt (default 30000). */
  deadlineMs?: number;
  /** p95 above this makes a service 'degraded' (default 5000). */
  slowMs?: number;
  retryBudgetPercent?: number;
  retryBudgetWindowMs?: number;
  retryBudgetReservePerSecond?: number;
  breakerFailurePercent?: number;
  breakerMinCalls?: number;
  breakerWindowMs?: number;
  breakerConsecutiveFailures?: number;
  breakerOpenMs?: number;
  breakerMaxOpenMs?: number;
  seed?: number;
  transport?: RouterTransport;
  /** Clock in ms, as every Lifeline module takes it (default: performance.timeOrigin + performance.now()). */
  clock?: () => number;
  /** Online/offline signals (default: the browser's, as for the manager; see browserEnvironment). */
  environment?: { isOnline?(): boolean; subscribe(handlers: { online(): void; offline(): void; resume(): void }): () => void };
}

export interface RequestOptions {
  path?: string;
  /** Default: POST with a body, GET without. */
  method?: string;
  /** A string or bytes are sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Overall deadline across every attempt, ms (default: the router's deadlineMs). */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface RouterResponse {
  /** The service that answered. */
  service: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Attempts made (hedges included). */
  attempts: number;
  /** True when not answered by a best-priority service for the capability. */
  degraded: boolean;
  /** How long the answering attempt took, ms. */
  latencyMs: number;
  /** From request() to the answer, ms; elapsedMs - latencyMs is what failover cost. */
  elapsedMs: number;
}

/** Rejections of request(): code 'LIFELINE_ERR_UNAVAILABLE' or 'LIFELINE_ERR_TIMEOUT'. */
export interface RouterError extends LifelineError {
  code: 'LIFELINE_ERR_UNAVAILABLE' | 'LIFELINE_ERR_TIMEOUT';
  capability?: string;
  attempts?: number;
}

export interface ServiceHealth {
  name: string;
  state: HealthState;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Failed share of the recent calls (last 64 within 60 s), 0..1. */
  errorRate: number;
  samples: number;
  lastError: string | null;
  /** Wall-clock ms (Date.now() scale). */
  lastErrorAt: number | null;
  since: number | null;
  breaker: 'closed' | 'open' | 'half-open';
  /** When an open breaker lets a trial through (wall-clock ms), null unless open. */
  breakerRetryAt: number | null;
  attemptTimeoutMs: number;
  calls: number;
  failures: number;
  /** While a service that failed answers again: its checks (real calls and probes) ok in a row
   * and how many make it healthy ("recovering — 1 of 3 checks ok"); null otherwise. */
  recovering: { ok: number; of: number } | null;
  /** A hint in force (Router.hint: a server fleet's word), with when it lapses (epoch ms); null when none. */
  hint?: { state: 'down' | 'degraded'; until: number | null } | null;
}

export interface RouteNotice {
  capability: string;
  service: string;
}

export declare class Router {
  request(capability: string, options?: RequestOptions): Promise<RouterResponse>;
  /** A streamed call with failover before commit and the afterCommit policy after it. Throws on a bad option. */
  stream(capability: string, options?: StreamOptions): AIStream;
  getHealth(): ServiceHealth[];
  /** Store protocol for useSyncExternalStore: the listener runs after possible changes. */
  subscribe(listener: () => void): () => void;
  /** getHealth(), cached: the same array until a figure changes. */
  getSnapshot(): ServiceHealth[];
  explain(capability: string): string;
  /** A service's health changed state; as the manager's onStatus, returns the unsubscribe. */
  onStatus(cb: (health: ServiceHealth, previous: HealthState) => void): () => void;
  onDegraded(cb: (notice: RouteNotice) => void): () => void;
  onRecovered(cb: (notice: RouteNotice) => void): () => void;
  setOnline(online: boolean): void;
  /** A health hint for a service (lifeline-sse/server's service-health events): the router's own evidence still decides; it lapses after ttlMs. False for an unknown service. */
  hint(name: string, hint: { state: HealthState; ttlMs?: number }): boolean;
  close(): void;
}

/**
 * The options of createRouter({ share: 'origin' }) (docs/sharing.md): one router per identical
 * configuration for all the origin's tabs, held in the SharedWorker or the Web Locks leader tab,
 * so each service is probed once per interval and a breaker trips once. `transport`, `clock` and
 * `environment` would have to run in that other context: they are refused (TypeError), as is any
 * function among the options.
 */
export interface SharedRouterOptions extends Omit<RouterOptions, 'transport' | 'clock' | 'environment'> {
  share: 'origin';
  /** 'auto' (default): the SharedWorker, else Web Locks; 'worker' or 'locks' to force one. */
  shareVia?: 'auto' | 'worker' | 'locks';
  /** Errors the tab cannot throw or reject with: a configuration the hub refused, a listener's throw. */
  onError?: (err: Error) => void;
}

/**
 * The router's API in a tab whose router runs in the origin's hub. Health is pushed by the hub:
 * getHealth() and getSnapshot() are its last report ([] before the first). Requests cross as
 * plain objects: a function among a request's options rejects with TypeError; errors are rebuilt
 * as the classes they were (LifelineError with code, capability, attempts; an abort's reason or
 * AbortError). A request or stream in flight when the hub is lost rejects with
 * LIFELINE_ERR_UNAVAILABLE (not resent: whether the service saw it is unknown).
 */
export declare class SharedRouter {
  /** Resolves once the hub holds the router and its first health report is in; rejects with the hub's LifelineError for a bad option value or service (also sent to onError). */
  readonly ready: Promise<void>;
  request(capability: string, options?: RequestOptions): Promise<RouterResponse>;
  /**
   * A streamed call run by the hub's router (its failover, breakers and health are the origin's),
   * with the API and semantics of Router.stream(). onStatus, onSwitch and signal stay in the tab;
   * the other options cross as plain objects, so a function among them (a `path` or `body`
   * function, a format adapter object) throws TypeError naming it, at once, as do the option
   * checks of Router.stream(). An abort ends the call at once and the hub aborts its fetch. A
   * stream in flight when the hub is lost rejects with LIFELINE_ERR_UNAVAILABLE; on a closed
   * router, throws LIFELINE_ERR_STATE.
   */
  stream(capability: string, options?: StreamOptions): AIStream;
  getHealth(): ServiceHealth[];
  subscribe(listener: () => void): () => void;
  getSnapshot(): ServiceHealth[];
  /** Asked of the hub's router (it holds the breakers): hence a promise. */
  explain(capability: string): Promise<string>;
  /** Each notice of the hub's router reaches every tab once. */
  onStatus(cb: (health: ServiceHealth, previous: HealthState) => void): () => void;
  onDegraded(cb: (notice: RouteNotice) => void): () => void;
  onRecovered(cb: (notice: RouteNotice) => void): () => void;
  /** Sent to the hub's router: it applies for every tab sharing it. */
  setOnline(online: boolean): void;
  /** Sent to the hub's router; false for a service not in this configuration. */
  hint(name: string, hint: { state: HealthState; ttlMs?: number }): boolean;
  /** Leaves the hub's router (closed once no tab holds it); this tab's pending requests and streams reject with LIFELINE_ERR_STATE. */
  close(): void;
}

/** Needs `await init({ share: 'origin' })` first (not the router module: the hub loads it). Throws TypeError on a function option, a refused option or no SharedWorker nor Web Locks; LifelineError when `services` is empty. */
export declare function createRouter(options: SharedRouterOptions): SharedRouter;
/** Needs `await init({ router: true })` first (the router module). Throws LifelineError on a bad option value or service, TypeError on an unknown option name. */
export declare function createRouter(options: RouterOptions & { share?: 'tab' }): Router;

export declare const fetchTransport: RouterTransport;
