/** Jitter strategy (AWS Architecture Blog, "Exponential Backoff and Jitter"). */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';
/** Network quality judged from connect times and recent failures (see docs/resilience.md). */
export type NetworkQuality = 'good' | 'moderate' | 'poor';

export interface BackoffOptions {
  /** Base delay in ms (default 1000). */
  initialMs?: number;
  /** Cap in ms (default 30000). */
  maxMs?: number;
  /** Growth per attempt, 1..10 (default 1.6). */
  multiplier?: number;
  /** Default 'full': the first retry is uniform over 0..initialMs. */
  jitter?: Jitter;
  /** 0 = unlimited (default); otherwise next() returns null after this many delays. */
  maxAttempts?: number;
  /** A connection lasting this long resets the backoff (default 5000 ms). */
  healthyAfterMs?: number;
  /** Adapt multiplier and cap to network quality (default true). */
  adaptive?: boolean;
  /** Integer seed of the jitter generator (default: random from crypto.getRandomValues). */
  seed?: number;
  /** Millisecond clock used when a method's `now` is omitted (default: performance.timeOrigin + performance.now()). */
  clock?: () => number;
}

export interface Backoff {
  /** The delay (ms) before the next attempt, or null when maxAttempts is exhausted. */
  next(now?: number): number | null;
  /** Back to attempt 0. */
  reset(): void;
  /** The server's `retry:` field (ms): a floor for every delay from now on (attempt 0 waits it
   * plus up to a fifth; 0: at once), honoured up to 1 hour. */
  setServerRetry(ms: number): void;
  /** The connection delivered something new: the next delay starts over from attempt 0. */
  progress(): void;
  /** HTTP 429/503 Retry-After in ms: the next delay is at least this (used once). */
  setRetryAfter(ms: number): void;
  /** A connection was established at `now`. */
  connected(now?: number): void;
  /** Resets if the connection has lasted healthyAfterMs; true when it did. */
  healthyCheck(now?: number): boolean;
  /** When healthyCheck would reset, or Infinity. */
  deadline(): number;
  /** A measured connect time in ms. */
  recordConnect(ms: number): void;
  /** Whether an attempt succeeded. */
  recordOutcome(ok: boolean): void;
  readonly quality: NetworkQuality;
  /** Delays handed out since the last reset. */
  readonly attempt: number;
  /** Releases the Wasm memory (also done by a FinalizationRegistry as a safety net). */
  free(): void;
}

/** Needs `await init({ router: true })` first (the router module holds the stand-alone objects). */
export function createBackoff(options?: BackoffOptions): Backoff;
