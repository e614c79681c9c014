/**
 * AI-service router: the JS side of the C router (src/router.c). The core decides (which service,
 * which timeout, when to fail over, hedge, probe); this file performs its actions, owns the one
 * timer, and turns outcomes into promises and events.
 *
 * Transport: in browsers the calls and health probes go through Emscripten's fetch API from C
 * (src/platform/wasm_router.c). Elsewhere (Node), or when `transport` is given, through
 * `transport.fetch({ url, method, headers, body, timeoutMs, signal })` which resolves with
 * `{ status, headers, body }` or rejects on a network error.
 */
import { getCore, coreError } from './wasm.js';
import { LifelineError } from './errors.js';

const CALL = 1, CANCEL = 2, PROBE = 3, DONE = 4, HEALTH = 5, DEGRADED = 6, RECOVERED = 7;
const HEALTH_NAMES = ['healthy', 'degraded', 'down'];
const ERR_INVALID = -1, ERR_STATE = -8;

/** Router options (camelCase) -> core config fields. */
const CONFIG_KEYS = {
  probeIntervalMs: 'probe_interval_ms',
  probeTimeoutMs: 'probe_timeout_ms',
  probeJitterPercent: 'probe_jitter_percent',
  probeDownAfter: 'probe_down_after',
  hedgeMs: 'hedge_ms',
  minAttemptTimeoutMs: 'min_attempt_timeout_ms',
  coldTimeoutMs: 'cold_timeout_ms',
  timeoutMs: 'default_deadline_ms',
  slowMs: 'slow_ms',
  retryBudgetPercent: 'retry_budget_percent',
  retryBudgetWindowMs: 'retry_budget_window_ms',
  retryBudgetReservePerSecond: 'retry_budget_reserve_per_s',
  breakerFailurePercent: 'breaker_failure_percent',
  breakerMinCalls: 'breaker_min_calls',
  breakerWindowMs: 'breaker_window_ms',
  breakerConsecutiveFailures: 'breaker_consecutive',
  breakerOpenMs: 'breaker_open_ms',
  breakerMaxOpenMs: 'breaker_max_open_ms',
  seed: 'seed',
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A transport over the global fetch() (Node 18+, browsers). */
export const fetchTransport = {
  async fetch({ url, method, headers, body, signal }) {
    const res = await fetch(url, { method, headers, body, signal });
    const text = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers), body: text };
  },
};

/**
 * @param {import('./router.d.ts').RouterOptions} options
 * @returns {Router}
 */
export function createRouter(options) {
  return new Router(options);
}

function parseHeaders(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function bodyOf(body, headers) {
  if (body == null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(body);
}

export class Router {
  constructor(options = {}) {
    const core = (this.core = getCore());
    const services = options.services || [];
    if (!services.length) throw new LifelineError(ERR_INVALID, 'createRouter: `services` is empty', 'LIFELINE_ERR_INVALID_ARGUMENT');
    this.lastNow = 0;
    this.capPtrs = new Map();
    this.capNames = [];
    // Wall-clock origin of the monotonic clock: health timestamps stay stable between reads.
    this.wallOrigin = Date.now() - this.now();
    this.snapshot = null;
    this.dirty = true;
    this.storeListeners = new Set();
    this.notifyQueued = false;
    this.ptr = this.newCore(options);
    this.services = [];
    this.pending = new Map();   // request id -> { resolve, reject, path, method, body, headers, capability }
    this.attempts = new Map();  // attempt id -> request id
    this.responses = new Map(); // attempt id -> { status, headers, body }
    this.inflight = new Map();  // attempt/probe id -> AbortController (JS transport)
    this.listeners = { health: new Set(), degraded: new Set(), recovered: new Set() };
    this.timer = null;
    this.timerAt = -1;
    this.pumping = false;
    this.again = false;
    this.closed = false;
    this.useCoreFetch = !options.transport && typeof XMLHttpRequest !== 'undefined';
    this.transport = options.transport || fetchTransport;
    try {
      services.forEach((s, i) => this.addService(s, i));
    } catch (e) {
      core._lifeline_wasm_router_free(this.ptr);
      throw e;
    }
    if (!core.lifelineRouters) core.lifelineRouters = new Map();
    core.lifelineRouters.set(this.ptr, {
      onResponse: (id, status, bytes, headersText) => this.onResponse(id, status, bytes, headersText),
      wake: () => this.pump(),
    });
    this.onlineHandler = null;
    if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') {
      this.onlineHandler = () => this.setOnline(navigator.onLine !== false);
      window.addEventListener('online', this.onlineHandler);
      window.addEventListener('offline', this.onlineHandler);
      if (typeof navigator !== 'undefined' && navigator.onLine === false) this.setOnline(false);
    }
    this.pump();
  }

  /** Monotonic ms; never goes back (the core also clamps). */
  now() {
    const t = Math.floor(typeof performance !== 'undefined' ? performance.now() : Date.now());
    if (t > this.lastNow) this.lastNow = t;
    return this.lastNow;
  }

  newCore(options) {
    const core = this.core;
    const cfg = core._lifeline_wasm_router_config_new();
    if (!cfg) throw coreError(-2, 'createRouter');
    try {
      for (const [key, field] of Object.entries(CONFIG_KEYS)) {
        if (options[key] === undefined) continue;
        const v = Number(options[key]);
        const rc = this.withStrings([field], (f) => core._lifeline_wasm_router_config_set(cfg, f, v));
        if (rc < 0) throw coreError(rc, `createRouter: option ${key} = ${options[key]}`);
      }
      const ptr = core._lifeline_wasm_router_new(cfg);
      if (!ptr) throw coreError(ERR_INVALID, 'createRouter: inconsistent options');
      return ptr;
    } finally {
      core._free(cfg);
    }
  }

  /** A capability name in Wasm memory, copied once per name (at most 64 kept; freed on close). */
  capPtr(name) {
    let p = this.capPtrs.get(name);
    if (p) return p;
    const n = this.core.lengthBytesUTF8(name) + 1;
    p = this.core._malloc(n);
    this.core.stringToUTF8(name, p, n);
    if (this.capPtrs.size >= 64) {
      const [oldName, oldPtr] = this.capPtrs.entries().next().value;
      this.capPtrs.delete(oldName);
      this.core._free(oldPtr);
    }
    this.capPtrs.set(name, p);
    return p;
  }

  capName(i) {
    let n = this.capNames[i];
    if (n === undefined) n = this.capNames[i] = this.core.UTF8ToString(this.core._lifeline_wasm_router_capability_name(this.ptr, i));
    return n;
  }

  /** Copies strings into Wasm memory for the duration of fn (NUL-terminated UTF-8). */
  withStrings(strings, fn) {
    const core = this.core;
    const ptrs = strings.map((s) => {
      if (s == null) return 0;
      const n = core.lengthBytesUTF8(s) + 1;
      const p = core._malloc(n);
      core.stringToUTF8(s, p, n);
      return p;
    });
    try {
      return fn(...ptrs);
    } finally {
      ptrs.forEach((p) => p && core._free(p));
    }
  }

  addService(s, index) {
    if (!s || !s.name || !s.baseUrl) throw new LifelineError(ERR_INVALID, `createRouter: service ${index} needs a name and a baseUrl`, 'LIFELINE_ERR_INVALID_ARGUMENT');
    const caps = Array.isArray(s.capabilities) ? s.capabilities.join(',') : String(s.capabilities || '');
    const healthPath = s.healthPath === undefined ? '/health' : s.healthPath || '';
    const rc = this.withStrings([s.name, s.baseUrl.replace(/\/+$/, ''), caps, healthPath], (n, u, c, h) =>
      this.core._lifeline_wasm_router_add_service(this.ptr, n, u, c, s.priority ?? index + 1, s.timeoutMs || 0, h, this.now()));
    if (rc < 0) throw coreError(rc, `createRouter: service '${s.name}'`);
    this.services.push({ name: s.name, baseUrl: s.baseUrl.replace(/\/+$/, ''), healthPath, headers: { ...(s.headers || {}) } });
  }

  /**
   * Calls a service that offers `capability`. Resolves with the answer (including a caller's
   * 4xx); rejects with LifelineError LIFELINE_ERR_UNAVAILABLE / LIFELINE_ERR_TIMEOUT.
   */
  request(capability, opts = {}) {
    if (this.closed) return Promise.reject(new LifelineError(ERR_STATE, 'router is closed', 'LIFELINE_ERR_STATE'));
    const headers = { ...(opts.headers || {}) };
    const body = bodyOf(opts.body, headers);
    const method = opts.method || (body != null ? 'POST' : 'GET');
    const id = this.core._lifeline_wasm_router_request(this.ptr, this.capPtr(String(capability)), opts.timeoutMs || 0, this.now());
    if (id < 0) return Promise.reject(coreError(id, `request '${capability}'`));
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, path: opts.path || '', method, body, headers, capability, atts: [] };
      this.pending.set(id, entry);
      if (opts.signal) {
        const onAbort = () => {
          if (!this.pending.has(id)) return;
          this.pending.delete(id);
          this.core._lifeline_wasm_router_abort(this.ptr, id, this.now());
          reject(opts.signal.reason ?? new DOMException('aborted', 'AbortError'));
          this.pump();
        };
        if (opts.signal.aborted) return onAbort();
        opts.signal.addEventListener('abort', onAbort, { once: true });
      }
      this.pump();
    });
  }

  /** Runs every queued core action; safe to re-enter (a nested call just asks for another pass). */
  pump() {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    let performed = 0;
    try {
      do {
        this.again = false;
        for (let a = this.nextAction(); a; a = this.nextAction(), performed++) this.perform(a);
      } while (this.again);
    } finally {
      this.pumping = false;
    }
    this.schedule();
    if (performed) this.changed();
  }

  /** Something the health snapshot shows may have changed: tell store subscribers once. */
  changed() {
    this.dirty = true;
    if (this.notifyQueued || !this.storeListeners.size) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      if (this.closed) return;
      for (const cb of [...this.storeListeners]) cb();
    });
  }

  /** Store protocol (useSyncExternalStore): called after anything that may change getSnapshot(). */
  subscribe(listener) {
    this.storeListeners.add(listener);
    return () => this.storeListeners.delete(listener);
  }

  /** getHealth(), cached: the same array object until a figure actually changes. */
  getSnapshot() {
    if (this.snapshot && !this.dirty) return this.snapshot;
    const next = this.getHealth();
    this.dirty = false;
    if (this.snapshot && JSON.stringify(next) === JSON.stringify(this.snapshot)) return this.snapshot;
    this.snapshot = next;
    return next;
  }

  nextAction() {
    const core = this.core;
    const p = core._lifeline_wasm_router_next_action(this.ptr);
    if (!p) return null;
    const v = core.HEAP32.subarray(p >> 2, (p >> 2) + 15);
    const a = {
      kind: v[0], id: v[1] >>> 0, request: v[2] >>> 0, service: v[3], capability: v[4], timeoutMs: v[5],
      attempt: v[6], status: v[7], code: v[8], degraded: v[9] !== 0, health: v[10], oldHealth: v[11], message: '',
      latencyMs: v[13], elapsedMs: v[14],
    };
    if (a.kind === DONE && a.code) a.message = core.UTF8ToString(v[12] >>> 0);
    if (a.capability >= 0 && (a.kind === DEGRADED || a.kind === RECOVERED)) a.capabilityName = this.capName(a.capability);
    return a;
  }

  perform(a) {
    switch (a.kind) {
      case CALL: {
        const req = this.pending.get(a.request);
        const svc = this.services[a.service];
        if (!req) return this.core._lifeline_wasm_router_abort(this.ptr, a.request, this.now()); // not ours any more
        this.attempts.set(a.id, a.request);
        req.atts.push(a.id);
        const headers = { ...svc.headers, ...req.headers };
        return this.startFetch(a.id, req.method, svc.baseUrl + req.path, headers, req.body, a.timeoutMs);
      }
      case PROBE: {
        const svc = this.services[a.service];
        return this.startFetch(a.id, 'GET', svc.baseUrl + svc.healthPath, { ...svc.headers }, null, a.timeoutMs);
      }
      case CANCEL:
        return this.cancelFetch(a.id);
      case DONE:
        return this.done(a);
      case HEALTH:
        return this.emit('health', this.healthOf(a.service), HEALTH_NAMES[a.oldHealth]);
      case DEGRADED:
      case RECOVERED:
        return this.emit(a.kind === DEGRADED ? 'degraded' : 'recovered', {
          capability: a.capabilityName, service: this.services[a.service].name,
        });
    }
  }

  done(a) {
    const req = this.pending.get(a.request);
    const res = this.responses.get(a.id);
    if (!req) return;
    for (const att of req.atts) {
      this.attempts.delete(att);
      this.responses.delete(att);
    }
    this.pending.delete(a.request);
    if (a.code === 0) {
      const r = res || { status: a.status, headers: {}, body: '' };
      req.resolve({
        service: this.services[a.service].name, status: r.status, headers: r.headers, body: r.body,
        attempts: a.attempt, degraded: a.degraded, latencyMs: a.latencyMs, elapsedMs: a.elapsedMs,
      });
    } else {
      const err = coreError(a.code);
      const e = new LifelineError(a.code, a.message || err.message, err.codeName);
      e.capability = req.capability;
      e.attempts = a.attempt;
      req.reject(e);
    }
  }

  startFetch(id, method, url, headers, body, timeoutMs) {
    if (this.useCoreFetch) {
      const core = this.core;
      const block = Object.entries(headers).map(([k, v]) => `${k}\0${v}\0`).join('') + '\0';
      const bytes = body == null ? null : typeof body === 'string' ? encoder.encode(body) : body;
      const bodyPtr = bytes && bytes.length ? core._malloc(bytes.length) : 0;
      if (bodyPtr) core.HEAPU8.set(bytes, bodyPtr);
      const blockLen = core.lengthBytesUTF8(block) + 1;
      const hp = core._malloc(blockLen);
      core.stringToUTF8(block, hp, blockLen);
      try {
        const rc = this.withStrings([method, url], (m, u) =>
          core._lifeline_wasm_router_fetch(this.ptr, id, m, u, hp, bodyPtr, bytes ? bytes.length : 0, timeoutMs));
        if (rc < 0) this.complete(id, 0);
      } finally {
        core._free(hp);
        if (bodyPtr) core._free(bodyPtr);
      }
      return;
    }
    // No timer of our own: the core's attempt timeout ends in a CANCEL, which aborts this.
    const ctrl = new AbortController();
    this.inflight.set(id, ctrl);
    Promise.resolve()
      .then(() => this.transport.fetch({ url, method, headers, body, timeoutMs, signal: ctrl.signal }))
      .then(
        (res) => {
          if (this.inflight.get(id) !== ctrl) return;
          this.inflight.delete(id);
          if (this.attempts.has(id)) this.responses.set(id, { status: res.status, headers: res.headers || {}, body: res.body ?? '' });
          this.complete(id, res.status);
        },
        (err) => {
          if (this.inflight.get(id) !== ctrl) return;
          this.inflight.delete(id);
          this.complete(id, err && err.name === 'TimeoutError' ? -1 : 0);
        },
      );
  }

  cancelFetch(id) {
    this.attempts.delete(id);
    this.responses.delete(id);
    if (this.useCoreFetch) {
      this.core._lifeline_wasm_router_cancel(this.ptr, id);
      return;
    }
    const ctrl = this.inflight.get(id);
    this.inflight.delete(id);
    if (ctrl) ctrl.abort();
  }

  /** From C (Emscripten fetch): the answer of attempt `id`, before the core hears of it. */
  onResponse(id, status, bytes, headersText) {
    if (!this.attempts.has(id)) return;
    this.responses.set(id, { status, headers: parseHeaders(headersText), body: decoder.decode(bytes) });
  }

  complete(id, status) {
    if (this.closed) return;
    this.core._lifeline_wasm_router_complete(this.ptr, id, status, this.now());
    this.pump();
  }

  schedule() {
    if (this.closed) return;
    const d = this.core._lifeline_wasm_router_deadline(this.ptr);
    // Re-arm only for an earlier deadline: a timer that fires early just ticks and re-arms, which
    // is cheaper than clearing and setting a timer on every request.
    if (this.timer && d >= 0 && d >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = -1;
    if (d < 0) return;
    this.timerAt = d;
    // +1: timers may fire a little early against performance.now(); the core would do nothing.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = -1;
      if (this.closed) return;
      this.core._lifeline_wasm_router_tick(this.ptr, this.now());
      this.pump();
    }, Math.max(0, d - this.now()) + 1);
  }

  /** Browser connectivity; failures while offline are not held against services. */
  setOnline(online) {
    if (this.closed) return;
    this.core._lifeline_wasm_router_set_online(this.ptr, online ? 1 : 0, this.now());
    this.pump();
  }

  healthOf(i) {
    const core = this.core;
    const now = this.now();
    const p = core._lifeline_wasm_router_info(this.ptr, i, now);
    if (!p) return null;
    const v = core.HEAPF64.subarray(p >> 3, (p >> 3) + 13);
    const [health, since, p50, p95, p99, errorRate, samples, lastErrorAt, breakerRetry, attemptTimeout, calls, failures] = v;
    const text = (w) => core.UTF8ToString(core._lifeline_wasm_router_info_text(this.ptr, i, w, now));
    const wall = (t) => (t ? Math.round(this.wallOrigin + t) : null);
    return {
      name: this.services[i].name,
      state: HEALTH_NAMES[health],
      p50Ms: p50 < 0 ? null : p50,
      p95Ms: p95 < 0 ? null : p95,
      p99Ms: p99 < 0 ? null : p99,
      errorRate,
      samples,
      lastError: text(1) || null,
      lastErrorAt: wall(lastErrorAt),
      since: wall(since),
      breaker: text(2),
      breakerRetryAt: wall(breakerRetry),
      attemptTimeoutMs: attemptTimeout,
      calls,
      failures,
    };
  }

  /** Per-service health, in registration order. */
  getHealth() {
    if (this.closed) return this.snapshot || [];
    const out = this.services.map((_, i) => this.healthOf(i));
    this.pump(); // reading may have noticed a change (HEALTH events)
    return out;
  }

  /** Why a request for `capability` would fail now, e.g. "... gemini open (retry in 4.2 s), ...". */
  explain(capability) {
    const core = this.core;
    const s = this.withStrings([String(capability)], (c) => core.UTF8ToString(core._lifeline_wasm_router_explain(this.ptr, c, this.now())));
    this.pump();
    return s;
  }

  on(type, cb) {
    const set = this.listeners[type];
    if (!set) throw new LifelineError(ERR_INVALID, `unknown router event '${type}'`, 'LIFELINE_ERR_INVALID_ARGUMENT');
    set.add(cb);
    return () => set.delete(cb);
  }

  onHealthChange(cb) { return this.on('health', cb); }
  onDegraded(cb) { return this.on('degraded', cb); }
  onRecovered(cb) { return this.on('recovered', cb); }

  emit(type, ...args) {
    for (const cb of [...this.listeners[type]]) {
      try {
        cb(...args);
      } catch (e) {
        setTimeout(() => { throw e; }); // a listener's bug must not break the router
      }
    }
  }

  /** Cancels everything, rejects pending requests, frees the core. Idempotent. */
  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.onlineHandler) {
      window.removeEventListener('online', this.onlineHandler);
      window.removeEventListener('offline', this.onlineHandler);
    }
    for (const ctrl of this.inflight.values()) ctrl.abort();
    this.inflight.clear();
    this.core.lifelineRouters.delete(this.ptr);
    this.core._lifeline_wasm_router_free(this.ptr);
    for (const p of this.capPtrs.values()) this.core._free(p);
    this.capPtrs.clear();
    for (const req of this.pending.values()) req.reject(new LifelineError(ERR_STATE, 'router closed', 'LIFELINE_ERR_STATE'));
    this.pending.clear();
    for (const set of Object.values(this.listeners)) set.clear();
    this.storeListeners.clear();
  }
}
