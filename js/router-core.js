/**
 * The C router (src/router*.c) seen from JS: one Wasm handle, its config set by field name,
 * strings copied in for the length of a call, actions and service figures decoded into plain
 * objects at once (no view into Wasm memory is kept), and the platform's Emscripten fetch.
 * Internal to js/router.js, as js/manager-core.js is to js/manager.js.
 */
import { getRouterCore, coreError } from './wasm.js';
import { coreTables, errorNamed } from './core-tables.js';

export const ACT_CALL = 1;
export const ACT_CANCEL = 2;
export const ACT_PROBE = 3;
export const ACT_DONE = 4;
export const ACT_HEALTH = 5;
export const ACT_DEGRADED = 6;
export const ACT_RECOVERED = 7;

const ACTION_WORDS = 15; // int32 per action (src/platform/wasm_router.c)
const INFO_FIELDS = 16; // doubles per service figure set
const MAX_CAP_STRINGS = 64;

/** Router options (camelCase) -> the core's config field names. */
const CONFIG_KEYS = {
  probeIntervalMs: 'probe_interval_ms', probeTimeoutMs: 'probe_timeout_ms', probeJitterPercent: 'probe_jitter_percent',
  probeDownAfter: 'probe_down_after', hedgeMs: 'hedge_ms', minAttemptTimeoutMs: 'min_attempt_timeout_ms',
  coldTimeoutMs: 'cold_timeout_ms', deadlineMs: 'default_deadline_ms', slowMs: 'slow_ms',
  retryBudgetPercent: 'retry_budget_percent', retryBudgetWindowMs: 'retry_budget_window_ms',
  retryBudgetReservePerSecond: 'retry_budget_reserve_per_s', breakerFailurePercent: 'breaker_failure_percent',
  breakerMinCalls: 'breaker_min_calls', breakerWindowMs: 'breaker_window_ms', breakerConsecutiveFailures: 'breaker_consecutive',
  breakerOpenMs: 'breaker_open_ms', breakerMaxOpenMs: 'breaker_max_open_ms', seed: 'seed',
};

/** The router option names that are the core's config. */
export const CONFIG_OPTIONS = Object.keys(CONFIG_KEYS);

const encoder = /* @__PURE__ */ new TextEncoder();

export class CoreRouter {
  #m;
  #ptr;
  #capPtrs = new Map(); // capability name -> its NUL-terminated copy in Wasm memory
  #capNames = [];
  #flagsPtr = 0; // one int32 for streamPick's flags
  /** The statuses complete() takes for a fetch that failed (network error) or timed out. */
  networkError;
  timedOut;

  /** A router from `options` (the core judges every value); handlers get the platform fetch's results. */
  constructor(options, handlers) {
    this.#m = getRouterCore('createRouter');
    this.#ptr = this.#build(options);
    const m = this.#m;
    const o = m._lifeline_wasm_router_outcomes() >> 2;
    [this.networkError, this.timedOut] = m.HEAP32.subarray(o, o + 2);
    if (!m.lifelineRouters) m.lifelineRouters = new Map();
    m.lifelineRouters.set(this.#ptr, handlers);
  }

  #build(options) {
    const m = this.#m;
    const cfg = m._lifeline_wasm_router_config_new();
    if (!cfg) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'createRouter');
    try {
      for (const [key, field] of Object.entries(CONFIG_KEYS)) {
        if (options[key] === undefined) continue;
        const rc = this.#withStrings([field], (f) => m._lifeline_wasm_router_config_set(cfg, f, Number(options[key])));
        if (rc < 0) throw coreError(rc, `createRouter: option ${key} = ${options[key]}`);
      }
      const ptr = m._lifeline_wasm_router_new(cfg);
      if (!ptr) throw errorNamed('LIFELINE_ERR_INVALID_ARGUMENT', 'createRouter: inconsistent options');
      return ptr;
    } finally {
      m._free(cfg);
    }
  }

  /** Copies strings into Wasm memory for the duration of fn (NUL-terminated UTF-8; null stays 0). */
  #withStrings(strings, fn) {
    const m = this.#m;
    const ptrs = strings.map((s) => {
      if (s == null) return 0;
      const n = m.lengthBytesUTF8(s) + 1;
      const p = m._malloc(n);
      m.stringToUTF8(s, p, n);
      return p;
    });
    try {
      return fn(...ptrs);
    } finally {
      ptrs.forEach((p) => p && m._free(p));
    }
  }

  /** A capability name in Wasm memory, copied once per name (at most 64 kept; freed on free()). */
  #capPtr(name) {
    let p = this.#capPtrs.get(name);
    if (p) return p;
    const m = this.#m;
    const n = m.lengthBytesUTF8(name) + 1;
    p = m._malloc(n);
    m.stringToUTF8(name, p, n);
    if (this.#capPtrs.size >= MAX_CAP_STRINGS) {
      const [oldName, oldPtr] = this.#capPtrs.entries().next().value;
      this.#capPtrs.delete(oldName);
      m._free(oldPtr);
    }
    this.#capPtrs.set(name, p);
    return p;
  }

  #capName(i) {
    let n = this.#capNames[i];
    if (n === undefined) n = this.#capNames[i] = this.#m.UTF8ToString(this.#m._lifeline_wasm_router_capability_name(this.#ptr, i));
    return n;
  }

  addService({ name, baseUrl, capabilities, priority, maxAttemptTimeoutMs, healthPath }, now) {
    return this.#withStrings([name, baseUrl, capabilities, healthPath], (n, u, c, h) =>
      this.#m._lifeline_wasm_router_add_service(this.#ptr, n, u, c, priority, maxAttemptTimeoutMs, h, now));
  }

  request(capability, timeoutMs, now) {
    return this.#m._lifeline_wasm_router_request(this.#ptr, this.#capPtr(capability), timeoutMs, now);
  }

  abort(id, now) { return this.#m._lifeline_wasm_router_abort(this.#ptr, id, now); }
  complete(id, status, now) { return this.#m._lifeline_wasm_router_complete(this.#ptr, id, status, now); }
  tick(now) { this.#m._lifeline_wasm_router_tick(this.#ptr, now); }
  /** The next deadline (ms), or -1 for none. */
  deadline() { return this.#m._lifeline_wasm_router_deadline(this.#ptr); }
  setOnline(online, now) { return this.#m._lifeline_wasm_router_set_online(this.#ptr, online ? 1 : 0, now); }

  /** A health hint (health index) for service i, valid ttlMs; 0 or an error code. */
  hint(i, health, ttlMs, now) { return this.#m._lifeline_wasm_router_hint(this.#ptr, i, health, ttlMs, now); }

  explain(capability, now) {
    const m = this.#m;
    return this.#withStrings([capability], (c) => m.UTF8ToString(m._lifeline_wasm_router_explain(this.#ptr, c, now)));
  }

  /** The next queued action as a plain object, or null. */
  nextAction() {
    const m = this.#m;
    const p = m._lifeline_wasm_router_next_action(this.#ptr);
    if (!p) return null;
    const v = m.HEAP32.subarray(p >> 2, (p >> 2) + ACTION_WORDS);
    const a = {
      kind: v[0], id: v[1] >>> 0, request: v[2] >>> 0, service: v[3], capability: v[4], timeoutMs: v[5],
      attempt: v[6], status: v[7], code: v[8], degraded: v[9] !== 0, health: v[10], oldHealth: v[11], message: '',
      latencyMs: v[13], elapsedMs: v[14],
    };
    if (a.kind === ACT_DONE && a.code) a.message = m.UTF8ToString(v[12] >>> 0);
    if (a.capability >= 0 && (a.kind === ACT_DEGRADED || a.kind === ACT_RECOVERED)) a.capabilityName = this.#capName(a.capability);
    return a;
  }

  /** Service i's figures in core time (ms), or null for an unknown index. */
  info(i, now) {
    const m = this.#m;
    const p = m._lifeline_wasm_router_info(this.#ptr, i, now);
    if (!p) return null;
    const [health, since, p50, p95, p99, errorRate, samples, lastErrorAt, breakerRetryAt, attemptTimeoutMs, calls, failures,
      recoveringOk, recoverChecks, hint, hintUntil] = m.HEAPF64.subarray(p >> 3, (p >> 3) + INFO_FIELDS);
    const text = (which) => m.UTF8ToString(m._lifeline_wasm_router_info_text(this.#ptr, i, which, now));
    return {
      state: coreTables(m).health[health], since, p50, p95, p99, errorRate, samples, lastErrorAt, breakerRetryAt,
      attemptTimeoutMs, calls, failures, recoveringOk, recoverChecks, lastError: text(1), breaker: text(2),
      hint: hint >= 0 ? coreTables(m).health[hint] : null, hintUntil,
    };
  }

  /** The health name of a HEALTH action's old state. */
  healthName(h) { return coreTables(this.#m).health[h]; }

  /** The health names, by value ('healthy', 'degraded', 'down'). */
  healthNames() { return coreTables(this.#m).health; }

  /** Starts attempt or probe `id` through the Emscripten fetch API; false when it could not start. */
  fetch(id, method, url, headers, body, timeoutMs) {
    const m = this.#m;
    const block = Object.entries(headers).map(([k, v]) => `${k}\0${v}\0`).join('') + '\0';
    const bytes = body == null ? null : typeof body === 'string' ? encoder.encode(body) : body;
    const bodyPtr = bytes && bytes.length ? m._malloc(bytes.length) : 0;
    if (bodyPtr) m.HEAPU8.set(bytes, bodyPtr);
    const blockLen = m.lengthBytesUTF8(block) + 1;
    const hp = m._malloc(blockLen);
    m.stringToUTF8(block, hp, blockLen);
    try {
      return this.#withStrings([method, url], (mp, up) =>
        m._lifeline_wasm_router_fetch(this.#ptr, id, mp, up, hp, bodyPtr, bytes ? bytes.length : 0, timeoutMs)) >= 0;
    } finally {
      m._free(hp);
      if (bodyPtr) m._free(bodyPtr);
    }
  }

  /**
   * Streamed calls (include/lifeline/router.h): the service for the next attempt of a call for
   * `capability`, given the bit mask of services it tried. Returns { service, degraded, trial }
   * or { code } (negative: LIFELINE_ERR_UNAVAILABLE when no service may take it now).
   */
  streamPick(capability, tried, now) {
    const m = this.#m;
    if (!this.#flagsPtr) this.#flagsPtr = m._malloc(4);
    const rc = m._lifeline_wasm_router_stream_pick(this.#ptr, this.#capPtr(capability), tried >>> 0, now, this.#flagsPtr);
    if (rc < 0) return { code: rc };
    const flags = m.HEAP32[this.#flagsPtr >> 2];
    return { service: rc, degraded: (flags & 1) !== 0, trial: (flags & 2) !== 0 };
  }

  /** Feeds an ended attempt (a CoreAttempt's pointer) on service i to breakers and health. */
  streamRecord(i, attemptPtr, now) { return this.#m._lifeline_wasm_router_stream_record(this.#ptr, i, attemptPtr, now); }

  /** Gives back service i's half-open trial taken by an attempt the caller aborted. */
  streamRelease(i, now) { return this.#m._lifeline_wasm_router_stream_release(this.#ptr, i, now); }

  cancel(id) { this.#m._lifeline_wasm_router_cancel(this.#ptr, id); }

  free() {
    const m = this.#m;
    m.lifelineRouters.delete(this.#ptr);
    m._lifeline_wasm_router_free(this.#ptr);
    for (const p of this.#capPtrs.values()) m._free(p);
    if (this.#flagsPtr) m._free(this.#flagsPtr);
    this.#flagsPtr = 0;
    this.#capPtrs.clear();
  }
}
