/**
 * AI-service router: the JS driver of the C router (src/router*.c, through js/router-core.js).
 * The core decides (which service, which timeout, when to fail over, hedge, probe); this driver
 * performs its actions, owns the one timer, the transport and the environment's online signal,
 * and turns outcomes into promises and events.
 *
 * Transport: in browsers the calls and health probes go through Emscripten's fetch API from C
 * (src/platform/wasm_router.c). Elsewhere (Node), or when `transport` is given, through
 * `transport.fetch({ url, method, headers, body, timeoutMs, signal })` which resolves with
 * `{ status, headers, body }` or rejects on a network error.
 */
import { lifelineError } from './core-tables.js';
import { checkOptions, isBytes } from './checks.js';
import { coreError } from './wasm.js';
import { getShare } from './share-slot.js';
import { decodeBody } from './text.js';
import { browserEnvironment, defaultClock } from './manager-env.js';
import {
  CoreRouter, ACT_CALL, ACT_CANCEL, ACT_PROBE, ACT_DONE, ACT_HEALTH, ACT_DEGRADED, ACT_RECOVERED, CONFIG_OPTIONS,
} from './router-core.js';
import { openStream } from './router-stream.js';

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
  // share: 'origin' (after init({ share: 'origin' })): the router runs in the origin's hub,
  // one for every tab (js/share/router-client.js).
  if (options && options.share !== undefined && options.share !== 'tab') {
    if (options.share !== 'origin') throw new TypeError(`createRouter: share must be 'tab' or 'origin', got ${JSON.stringify(options.share)}`);
    return getShare().createRouter(options);
  }
  if (options && options.share === 'tab') {
    const { share, ...rest } = options;
    return new Router(rest);
  }
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
  if (typeof body === 'string' || isBytes(body)) return body;
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(body);
}

// Every option name the router reads: an unknown one (a typo, or a name from another library) is
// refused rather than ignored.
const ROUTER_OPTIONS = [...CONFIG_OPTIONS, 'services', 'transport', 'clock', 'environment'];
const SERVICE_OPTIONS = ['name', 'baseUrl', 'capabilities', 'priority', 'maxAttemptTimeoutMs', 'healthPath', 'headers',
  'format', 'resumable', 'continues'];
const REQUEST_OPTIONS = ['path', 'method', 'body', 'headers', 'deadlineMs', 'signal'];

const invalid = (message) => lifelineError('LIFELINE_ERR_INVALID_ARGUMENT', message);

export class Router {
  #core;
  #clock;
  #lastNow = 0;
  #wallOrigin;
  #snapshot = null;
  #dirty = true;
  #storeListeners = new Set();
  #notifyQueued = false;
  #services = [];
  #pending = new Map(); // request id -> { resolve, reject, path, method, body, headers, capability, atts }
  #attempts = new Map(); // attempt id -> request id
  #responses = new Map(); // attempt id -> { status, headers, body }
  #inflight = new Map(); // attempt/probe id -> AbortController (JS transport)
  #listeners = { status: new Set(), degraded: new Set(), recovered: new Set() };
  #timer = null;
  #timerAt = -1;
  #pumping = false;
  #again = false;
  #closed = false;
  #useCoreFetch;
  #transport;
  #envOff = null;
  #streams = new Set(); // router.stream() calls in flight
  #streamHost = null;

  constructor(options = {}) {
    const services = options.services || [];
    if (!services.length) throw invalid('createRouter: `services` is empty');
    checkOptions(options, ROUTER_OPTIONS, 'createRouter');
    this.#clock = options.clock ?? defaultClock();
    // Wall-clock origin of the clock: health timestamps stay stable between reads.
    this.#wallOrigin = Date.now() - this.#now();
    this.#core = new CoreRouter(options, {
      onResponse: (id, status, bytes, headersText) => this.#onResponse(id, status, bytes, headersText),
      complete: (id, status) => this.#complete(id, status),
    });
    this.#useCoreFetch = !options.transport && typeof XMLHttpRequest !== 'undefined';
    this.#transport = options.transport || fetchTransport;
    try {
      services.forEach((s, i) => this.#addService(s, i));
    } catch (e) {
      this.#core.free();
      throw e;
    }
    const env = options.environment ?? browserEnvironment();
    this.#envOff = env.subscribe({ online: () => this.setOnline(true), offline: () => this.setOnline(false), resume: () => {} });
    if (env.isOnline && !env.isOnline()) this.setOnline(false);
    this.#pump();
  }

  /** Monotonic whole ms; never goes back (the core also clamps). */
  #now() {
    const t = Math.floor(this.#clock());
    if (t > this.#lastNow) this.#lastNow = t;
    return this.#lastNow;
  }

  #addService(s, index) {
    if (!s || !s.name || !s.baseUrl) throw invalid(`createRouter: service ${index} needs a name and a baseUrl`);
    checkOptions(s, SERVICE_OPTIONS, `createRouter: service '${s.name}'`);
    const baseUrl = s.baseUrl.replace(/\/+$/, '');
    const capabilities = Array.isArray(s.capabilities) ? s.capabilities.join(',') : String(s.capabilities || '');
    const healthPath = s.healthPath === undefined ? '/health' : s.healthPath || '';
    const rc = this.#core.addService({ name: s.name, baseUrl, capabilities, priority: s.priority ?? index + 1, maxAttemptTimeoutMs: s.maxAttemptTimeoutMs || 0, healthPath }, this.#now());
    if (rc < 0) throw coreError(rc, `createRouter: service '${s.name}'`);
    this.#services.push({
      name: s.name, baseUrl, healthPath, headers: { ...(s.headers || {}) },
      // Streams (router.stream): the answer format, resumption by Last-Event-ID, continuing a partial answer.
      format: s.format ?? 'openai', resumable: s.resumable === true, continues: s.continues !== false,
    });
  }

  /**
   * Calls a service that offers `capability`. Resolves with the answer (including a caller's
   * 4xx); rejects with LifelineError LIFELINE_ERR_UNAVAILABLE / LIFELINE_ERR_TIMEOUT.
   */
  request(capability, opts = {}) {
    if (this.#closed) return Promise.reject(lifelineError('LIFELINE_ERR_STATE', 'router is closed'));
    try {
      checkOptions(opts, REQUEST_OPTIONS, `request '${capability}'`);
    } catch (e) {
      return Promise.reject(e);
    }
    const headers = { ...(opts.headers || {}) };
    const body = bodyOf(opts.body, headers);
    const method = opts.method || (body != null ? 'POST' : 'GET');
    const id = this.#core.request(String(capability), opts.deadlineMs || 0, this.#now());
    if (id < 0) return Promise.reject(coreError(id, `request '${capability}'`));
    return new Promise((resolve, reject) => {
      const req = { resolve, reject, path: opts.path || '', method, body, headers, capability, atts: [], unlisten: null };
      this.#pending.set(id, req);
      const signal = opts.signal;
      if (signal) {
        const onAbort = () => {
          if (!this.#pending.has(id)) return;
          this.#pending.delete(id);
          this.#core.abort(id, this.#now());
          reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
          this.#pump();
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        // A long-lived signal (one per component) must not keep every finished request alive.
        req.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.#pump();
    });
  }

  /**
   * A streamed call to a service that offers `capability` (see router-stream.js and router.d.ts):
   * async-iterable over its events, with `result`. Option errors throw at once.
   */
  stream(capability, opts = {}) {
    if (this.#closed) throw lifelineError('LIFELINE_ERR_STATE', 'router is closed');
    this.#streamHost ??= {
      core: this.#core,
      services: this.#services,
      now: () => this.#now(),
      fetch: (url, init) => globalThis.fetch(url, init),
      p95: (i) => { const f = this.#core.info(i, this.#now()); return f && f.p95 >= 0 ? f.p95 : null; },
      explain: (c) => this.explain(c),
      // A stream's outcome changes health and breakers without a core action: the store is told too.
      changed: () => { this.#pump(); this.#changed(); },
      track: (st) => { this.#streams.add(st); return () => this.#streams.delete(st); },
    };
    return openStream(this.#streamHost, capability, opts);
  }

  /** Runs every queued core action; safe to re-enter (a nested call just asks for another pass). */
  #pump() {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    let performed = 0;
    try {
      do {
        this.#again = false;
        for (let a = this.#core.nextAction(); a; a = this.#core.nextAction(), performed++) this.#perform(a);
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
    this.#schedule();
    if (performed) this.#changed();
  }

  /** Something the health snapshot shows may have changed: tell store subscribers once. */
  #changed() {
    this.#dirty = true;
    if (this.#notifyQueued || !this.#storeListeners.size) return;
    this.#notifyQueued = true;
    queueMicrotask(() => {
      this.#notifyQueued = false;
      if (this.#closed) return;
      for (const cb of [...this.#storeListeners]) cb();
    });
  }

  /** Store protocol (useSyncExternalStore): called after anything that may change getSnapshot(). */
  subscribe(listener) {
    this.#storeListeners.add(listener);
    return () => this.#storeListeners.delete(listener);
  }

  /** getHealth(), cached: the same array object until a figure actually changes. */
  getSnapshot() {
    if (this.#snapshot && !this.#dirty) return this.#snapshot;
    const next = this.getHealth();
    this.#dirty = false;
    if (this.#snapshot && JSON.stringify(next) === JSON.stringify(this.#snapshot)) return this.#snapshot;
    this.#snapshot = next;
    return next;
  }

  #perform(a) {
    switch (a.kind) {
      case ACT_CALL: {
        const req = this.#pending.get(a.request);
        const svc = this.#services[a.service];
        if (!req) return this.#core.abort(a.request, this.#now()); // not ours any more
        this.#attempts.set(a.id, a.request);
        req.atts.push(a.id);
        return this.#startFetch(a.id, req.method, svc.baseUrl + req.path, { ...svc.headers, ...req.headers }, req.body, a.timeoutMs);
      }
      case ACT_PROBE: {
        const svc = this.#services[a.service];
        return this.#startFetch(a.id, 'GET', svc.baseUrl + svc.healthPath, { ...svc.headers }, null, a.timeoutMs);
      }
      case ACT_CANCEL:
        return this.#cancelFetch(a.id);
      case ACT_DONE:
        return this.#done(a);
      case ACT_HEALTH:
        return this.#emit('status', this.#healthOf(a.service), this.#core.healthName(a.oldHealth));
      case ACT_DEGRADED:
      case ACT_RECOVERED:
        return this.#emit(a.kind === ACT_DEGRADED ? 'degraded' : 'recovered', {
          capability: a.capabilityName, service: this.#services[a.service].name,
        });
      default:
        return undefined;
    }
  }

  #done(a) {
    const req = this.#pending.get(a.request);
    const res = this.#responses.get(a.id);
    if (!req) return;
    for (const att of req.atts) {
      this.#attempts.delete(att);
      this.#responses.delete(att);
    }
    this.#pending.delete(a.request);
    req.unlisten?.();
    if (a.code === 0) {
      const r = res || { status: a.status, headers: {}, body: '' };
      req.resolve({
        service: this.#services[a.service].name, status: r.status, headers: r.headers, body: r.body,
        attempts: a.attempt, degraded: a.degraded, latencyMs: a.latencyMs, elapsedMs: a.elapsedMs,
      });
    } else {
      const e = coreError(a.code);
      if (a.message) e.message = a.message;
      e.capability = req.capability;
      e.attempts = a.attempt;
      req.reject(e);
    }
  }

  #startFetch(id, method, url, headers, body, timeoutMs) {
    if (this.#useCoreFetch) {
      if (!this.#core.fetch(id, method, url, headers, body, timeoutMs)) this.#complete(id, this.#core.networkError);
      return;
    }
    // No timer of our own: the core's attempt timeout ends in a CANCEL, which aborts this.
    const ctrl = new AbortController();
    this.#inflight.set(id, ctrl);
    Promise.resolve()
      .then(() => this.#transport.fetch({ url, method, headers, body, timeoutMs, signal: ctrl.signal }))
      .then(
        (res) => {
          if (this.#inflight.get(id) !== ctrl) return;
          this.#inflight.delete(id);
          if (this.#attempts.has(id)) this.#responses.set(id, { status: res.status, headers: res.headers || {}, body: res.body ?? '' });
          this.#complete(id, res.status);
        },
        (err) => {
          if (this.#inflight.get(id) !== ctrl) return;
          this.#inflight.delete(id);
          this.#complete(id, err && err.name === 'TimeoutError' ? this.#core.timedOut : this.#core.networkError);
        },
      );
  }

  #cancelFetch(id) {
    this.#attempts.delete(id);
    this.#responses.delete(id);
    if (this.#useCoreFetch) {
      this.#core.cancel(id);
      return;
    }
    const ctrl = this.#inflight.get(id);
    this.#inflight.delete(id);
    if (ctrl) ctrl.abort();
  }

  /** From C (Emscripten fetch): the answer of attempt `id`, before the core hears of it. */
  #onResponse(id, status, bytes, headersText) {
    if (!this.#attempts.has(id)) return;
    this.#responses.set(id, { status, headers: parseHeaders(headersText), body: decodeBody(bytes) });
  }

  #complete(id, status) {
    if (this.#closed) return;
    this.#core.complete(id, status, this.#now());
    this.#pump();
  }

  #schedule() {
    if (this.#closed) return;
    const d = this.#core.deadline();
    // Re-arm only for an earlier deadline: a timer that fires early just ticks and re-arms, which
    // is cheaper than clearing and setting a timer on every request.
    if (this.#timer && d >= 0 && d >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = -1;
    if (d < 0) return;
    this.#timerAt = d;
    // +1: timers may fire a little early against the clock; the core would do nothing.
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = -1;
      if (this.#closed) return;
      this.#core.tick(this.#now());
      this.#pump();
    }, Math.max(0, d - this.#now()) + 1);
  }

  /** Connectivity (the environment reports it too); failures while offline are not held against services. */
  setOnline(online) {
    if (this.#closed) return;
    this.#core.setOnline(online, this.#now());
    this.#pump();
  }

  /**
   * A health hint from elsewhere (lifeline-sse/server's `service-health` events: see
   * followHealthHints): `state` 'down' | 'degraded' | 'healthy' for the service `name`, valid for
   * ttlMs. The core applies it (include/lifeline/router.h, lifeline_router_hint): a down hint
   * keeps requests off the service at once, the router's own successes override it, it lapses.
   * Returns false for a service this router does not know.
   */
  hint(name, { state, ttlMs = 30000 } = {}) {
    if (this.#closed) return false;
    const i = this.#services.findIndex((s) => s.name === name);
    if (i < 0) return false;
    const names = this.#core.healthNames();
    const h = names.indexOf(state);
    if (h < 0) throw new TypeError(`hint: state must be one of ${names.join(', ')}`);
    const rc = this.#core.hint(i, h, Math.max(0, Number(ttlMs) || 0), this.#now());
    this.#pump();
    return rc === 0;
  }

  #healthOf(i) {
    const f = this.#core.info(i, this.#now());
    if (!f) return null;
    const wall = (t) => (t ? Math.round(this.#wallOrigin + t) : null);
    const ms = (v) => (v < 0 ? null : v);
    return {
      name: this.#services[i].name, state: f.state, p50Ms: ms(f.p50), p95Ms: ms(f.p95), p99Ms: ms(f.p99),
      errorRate: f.errorRate, samples: f.samples, lastError: f.lastError || null, lastErrorAt: wall(f.lastErrorAt),
      since: wall(f.since), breaker: f.breaker, breakerRetryAt: wall(f.breakerRetryAt), attemptTimeoutMs: f.attemptTimeoutMs,
      calls: f.calls, failures: f.failures,
      recovering: f.recoveringOk ? { ok: f.recoveringOk, of: f.recoverChecks } : null,
      hint: f.hint ? { state: f.hint, until: wall(f.hintUntil) } : null,
    };
  }

  /** Per-service health, in registration order. */
  getHealth() {
    if (this.#closed) return this.#snapshot || [];
    // A pure read (it runs during React render): the core's read changes nothing; health
    // changes are applied and announced by the core's tick, on its deadline timer.
    return this.#services.map((_, i) => this.#healthOf(i));
  }

  /** Why a request for `capability` would fail now, e.g. "... gemini open (retry in 4.2 s), ...". */
  explain(capability) {
    const s = this.#core.explain(String(capability), this.#now());
    this.#pump();
    return s;
  }

  #listen(type, cb) {
    if (typeof cb !== 'function') throw new TypeError(`on${type[0].toUpperCase()}${type.slice(1)}: callback must be a function`);
    const set = this.#listeners[type];
    set.add(cb);
    return () => set.delete(cb);
  }

  /** A service's health changed state (the manager's onStatus is the same idea per channel). */
  onStatus(cb) { return this.#listen('status', cb); }
  onDegraded(cb) { return this.#listen('degraded', cb); }
  onRecovered(cb) { return this.#listen('recovered', cb); }

  #emit(type, ...args) {
    for (const cb of [...this.#listeners[type]]) {
      try {
        cb(...args);
      } catch (e) {
        setTimeout(() => { throw e; }); // a listener's bug must not break the router
      }
    }
  }

  /** Cancels everything, rejects pending requests, frees the core. Idempotent. */
  close() {
    if (this.#closed) return;
    for (const st of [...this.#streams]) st.abort(lifelineError('LIFELINE_ERR_STATE', 'router closed'));
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#envOff?.();
    for (const ctrl of this.#inflight.values()) ctrl.abort();
    this.#inflight.clear();
    this.#core.free();
    for (const req of this.#pending.values()) {
      req.unlisten?.();
      req.reject(lifelineError('LIFELINE_ERR_STATE', 'router closed'));
    }
    this.#pending.clear();
    for (const set of Object.values(this.#listeners)) set.clear();
    this.#storeListeners.clear();
  }
}
