/**
 * Reconnection backoff over the C core (include/lifeline/backoff.h): exponential delays with
 * full/equal/decorrelated jitter, the server's `retry:` as base, Retry-After as a floor, network
 * quality adaptation and a reset only after a connection stayed healthy. Defaults and limits are
 * the core's.
 */
import { getRouterCore } from './wasm.js';
import { coreConfigured, coreTables, errorNamed, jitterOf } from './core-tables.js';
import { defaultClock } from './manager-env.js';
import { checkNumber, checkNumbers, checkOptions, hostSeed } from './checks.js';

const registry = /* @__PURE__ */ new FinalizationRegistry(({ core, ptr }) => core._lifeline_wasm_backoff_free(ptr));
const U32 = 4294967295;


// The core's config fields, in order (src/platform/wasm_resilience.c).
const FIELDS = ['initialMs', 'maxMs', 'multiplier', 'jitter', 'maxAttempts', 'healthyAfterMs', 'adaptive', 'seed'];
const OPTIONS = [...FIELDS, 'clock'];

class Backoff {
  #core;
  #ptr;
  #clock;

  constructor(core, ptr, clock) {
    this.#core = core;
    this.#ptr = ptr;
    this.#clock = clock;
    registry.register(this, { core, ptr }, this);
  }

  #live() {
    if (this.#ptr === 0) throw errorNamed('LIFELINE_ERR_STATE', 'backoff used after free()');
    return this.#ptr;
  }

  /** The delay (ms) before the next attempt, or null when maxAttempts is exhausted. */
  next(now = this.#clock()) {
    const d = this.#core._lifeline_wasm_backoff_next(this.#live(), now);
    return d === coreTables(this.#core).codes.LIFELINE_ERR_EXHAUSTED ? null : d;
  }

  reset() { this.#core._lifeline_wasm_backoff_reset(this.#live()); }

  /** The server's `retry:` field: a floor for every delay from now on. */
  setServerRetry(ms) { this.#core._lifeline_wasm_backoff_set_server_retry(this.#live(), checkNumber('retry', ms, 0, U32)); }

  /** The connection made progress: the next delay starts over. */
  progress() { this.#core._lifeline_wasm_backoff_progress(this.#live()); }

  /** An HTTP 429/503 Retry-After in ms: the next delay is at least this. */
  setRetryAfter(ms) { this.#core._lifeline_wasm_backoff_set_retry_after(this.#live(), checkNumber('retryAfter', ms, 0, U32)); }

  /** A connection was established; the backoff resets once it has lasted healthyAfterMs. */
  connected(now = this.#clock()) { this.#core._lifeline_wasm_backoff_connected(this.#live(), now); }

  /** Applies the reset if the connection has been up long enough; true if it reset. */
  healthyCheck(now = this.#clock()) { return this.#core._lifeline_wasm_backoff_healthy_check(this.#live(), now) === 1; }

  /** When healthyCheck would reset (ms on the clock), or Infinity. */
  deadline() { return this.#core._lifeline_wasm_backoff_deadline(this.#live()); }

  recordConnect(ms) { this.#core._lifeline_wasm_backoff_record_connect(this.#live(), checkNumber('connectMs', ms, 0, U32)); }
  recordOutcome(ok) { this.#core._lifeline_wasm_backoff_record_outcome(this.#live(), ok ? 1 : 0); }

  /** 'good' | 'moderate' | 'poor' */
  get quality() { return coreTables(this.#core).netQuality[this.#core._lifeline_wasm_backoff_quality(this.#live())]; }
  /** Delays handed out since the last reset. */
  get attempt() { return this.#core._lifeline_wasm_backoff_attempt(this.#live()); }

  free() {
    if (this.#ptr === 0) return;
    registry.unregister(this);
    this.#core._lifeline_wasm_backoff_free(this.#ptr);
    this.#ptr = 0;
  }
}

/**
 * @param {import('./backoff.d.ts').BackoffOptions} [options]
 * @returns {Backoff}
 */
export function createBackoff(options = {}) {
  const core = getRouterCore('createBackoff');
  checkOptions(options, OPTIONS, 'createBackoff');
  checkNumbers(options, ['initialMs', 'maxMs', 'multiplier', 'maxAttempts', 'healthyAfterMs', 'seed']);
  if (options.jitter !== undefined && typeof options.jitter !== 'string') {
    throw new TypeError(`jitter must be a string (none, full, equal or decorrelated), got ${typeof options.jitter}`);
  }
  const given = { ...options, seed: options.seed ?? hostSeed() };
  if (options.jitter !== undefined) given.jitter = jitterOf(options.jitter);
  if (options.adaptive !== undefined) given.adaptive = options.adaptive ? 1 : 0;
  let ptr;
  try {
    ({ ptr } = coreConfigured('backoff', FIELDS, given, 'createBackoff', core));
  } catch (err) {
    if (options.jitter !== undefined) err.message = err.message.replace(`jitter = ${given.jitter}`, `jitter = ${JSON.stringify(options.jitter)}`);
    throw err;
  }
  return new Backoff(core, ptr, options.clock ?? defaultClock());
}
