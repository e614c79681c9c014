export type BreakerState = 'closed' | 'open' | 'half-open';
export type BreakerMode = 'normal' | 'forced-open' | 'forced-closed' | 'disabled';
export type BreakerReason =
  | 'consecutive-failures' | 'failure-rate' | 'break-elapsed' | 'probes-succeeded'
  | 'probes-failed' | 'half-open-timeout' | 'forced';

export interface BreakerOptions {
  /** Trips when failures / calls in the window is strictly above this, (0, 1] (default 0.5). */
  failureRateThreshold?: number;
  /** Sliding window length in ms (default 60000). */
  windowMs?: number;
  /** Buckets of the window, dividing windowMs, <= 64; 0 = largest divisor <= 60 (default). */
  windowBuckets?: number;
  /** Calls in the window before the rate is judged (default 10). */
  minimumCalls?: number;
  /** Failures in a row that trip; 0 = off (default 5). */
  consecutiveFailures?: number;
  /** First break in ms (default 5000); doubles on each re-open. */
  openMs?: number;
  /** Cap of the break (default 60000). */
  maxOpenMs?: number;
  /** Break jitter as a fraction, 0..0.9 (default 0.2 = +-20%). */
  openJitter?: number;
  /** Calls admitted in half-open (default 3); others are rejected at once. */
  halfOpenProbes?: number;
  /** Probe successes that close (default 2). */
  halfOpenSuccesses?: number;
  /** Probe failures that reopen (default 2). */
  halfOpenFailures?: number;
  /** Half-open without a decision for this long reopens (default 10000 ms). */
  halfOpenTimeoutMs?: number;
  /** Calls slower than this count as failures; 0 = off (default). */
  slowCallMs?: number;
  /** Integer seed of the break jitter (default: random). */
  seed?: number;
  /** Millisecond clock used when `now` is omitted (default: performance.timeOrigin + performance.now()). */
  clock?: () => number;
  /** fire(): which rejections count as failures (default: all). */
  isFailure?: (error: unknown) => boolean;
}

export interface BreakerChange {
  from: BreakerState;
  to: BreakerState;
  reason: BreakerReason;
  /** Time of the change on the breaker's clock (ms). */
  at: number;
  failureRate: number;
  calls: number;
  failures: number;
  consecutiveFailures: number;
  /** When to === 'open': the jittered break just started (ms); else 0. */
  breakMs: number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  mode: BreakerMode;
  failureRate: number;
  calls: number;
  failures: number;
  consecutiveFailures: number;
  msUntilHalfOpen: number;
  breakMs: number;
  probesAdmitted: number;
  probeSuccesses: number;
  probeFailures: number;
  trips: number;
  rejected: number;
}

export interface Breaker {
  /** True when a call may start; in half-open an allowed call is a probe and must report. */
  allow(now?: number): boolean;
  record(ok: boolean, latencyMs?: number, now?: number): void;
  onSuccess(now?: number, latencyMs?: number): void;
  onFailure(now?: number, latencyMs?: number): void;
  state(now?: number): BreakerState;
  /** When the breaker changes state by itself, or Infinity. */
  deadline(): number;
  tick(now?: number): void;
  snapshot(now?: number): BreakerSnapshot;
  /** Returns a function that removes the listener. */
  onStateChange(cb: (change: BreakerChange) => void): () => void;
  forceOpen(now?: number): void;
  forceClosed(now?: number): void;
  disable(now?: number): void;
  /** Normal operation again: closed, empty window, break reset. */
  reset(now?: number): void;
  /** Runs fn through the breaker; rejects at once with LifelineError LIFELINE_ERR_REJECTED when not allowed. */
  fire<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R>;
  wrap<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>): (...args: A) => Promise<R>;
  free(): void;
}

/** Needs `await init({ router: true })` first (the router module holds the stand-alone objects). */
export function createBreaker(options?: BreakerOptions): Breaker;
