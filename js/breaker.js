/**
 * Circuit breaker over the C core (include/lifeline/breaker.h), plus `fire()`: run a
 * promise-returning function through the breaker, rejecting at once with a LifelineError
 * (code LIFELINE_ERR_REJECTED) while the circuit is open.
 */
import { getCore, coreError } from './wasm.js';
import { LifelineError } from './errors.js';
import { checkNumber, checkClock, checkOptions, hostSeed } from './backoff.js';

const STATES = ['closed', 'open', 'half-open'];
const MODES = ['normal', 'forced-open', 'forced-closed', 'disabled'];
const REASONS = ['consecutive-failures', 'failure-rate', 'break-elapsed', 'probes-succeeded',
  'probes-failed', 'half-open-timeout', 'forced'];
const ERR_REJECTED = -9;
const U32 = 4294967295;

const defaultClock = () => performance.now();
const registry = new FinalizationRegistry(({ core, ptr }) => core._lifeline_wasm_breaker_free(ptr));

const DEFAULTS = {
  failureRateThreshold: 0.5, windowMs: 60000, windowBuckets: 0, minimumCalls: 10,
  consecutiveFailures: 5, openMs: 5000, maxOpenMs: 60000, openJitter: 0.2, halfOpenProbes: 3,
  halfOpenSuccesses: 2, halfOpenFailures: 2, halfOpenTimeoutMs: 10000, slowCallMs: 0,
};
const OPTIONS = [...Object.keys(DEFAULTS), 'seed', 'clock', 'isFailure'];

class Breaker {
  constructor(core, ptr, clock, isFailure, timed) {
    this._core = core;
    this._timed = timed;
    this._ptr = ptr;
    this._clock = clock;
    this._isFailure = isFailure;
    this._listeners = [];
    this._rejectMessage = null;
    // True while the core reports CLOSED: allow() is then always true and changes nothing in the
    // core, so the Wasm call is skipped. Every call that can change the state refreshes it.
    this._closed = true;
    registry.register(this, { core, ptr }, this);
  }

  _live() {
    if (this._ptr === 0) throw coreError(-8, 'breaker used after free()');
    return this._ptr;
  }

  /** True when a call may start now; in half-open an allowed call is a probe and must report. */
  allow(now = this._clock()) {
    if (this._closed && this._ptr !== 0) return true;
    const r = this._core._lifeline_wasm_breaker_allow(this._live(), now);
    this._closed = (r & 12) === 0;
    if (r & 2) this._drain();
    return (r & 1) === 1;
  }

  /** Applies the status word of record/tick/set_mode: state in bits 0-1, pending changes above. */
  _status(r) {
    this._closed = (r & 3) === 0;
    if (r > 3) this._drain();
  }

  /** Records an outcome: ok, latency in ms, time the call finished. */
  record(ok, latencyMs = 0, now = this._clock()) {
    if (typeof latencyMs !== 'number' || !(latencyMs >= 0)) throw new RangeError(`latencyMs must be a number >= 0, got ${latencyMs}`);
    this._status(this._core._lifeline_wasm_breaker_record(this._live(), ok ? 1 : 0, latencyMs, now));
  }

  onSuccess(now = this._clock(), latencyMs = 0) { this.record(true, latencyMs, now); }
  onFailure(now = this._clock(), latencyMs = 0) { this.record(false, latencyMs, now); }

  /** 'closed' | 'open' | 'half-open' as of `now` (applies due time-driven transitions). */
  state(now = this._clock()) {
    const r = this._core._lifeline_wasm_breaker_tick(this._live(), now);
    this._status(r);
    return STATES[r & 3];
  }

  /** When the breaker changes state by itself (ms on the clock), or Infinity. */
  deadline() { return this._core._lifeline_wasm_breaker_deadline(this._live()); }

  /** Applies due time-driven transitions (call at deadline()). */
  tick(now = this._clock()) { this.state(now); }

  snapshot(now = this._clock()) {
    const core = this._core;
    const p = core._lifeline_wasm_breaker_snapshot(this._live(), now) >> 3;
    const v = core.HEAPF64.subarray(p, p + 13);
    const snap = {
      state: STATES[v[0]], mode: MODES[v[1]], failureRate: v[2], calls: v[3], failures: v[4],
      consecutiveFailures: v[5], msUntilHalfOpen: v[6], breakMs: v[7], probesAdmitted: v[8],
      probeSuccesses: v[9], probeFailures: v[10], trips: v[11], rejected: v[12],
    };
    this._closed = v[0] === 0;
    this._drain(); // the snapshot's tick may have changed the state
    return snap;
  }

  /** Calls cb(change) on every state change; returns a function that removes it. */
  onStateChange(cb) {
    if (typeof cb !== 'function') throw new TypeError('onStateChange expects a function');
    this._listeners.push(cb);
    return () => { this._listeners = this._listeners.filter((f) => f !== cb); };
  }

  forceOpen(now = this._clock()) { this._mode(1, now); }
  forceClosed(now = this._clock()) { this._mode(2, now); }
  disable(now = this._clock()) { this._mode(3, now); }
  /** Back to normal operation: closed, empty window, break duration reset. */
  reset(now = this._clock()) { this._mode(0, now); }

  _mode(mode, now) {
    const r = this._core._lifeline_wasm_breaker_set_mode(this._live(), mode, now);
    if (r < 0) throw coreError(r, 'breaker mode');
    this._status(r);
  }

  _drain() {
    const core = this._core;
    while (this._ptr !== 0 && core._lifeline_wasm_breaker_poll_change(this._ptr)) {
      const p = core._lifeline_wasm_scratch() >> 3;
      const v = core.HEAPF64.subarray(p, p + 9);
      const change = {
        from: STATES[v[0]], to: STATES[v[1]], reason: REASONS[v[2]], at: v[3], failureRate: v[4],
        calls: v[5], failures: v[6], consecutiveFailures: v[7], breakMs: v[8],
      };
      for (const cb of this._listeners) {
        try { cb(change); } catch (err) { queueMicrotask(() => { throw err; }); }
      }
    }
  }

  _rejected() {
    this._rejectMessage ??= coreError(ERR_REJECTED, 'circuit breaker').message;
    return new LifelineError(ERR_REJECTED, this._rejectMessage, 'LIFELINE_ERR_REJECTED');
  }

  /**
   * Runs fn(...args) through the breaker: rejects at once with LIFELINE_ERR_REJECTED when the
   * call is not allowed, otherwise records the outcome when fn's promise settles. The clock is
   * read once per call; with slowCallMs set it is read again at the end to measure the latency.
   */
  fire(fn, ...args) {
    if (typeof fn !== 'function') return Promise.reject(new TypeError('fire expects a function'));
    const ptr = this._ptr || this._live();
    const t0 = this._clock();
    if (!this._closed) {
      const r = this._core._lifeline_wasm_breaker_allow(ptr, t0);
      this._closed = (r & 12) === 0;
      if (r & 2) this._drain();
      if ((r & 1) === 0) return Promise.reject(this._rejected());
    }
    return this._run(fn, args, t0);
  }

  async _run(fn, args, t0) {
    let value;
    try {
      value = await fn(...args);
    } catch (err) {
      this._settle(this._isFailure(err), t0);
      throw err;
    }
    this._settle(false, t0);
    return value;
  }

  /** fire() bound to fn: returns a function with fn's arguments. */
  wrap(fn) {
    if (typeof fn !== 'function') throw new TypeError('wrap expects a function');
    return (...args) => this.fire(fn, ...args);
  }

  _settle(failed, t0) {
    if (this._ptr === 0) return; // freed while the call was in flight
    // Without a slow-call rule the latency decides nothing: skip the second clock read (about
    // 50 ns in Node) and record at the start time (the core clamps it to the latest time seen).
    let t1 = t0;
    if (this._timed) t1 = this._clock();
    const lat = t1 > t0 ? t1 - t0 : 0;
    this._status(this._core._lifeline_wasm_breaker_record(this._ptr, failed ? 0 : 1, lat, t1));
  }

  free() {
    if (this._ptr === 0) return;
    registry.unregister(this);
    this._core._lifeline_wasm_breaker_free(this._ptr);
    this._ptr = 0;
  }
}

/**
 * @param {import('./breaker.d.ts').BreakerOptions} [options]
 */
export function createBreaker(options = {}) {
  checkOptions(options, OPTIONS, 'createBreaker');
  const o = { ...DEFAULTS, seed: undefined, clock: defaultClock, isFailure: () => true, ...options };
  const th = o.failureRateThreshold;
  if (typeof th !== 'number' || !(th > 0 && th <= 1)) throw new RangeError(`failureRateThreshold must be in (0, 1], got ${th}`);
  checkNumber('windowMs', o.windowMs, 1, U32, true);
  checkNumber('windowBuckets', o.windowBuckets, 0, 64, true);
  if (o.windowBuckets && o.windowMs % o.windowBuckets) throw new RangeError(`windowBuckets (${o.windowBuckets}) must divide windowMs (${o.windowMs})`);
  checkNumber('minimumCalls', o.minimumCalls, 0, U32, true);
  checkNumber('consecutiveFailures', o.consecutiveFailures, 0, U32, true);
  checkNumber('openMs', o.openMs, 1, U32, true);
  checkNumber('maxOpenMs', o.maxOpenMs, o.openMs, U32, true);
  checkNumber('openJitter', o.openJitter, 0, 0.9);
  checkNumber('halfOpenProbes', o.halfOpenProbes, 1, U32, true);
  checkNumber('halfOpenSuccesses', o.halfOpenSuccesses, 1, o.halfOpenProbes, true);
  checkNumber('halfOpenFailures', o.halfOpenFailures, 1, o.halfOpenProbes, true);
  if (o.halfOpenSuccesses + o.halfOpenFailures - 1 > o.halfOpenProbes) {
    throw new RangeError('halfOpenSuccesses + halfOpenFailures - 1 must not exceed halfOpenProbes (otherwise half-open could never decide)');
  }
  checkNumber('halfOpenTimeoutMs', o.halfOpenTimeoutMs, 1, U32, true);
  checkNumber('slowCallMs', o.slowCallMs, 0, U32, true);
  const seed = o.seed === undefined ? hostSeed() : checkNumber('seed', o.seed, 0, Number.MAX_SAFE_INTEGER, true);
  checkClock(o.clock);
  if (typeof o.isFailure !== 'function') throw new TypeError('isFailure must be a function (error) => boolean');
  const core = getCore();
  const cfg = core._malloc(14 * 8);
  if (cfg === 0) throw coreError(-2, 'createBreaker');
  core.HEAPF64.set([th, o.windowMs, o.windowBuckets, o.minimumCalls, o.consecutiveFailures, o.openMs,
    o.maxOpenMs, o.openJitter, o.halfOpenProbes, o.halfOpenSuccesses, o.halfOpenFailures,
    o.halfOpenTimeoutMs, o.slowCallMs, seed], cfg >> 3);
  const ptr = core._lifeline_wasm_breaker_new(cfg);
  core._free(cfg);
  if (ptr === 0) throw coreError(-1, 'createBreaker: configuration rejected by the core');
  const isFailure = o.isFailure;
  return new Breaker(core, ptr, o.clock, (err) => !!isFailure(err), o.slowCallMs > 0);
}
