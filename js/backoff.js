/**
 * Reconnection backoff over the C core (include/lifeline/backoff.h): exponential delays with
 * full/equal/decorrelated jitter, the server's `retry:` as base, Retry-After as a floor, network
 * quality adaptation and a reset only after a connection stayed healthy.
 */
import { getCore, coreError } from './wasm.js';

const JITTER = { none: 0, full: 1, equal: 2, decorrelated: 3 };
const QUALITY = ['good', 'moderate', 'poor'];
const EXHAUSTED = -12;

const defaultClock = () => performance.now();

const registry = new FinalizationRegistry(({ core, ptr }) => core._lifeline_wasm_backoff_free(ptr));

/** @internal validation shared by the resilience modules */
export function checkNumber(name, v, min, max, integer) {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${name} must be a number, got ${typeof v === 'number' ? 'NaN' : typeof v}`);
  if (integer && !Number.isInteger(v)) throw new RangeError(`${name} must be an integer, got ${v}`);
  if (v < min || v > max) throw new RangeError(`${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** @internal */
export function checkClock(clock) {
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
  return clock;
}

/** @internal */
export function checkOptions(options, known, what) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${what} options must be an object`);
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new TypeError(`${what}: unknown option "${k}" (known: ${known.join(', ')})`);
  }
}

/** @internal a random 53-bit seed from the host, used when the caller gives none */
export function hostSeed() {
  const a = new Uint32Array(2);
  globalThis.crypto.getRandomValues(a);
  return (a[0] & 0x1fffff) * 4294967296 + a[1];
}

const U32 = 4294967295;
const OPTIONS = ['initialMs', 'maxMs', 'multiplier', 'jitter', 'maxAttempts', 'healthyAfterMs', 'adaptive', 'seed', 'clock'];

class Backoff {
  constructor(core, ptr, clock) {
    this._core = core;
    this._ptr = ptr;
    this._clock = clock;
    registry.register(this, { core, ptr }, this);
  }

  _live() {
    if (this._ptr === 0) throw coreError(-8, 'backoff used after free()');
    return this._ptr;
  }

  /** The delay (ms) before the next attempt, or null when maxAttempts is exhausted. */
  next(now = this._clock()) {
    const d = this._core._lifeline_wasm_backoff_next(this._live(), now);
    if (d === EXHAUSTED) return null;
    return d;
  }

  reset() { this._core._lifeline_wasm_backoff_reset(this._live()); }

  /** The server's `retry:` field: a floor for every delay from now on. */
  setServerRetry(ms) { this._core._lifeline_wasm_backoff_set_server_retry(this._live(), checkNumber('retry', ms, 0, U32)); }

  /** The connection made progress: the next delay starts over. */
  progress() { this._core._lifeline_wasm_backoff_progress(this._live()); }

  /** An HTTP 429/503 Retry-After in ms: the next delay is at least this. */
  setRetryAfter(ms) { this._core._lifeline_wasm_backoff_set_retry_after(this._live(), checkNumber('retryAfter', ms, 0, U32)); }

  /** A connection was established; the backoff resets once it has lasted healthyAfterMs. */
  connected(now = this._clock()) { this._core._lifeline_wasm_backoff_connected(this._live(), now); }

  /** Applies the reset if the connection has been up long enough; true if it reset. */
  healthyCheck(now = this._clock()) { return this._core._lifeline_wasm_backoff_healthy_check(this._live(), now) === 1; }

  /** When healthyCheck would reset (ms on the clock), or Infinity. */
  deadline() { return this._core._lifeline_wasm_backoff_deadline(this._live()); }

  recordConnect(ms) { this._core._lifeline_wasm_backoff_record_connect(this._live(), checkNumber('connectMs', ms, 0, U32)); }
  recordOutcome(ok) { this._core._lifeline_wasm_backoff_record_outcome(this._live(), ok ? 1 : 0); }

  /** 'good' | 'moderate' | 'poor' */
  get quality() { return QUALITY[this._core._lifeline_wasm_backoff_quality(this._live())]; }
  /** Delays handed out since the last reset. */
  get attempt() { return this._core._lifeline_wasm_backoff_attempt(this._live()); }

  free() {
    if (this._ptr === 0) return;
    registry.unregister(this);
    this._core._lifeline_wasm_backoff_free(this._ptr);
    this._ptr = 0;
  }
}

/**
 * @param {import('./backoff.d.ts').BackoffOptions} [options]
 * @returns {Backoff}
 */
export function createBackoff(options = {}) {
  checkOptions(options, OPTIONS, 'createBackoff');
  const o = {
    initialMs: 1000, maxMs: 30000, multiplier: 1.6, jitter: 'full', maxAttempts: 0,
    healthyAfterMs: 5000, adaptive: true, seed: undefined, clock: defaultClock, ...options,
  };
  checkNumber('initialMs', o.initialMs, 1, U32, true);
  checkNumber('maxMs', o.maxMs, o.initialMs, U32, true);
  checkNumber('multiplier', o.multiplier, 1, 10);
  checkNumber('maxAttempts', o.maxAttempts, 0, U32, true);
  checkNumber('healthyAfterMs', o.healthyAfterMs, 0, U32, true);
  if (!(o.jitter in JITTER)) throw new TypeError(`jitter must be one of ${Object.keys(JITTER).join(', ')}, got ${String(o.jitter)}`);
  const seed = o.seed === undefined ? hostSeed() : checkNumber('seed', o.seed, 0, Number.MAX_SAFE_INTEGER, true);
  checkClock(o.clock);
  const core = getCore();
  const ptr = core._lifeline_wasm_backoff_new(o.initialMs, o.maxMs, o.multiplier, JITTER[o.jitter],
    o.maxAttempts, o.healthyAfterMs, o.adaptive ? 1 : 0, seed);
  if (ptr === 0) throw coreError(-2, 'createBackoff');
  return new Backoff(core, ptr, o.clock);
}
