/**
 * Circuit breaker over the C core (include/lifeline/breaker.h), plus `fire()`: run a
 * promise-returning function through the breaker, rejecting at once with a LifelineError
 * (code LIFELINE_ERR_REJECTED) while the circuit is open. Defaults and limits are the core's.
 */
import { getRouterCore, coreError } from './wasm.js';
import { coreConfigured, coreTables, errorNamed, lifelineError } from './core-tables.js';
import { checkNumber, checkOptions, checkNumbers, hostSeed } from './checks.js';
import { defaultClock } from './manager-env.js';

const U32 = 4294967295;
const registry = /* @__PURE__ */ new FinalizationRegistry(({ core, ptr }) => core._lifeline_wasm_breaker_free(ptr));

// The core's config fields, in order (src/platform/wasm_resilience.c).
const FIELDS = ['failureRateThreshold', 'windowMs', 'windowBuckets', 'minimumCalls', 'consecutiveFailures', 'openMs',
  'maxOpenMs', 'openJitter', 'halfOpenProbes', 'halfOpenSuccesses', 'halfOpenFailures', 'halfOpenTimeoutMs', 'slowCallMs', 'seed'];
const OPTIONS = [...FIELDS, 'clock', 'isFailure'];

class Breaker {
  #core;
  #timed;
  #ptr;
  #clock;
  #isFailure;
  #listeners = [];
  #rejectMessage = null;
  // True while the core reports CLOSED: allow() is then always true and changes nothing in the
  // core, so the Wasm call is skipped. Every call that can change the state refreshes it.
  #closed = true;

  constructor(core, ptr, clock, isFailure, timed) {
    this.#core = core;
    this.#timed = timed;
    this.#ptr = ptr;
    this.#clock = clock;
    this.#isFailure = isFailure;
    registry.register(this, { core, ptr }, this);
  }

  #live() {
    if (this.#ptr === 0) throw errorNamed('LIFELINE_ERR_STATE', 'breaker used after free()');
    return this.#ptr;
  }

  /** True when a call may start now; in half-open an allowed call is a probe and must report. */
  allow(now = this.#clock()) {
    if (this.#closed && this.#ptr !== 0) return true;
    const r = this.#core._lifeline_wasm_breaker_allow(this.#live(), now);
    this.#closed = (r & 12) === 0;
    if (r & 2) this.#drain();
    return (r & 1) === 1;
  }

  /** Applies the status word of record/tick/set_mode: state in bits 0-1, pending changes above. */
  #status(r) {
    this.#closed = (r & 3) === 0;
    if (r > 3) this.#drain();
  }

  /** Records an outcome: ok, latency in ms, time the call finished. */
  record(ok, latencyMs = 0, now = this.#clock()) {
    if (typeof latencyMs !== 'number' || !(latencyMs >= 0)) throw new RangeError(`latencyMs must be a number >= 0, got ${latencyMs}`);
    this.#status(this.#core._lifeline_wasm_breaker_record(this.#live(), ok ? 1 : 0, latencyMs, now));
  }

  onSuccess(now = this.#clock(), latencyMs = 0) { this.record(true, latencyMs, now); }
  onFailure(now = this.#clock(), latencyMs = 0) { this.record(false, latencyMs, now); }

  /** 'closed' | 'open' | 'half-open' as of `now` (applies due time-driven transitions). */
  state(now = this.#clock()) {
    const r = this.#core._lifeline_wasm_breaker_tick(this.#live(), now);
    this.#status(r);
    return coreTables(this.#core).breakerState[r & 3];
  }

  /** When the breaker changes state by itself (ms on the clock), or Infinity. */
  deadline() { return this.#core._lifeline_wasm_breaker_deadline(this.#live()); }

  /** Applies due time-driven transitions (call at deadline()). */
  tick(now = this.#clock()) { this.state(now); }

  snapshot(now = this.#clock()) {
    const core = this.#core;
    const p = core._lifeline_wasm_breaker_snapshot(this.#live(), now) >> 3;
    const v = core.HEAPF64.subarray(p, p + 13);
    const snap = {
      state: coreTables(core).breakerState[v[0]], mode: coreTables(core).breakerMode[v[1]], failureRate: v[2], calls: v[3], failures: v[4],
      consecutiveFailures: v[5], msUntilHalfOpen: v[6], breakMs: v[7], probesAdmitted: v[8],
      probeSuccesses: v[9], probeFailures: v[10], trips: v[11], rejected: v[12],
    };
    this.#closed = v[0] === 0;
    this.#drain(); // the snapshot's tick may have changed the state
    return snap;
  }

  /** Calls cb(change) on every state change; returns a function that removes it. */
  onStateChange(cb) {
    if (typeof cb !== 'function') throw new TypeError('onStateChange expects a function');
    this.#listeners.push(cb);
    return () => { this.#listeners = this.#listeners.filter((f) => f !== cb); };
  }

  forceOpen(now = this.#clock()) { this.#mode(1, now); }
  forceClosed(now = this.#clock()) { this.#mode(2, now); }
  disable(now = this.#clock()) { this.#mode(3, now); }
  /** Back to normal operation: closed, empty window, break duration reset. */
  reset(now = this.#clock()) { this.#mode(0, now); }

  #mode(mode, now) {
    const r = this.#core._lifeline_wasm_breaker_set_mode(this.#live(), mode, now);
    if (r < 0) throw coreError(r, 'breaker mode');
    this.#status(r);
  }

  #drain() {
    const core = this.#core;
    const names = coreTables(core);
    while (this.#ptr !== 0 && core._lifeline_wasm_breaker_poll_change(this.#ptr)) {
      const p = core._lifeline_wasm_scratch() >> 3;
      const v = core.HEAPF64.subarray(p, p + 9);
      const change = {
        from: names.breakerState[v[0]], to: names.breakerState[v[1]], reason: names.breakerReason[v[2]], at: v[3], failureRate: v[4],
        calls: v[5], failures: v[6], consecutiveFailures: v[7], breakMs: v[8],
      };
      for (const cb of this.#listeners) {
        try { cb(change); } catch (err) { queueMicrotask(() => { throw err; }); }
      }
    }
  }

  #rejected() {
    this.#rejectMessage ??= errorNamed('LIFELINE_ERR_REJECTED', 'circuit breaker').message;
    return lifelineError('LIFELINE_ERR_REJECTED', this.#rejectMessage);
  }

  /**
   * Runs fn(...args) through the breaker: rejects at once with LIFELINE_ERR_REJECTED when the
   * call is not allowed, otherwise records the outcome when fn's promise settles. The clock is
   * read once per call; with slowCallMs set it is read again at the end to measure the latency.
   */
  fire(fn, ...args) {
    if (typeof fn !== 'function') return Promise.reject(new TypeError('fire expects a function'));
    const ptr = this.#ptr || this.#live();
    const t0 = this.#clock();
    if (!this.#closed) {
      const r = this.#core._lifeline_wasm_breaker_allow(ptr, t0);
      this.#closed = (r & 12) === 0;
      if (r & 2) this.#drain();
      if ((r & 1) === 0) return Promise.reject(this.#rejected());
    }
    return this.#run(fn, args, t0);
  }

  async #run(fn, args, t0) {
    let value;
    try {
      value = await fn(...args);
    } catch (err) {
      this.#settle(this.#isFailure(err), t0);
      throw err;
    }
    this.#settle(false, t0);
    return value;
  }

  /** fire() bound to fn: returns a function with fn's arguments. */
  wrap(fn) {
    if (typeof fn !== 'function') throw new TypeError('wrap expects a function');
    return (...args) => this.fire(fn, ...args);
  }

  #settle(failed, t0) {
    if (this.#ptr === 0) return; // freed while the call was in flight
    // Without a slow-call rule the latency decides nothing: skip the second clock read (about
    // 50 ns in Node) and record at the start time (the core clamps it to the latest time seen).
    let t1 = t0;
    if (this.#timed) t1 = this.#clock();
    const lat = t1 > t0 ? t1 - t0 : 0;
    this.#status(this.#core._lifeline_wasm_breaker_record(this.#ptr, failed ? 0 : 1, lat, t1));
  }

  free() {
    if (this.#ptr === 0) return;
    registry.unregister(this);
    this.#core._lifeline_wasm_breaker_free(this.#ptr);
    this.#ptr = 0;
  }
}

/**
 * @param {import('./breaker.d.ts').BreakerOptions} [options]
 */
export function createBreaker(options = {}) {
  checkOptions(options, OPTIONS, 'createBreaker');
  checkNumbers(options, FIELDS);
  const isFailure = options.isFailure ?? (() => true);
  if (typeof isFailure !== 'function') throw new TypeError('isFailure must be a function (error) => boolean');
  const core = getRouterCore('createBreaker');
  const { ptr, values } = coreConfigured('breaker', FIELDS, { ...options, seed: options.seed ?? hostSeed() }, 'createBreaker', core);
  return new Breaker(core, ptr, options.clock ?? defaultClock(), (err) => !!isFailure(err), values.slowCallMs > 0);
}
