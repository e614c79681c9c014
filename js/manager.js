/**
 * The SSE manager's JS driver. The C core (src/manager*.c, via Wasm) decides everything: when to
 * open, which endpoint, what Last-Event-ID to send, when to give up, what to deliver to whom.
 * This driver performs its actions: it owns one timer (the core's next deadline), the transports
 * (fetch or EventSource), the environment signals (online/offline, page resume) and the user's
 * callbacks. See docs/manager.md.
 */
import { coreError } from './wasm.js';
import { getShare } from './share-slot.js';
import {
  CoreManager, WORDS, ACT_OPEN, ACT_CLOSE, ACT_DELIVER, ACT_STATUS, ACT_WAKE_AT, FLAG_AUTH, FLAG_REPLAYED, FLAG_RESET,
  FLAG_STALE, FLAG_ALERT, FLAG_CATCHUP, destroyed,
} from './manager-core.js';
import { coreTables, lifelineError } from './core-tables.js';
import { createFetchTransport, END_NETWORK } from './transports/fetch.js';
import { createEventSourceTransport } from './transports/eventsource.js';
import { browserEnvironment, defaultClock, defaultStorage } from './manager-env.js';
import { normalize, summary, IDLE_SNAPSHOT, ERROR_MESSAGES } from './manager-options.js';
import { latencyProbe } from './manager-latency.js';
import { checkOptions } from './checks.js';

// Every createManager option: an unknown name (a typo, an old name) is refused, not ignored.
const MANAGER_OPTIONS = [
  'clock', 'seed', 'lingerMs', 'onlineSpreadMs', 'maxConnections', 'maxChannels', 'maxSubscribers', 'timers',
  'environment', 'storage', 'fetch', 'EventSource', 'transports', 'measureLatency', 'onError',
];

// Server notices the core acts on (include/lifeline/manager.h): an EventSource hears named
// events only for the types it listens to, so these are always listened to.
const NOTICE_TYPES = ['reset', 'lifeline:drain'];
const FEED_SLICE = 16 * 1024; // bounds one batch: the core's caps are far above a slice's events
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit

/**
 * Creates a manager (after `await init()`). With `share: 'origin'` (after `await init({ share:
 * 'origin' })`) the streams are held once for all the origin's tabs: docs/sharing.md.
 */
export function createManager(options = {}) {
  if (options && options.share !== undefined && options.share !== 'tab') {
    if (options.share !== 'origin') throw new TypeError(`createManager: share must be 'tab' or 'origin', got ${JSON.stringify(options.share)}`);
    return getShare().createManager(options);
  }
  if (options && options.share === 'tab') {
    const { share, ...rest } = options;
    return new SSEManager(rest);
  }
  return new SSEManager(options);
}

export class SSEManager {
  #core;
  #now;
  #timers;
  #storage;
  #onError;
  #transports;
  #envOff;
  #channels = new Map(); // name -> channel record
  #byHandle = new Map(); // channel handle -> record
  #conns = new Map(); // connection handle -> record
  #subs = new Map(); // subscriber id -> { channel, callback, events }
  // Per channel name; an entry lives while the name is a channel or its status is listened to
  // (#releaseName), so apps that connect and remove many names (one per room) stay bounded.
  #snapshots = new Map(); // channel name -> frozen status snapshot (absent: IDLE_SNAPSHOT)
  #listeners = new Map(); // channel name -> Set of status callbacks (never empty)
  #stores = new Map(); // channel name -> the cached statusStore
  #batches = []; // decoded batches not yet run (callbacks may add more while one runs)
  #running = false;
  #timer = null;
  #timerAt = Infinity;
  #destroyed = false;
  #lastCounted = null;
  #lastEvent = null;
  #lastSource = null;
  #latency;
  #notFound;
  #invalid;
  #failure;

  constructor(options = {}) {
    checkOptions(options, MANAGER_OPTIONS, 'createManager');
    this.#now = options.clock ?? defaultClock();
    this.#timers = options.timers ?? { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) };
    this.#storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.#onError = options.onError ?? ((err) => queueMicrotask(() => { throw err; }));
    this.#transports = {
      fetch: createFetchTransport({ fetch: options.fetch }),
      eventsource: createEventSourceTransport({ EventSource: options.EventSource }),
      ...options.transports,
    };
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 52);
    this.#latency = latencyProbe(options.measureLatency);
    this.#notFound = coreTables().codes.LIFELINE_ERR_NOT_FOUND;
    this.#invalid = coreTables().codes.LIFELINE_ERR_INVALID_ARGUMENT;
    this.#failure = coreTables().mgrFailure;
    this.#core = new CoreManager({
      maxConnections: options.maxConnections, maxChannels: options.maxChannels, maxSubscribers: options.maxSubscribers,
      lingerMs: options.lingerMs, onlineSpreadMs: options.onlineSpreadMs, seed,
    });
    const env = options.environment ?? browserEnvironment();
    this.#envOff = env.subscribe({
      online: () => this.#input(() => this.#core.call('set_online', 1, this.#now())),
      offline: () => this.#input(() => this.#core.call('set_online', 0, this.#now())),
      resume: () => this.#input(() => this.#core.call('resume', this.#now())),
    });
    if (env.isOnline && !env.isOnline()) this.#input(() => this.#core.call('set_online', 0, this.#now()));
  }

  // ---- public API ----

  /** Binds `channel` to an event stream at `url` (pooled by URL + transport options). */
  connect(channel, url, options = {}) {
    this.#alive();
    if (typeof channel !== 'string' || !channel) throw new TypeError('connect: channel must be a non-empty string');
    if (typeof url !== 'string' || !url) throw new TypeError('connect: url must be a non-empty string');
    const opts = normalize(url, options);
    const transport = this.#transports[opts.transport];
    if (!transport) throw new TypeError(`connect: unknown transport "${opts.transport}"`);
    if (transport.available === false) {
      throw lifelineError('LIFELINE_ERR_UNAVAILABLE', `connect: the ${opts.transport} transport is not available here (use transport: 'fetch')`);
    }
    const conn = this.#connection(opts);
    const existing = this.#channels.get(channel);
    if (existing) {
      if (existing.conn !== conn.handle) this.#rebind(existing, conn);
      return () => this.disconnect(channel);
    }
    try {
      this.#check(this.#core.call('channel', conn.handle, opts.replay, opts.replayBytes, opts.dedupWindow), 'connect');
    } catch (err) {
      this.#maybeRelease(conn);
      throw err;
    }
    const record = { name: channel, handle: this.#core.out(), conn: conn.handle };
    this.#channels.set(channel, record);
    this.#byHandle.set(record.handle, record);
    conn.channels.add(channel);
    if (conn.status) this.#setSnapshot(channel, conn.status);
    return () => this.disconnect(channel);
  }

  /** Removes a channel and its subscribers; its connection closes after the linger if unused. */
  disconnect(channel) {
    const ch = this.#channels.get(channel);
    if (!ch || this.#destroyed) return;
    for (const [id, s] of this.#subs) if (s.channel === channel) this.#subs.delete(id);
    this.#channels.delete(channel);
    this.#byHandle.delete(ch.handle);
    const conn = this.#conns.get(ch.conn);
    conn?.channels.delete(channel);
    this.#input(() => this.#core.call('remove', ch.handle, this.#now()));
    this.#setSnapshot(channel, IDLE_SNAPSHOT);
    this.#releaseName(channel);
    if (conn) this.#maybeRelease(conn);
  }

  /** callback({ type, data, id, channel, replayed }) for the channel's events; returns `off`. */
  subscribe(channel, callback, options = {}) {
    this.#alive();
    if (typeof callback !== 'function') throw new TypeError('subscribe: callback must be a function');
    const ch = this.#channels.get(channel);
    if (!ch) throw lifelineError('LIFELINE_ERR_NOT_FOUND', `subscribe: unknown channel "${channel}" (call connect first)`);
    const events = options.events === undefined || options.events === null ? [] : [].concat(options.events).map(String);
    if (events.some((t) => !t || /[\r\n]/.test(t))) throw new TypeError('subscribe: event types must be non-empty single-line strings');
    const [typesLen] = this.#core.put(events.join('\n'));
    let id = 0;
    this.#input(
      () => this.#core.call('subscribe', ch.handle, options.priority | 0, typesLen, options.replay >>> 0, this.#now()),
      (rc) => {
        this.#check(rc, 'subscribe');
        id = this.#core.out();
        this.#subs.set(id, { channel, callback, events });
      },
    );
    const conn = this.#conns.get(ch.conn);
    if (events.length) for (const slot of conn?.streams.values() ?? []) slot.listen(events);
    return () => this.#unsubscribeId(id);
  }

  /** Removes every subscription of `callback` on `channel`. */
  unsubscribe(channel, callback) {
    for (const [id, s] of [...this.#subs]) if (s.channel === channel && s.callback === callback) this.#unsubscribeId(id);
  }

  /** The channel's current status (a fresh object; lastEventId, lastByteAt, lastEventAt and staleAfterMs are the live values). */
  getConnectionStatus(channel) {
    const snap = this.#snapshot(channel);
    const ch = this.#channels.get(channel);
    const info = ch && !this.#destroyed ? this.#core.info(ch.conn) : null;
    const f = info ? this.#core.fresh(ch.conn) : null;
    if (!info) return { ...snap };
    return {
      ...snap, lastEventId: info.lastEventId, lastByteAt: f?.lastByteAt ?? null, lastEventAt: f?.lastEventAt ?? null,
      staleAfterMs: f?.staleAfterMs ?? snap.staleAfterMs,
    };
  }

  /** cb(snapshot) on every status change of the channel; returns an unsubscribe function. */
  onStatus(channel, cb) {
    if (typeof cb !== 'function') throw new TypeError('onStatus: callback must be a function');
    let set = this.#listeners.get(channel);
    if (!set) this.#listeners.set(channel, (set = new Set()));
    const entry = (s) => cb(s);
    set.add(entry);
    return () => {
      if (!set.delete(entry) || set.size || this.#listeners.get(channel) !== set) return;
      this.#listeners.delete(channel);
      this.#releaseName(channel);
    };
  }

  /**
   * { subscribe(cb) -> unsubscribe, getSnapshot() -> snapshot } for useSyncExternalStore; the same object
   * while the channel exists or the store is listened to.
   */
  statusStore(channel) {
    let store = this.#stores.get(channel);
    if (!store) {
      store = Object.freeze({
        subscribe: (cb) => {
          const off = this.onStatus(channel, () => cb());
          if (!this.#stores.has(channel)) this.#stores.set(channel, store);
          return off;
        },
        getSnapshot: () => this.#snapshot(channel),
      });
      if (this.#channels.has(channel)) this.#stores.set(channel, store);
    }
    return store;
  }

  /** The user's "Retry now": a failed, waiting, offline or circuit-open channel tries at once. */
  retryNow(channel) {
    const ch = this.#channels.get(channel);
    if (!ch) return;
    this.#input(() => this.#core.call('retry_now', ch.conn, this.#now()));
  }

  /**
   * Counters and latency summaries from the core's metrics registry (histograms with bounded
   * relative error, rates over the last minute).
   */
  getMetrics() {
    const base = { connections: this.#conns.size, channels: this.#channels.size, subscribers: this.#subs.size };
    if (this.#destroyed) return base;
    const s = this.#core.stats();
    const now = this.#now();
    const h = (name) => summary(this.#core.metric(`lifeline_sse_${name}`, now));
    const rate = (name) => this.#core.metric(`lifeline_sse_${name}`, now)?.[1] ?? 0;
    return {
      ...base,
      opens: s.opens, opened: s.opened, reconnects: s.reconnects, events: s.events, delivered: s.delivered,
      duplicates: s.duplicates, replayed: s.replayed, bytes: s.bytes, stalls: s.stalls, failovers: s.failovers,
      fatal: s.fatal, overflows: s.overflows, errors: s.errors, resets: s.resets, drains: s.drains,
      connectMs: h('connect_ms'), firstEventMs: h('first_event_ms'), dropToAttemptMs: h('reconnect_delay_ms'),
      recoveryMs: h('recovery_ms'), eventLatencyMs: h('event_latency_ms'),
      eventRate: rate('events_total'), errorRate: rate('errors_total'),
      caughtUp: s.caughtUp, outageMs: s.recoveryMsSum, outages: s.recoveryCount, byChannel: this.#channelMetrics(now),
    };
  }

  // Per channel, each figure with one definition (docs/manager.md, "Metrics"): events received once
  // each, deliveries per subscriber, the connection's reconnects and outages (a running outage
  // counts up to now).
  #channelMetrics(now) {
    const out = {};
    for (const [name, ch] of this.#channels) {
      const ci = this.#core.channelInfo(ch.handle);
      const f = this.#core.fresh(ch.conn);
      if (!ci || !f) continue;
      const running = f.outageSince === null ? 0 : Math.max(0, now - f.outageSince);
      out[name] = {
        eventsReceived: ci.events, deliveries: ci.delivered, replayed: ci.replayed, duplicatesDropped: ci.duplicates,
        caughtUp: ci.caughtUp, reconnects: f.reconnects, outages: f.outages + (running ? 1 : 0), outageMs: f.outageMs + running,
        currentOutageMs: running, subscribers: ci.subscribers,
      };
    }
    return out;
  }

  /**
   * How many entries the manager's per-name and per-handle JS maps hold (channels, connections,
   * subscribers, status snapshots, status listener sets, status stores): for leak checks. Every
   * count returns to its earlier value once the channels added since are removed and nobody
   * listens to their status.
   */
  retainedState() {
    return {
      channels: this.#channels.size, channelHandles: this.#byHandle.size, connections: this.#conns.size, subscribers: this.#subs.size,
      snapshots: this.#snapshots.size, listeners: this.#listeners.size, stores: this.#stores.size,
    };
  }

  /** The core's metrics in Prometheus text format (null when disabled). */
  getPrometheusMetrics() {
    return this.#destroyed ? null : this.#core.prometheus(this.#now());
  }

  /** Closes every connection and forgets every channel and subscriber (the manager stays usable). */
  closeAll() {
    if (this.#destroyed) return;
    this.#input(() => this.#core.call('close_all', this.#now()));
    for (const c of this.#conns.values()) {
      for (const slot of c.streams.values()) slot.abort();
      c.streams.clear();
    }
    this.#conns.clear();
    const names = [...this.#channels.keys()];
    this.#channels.clear();
    this.#byHandle.clear();
    this.#subs.clear();
    // Listeners keep the last status they heard ('closed'); unheard names are forgotten.
    for (const name of names) this.#releaseName(name);
  }

  /** closeAll, then releases the Wasm memory, timers and environment listeners. */
  destroy() {
    if (this.#destroyed) return;
    this.closeAll();
    this.#destroyed = true;
    this.#arm(Infinity);
    this.#envOff?.();
    this.#core.free();
  }

  // ---- connections ----

  #connection(opts) {
    const core = this.#core;
    core.call('conn_reset');
    core.call('conn_basic', opts.urls.length, opts.featureBits, opts.heartbeatTimeoutMs, opts.connectTimeoutMs, opts.plainRetryMs, opts.maxEventBytes);
    core.call('conn_fresh', opts.staleAfterMs, opts.graceMs);
    const b = opts.backoff;
    core.call('conn_backoff', b.initialMs ?? 0, b.maxMs ?? 0, b.multiplier ?? 0, opts.jitter,
      b.maxAttempts ?? 0, b.healthyAfterMs ?? 0, b.adaptive === undefined ? -1 : b.adaptive ? 1 : 0);
    const k = opts.breaker;
    core.call('conn_breaker', k.consecutiveFailures ?? 0, k.failureRateThreshold ?? 0, k.minimumCalls ?? 0, k.windowMs ?? 0, k.openMs ?? 0, k.maxOpenMs ?? 0);
    const [keyLen] = core.put(opts.key);
    const rc = core.call('connection', keyLen);
    if (rc === this.#invalid) {
      // The core judged the backoff and breaker options (lifeline_backoff_init, lifeline_breaker_init).
      throw coreError(rc, `connect: backoff ${JSON.stringify(b)}, breaker ${JSON.stringify(k)}`);
    }
    this.#check(rc, 'connect');
    const handle = core.out();
    let conn = this.#conns.get(handle);
    if (!conn) {
      conn = { handle, key: opts.key, urls: opts.urls, opts, streams: new Map(), channels: new Set(), status: null, lastError: null,
        authHeaders: null, dirty: false, storageKey: opts.storageKey, persisted: null, responseUrl: null };
      this.#conns.set(handle, conn);
      const stored = opts.persistLastEventId ? this.#readStored(conn.storageKey) : null;
      conn.persisted = stored;
      const initial = stored ?? opts.initialLastEventId;
      if (initial !== undefined && initial !== null && initial !== '') {
        const [n] = core.put(String(initial));
        this.#check(core.call('set_last_id', handle, n), 'connect: initialLastEventId');
      }
    }
    return conn;
  }

  // The channel moves to another connection (new URL or options). The core forgets its duplicate
  // window and replay ring (they belong to the old stream) and keeps its subscribers.
  #rebind(ch, conn) {
    const prevConn = ch.conn;
    const old = this.#conns.get(prevConn);
    if (old) this.#carryLastId(old, conn);
    // Moved before the core's actions run: the new connection's OPEN must see this channel's
    // subscribers (their event types are what an EventSource listens to).
    old?.channels.delete(ch.name);
    ch.conn = conn.handle;
    conn.channels.add(ch.name);
    try {
      this.#input(() => this.#check(this.#core.call('bind', ch.handle, conn.handle, this.#now()), 'connect'));
    } catch (err) {
      conn.channels.delete(ch.name);
      ch.conn = prevConn;
      old?.channels.add(ch.name);
      this.#maybeRelease(conn);
      throw err;
    }
    this.#setSnapshot(ch.name, conn.status ?? IDLE_SNAPSHOT);
    if (old) this.#maybeRelease(old);
  }

  // Other options on the same stream (a new heartbeat, say) make another connection: unused so
  // far, it resumes where the old one stopped instead of at the server's "now" (a gap).
  #carryLastId(old, conn) {
    if (old.opts.streamKey !== conn.opts.streamKey || conn.channels.size || conn.status) return;
    const id = this.#core.info(old.handle)?.lastEventId;
    if (!id) return;
    const [n] = this.#core.put(id);
    this.#check(this.#core.call('set_last_id', conn.handle, n), 'connect');
  }

  #maybeRelease(conn) {
    if (conn.channels.size || this.#destroyed) return;
    if (this.#core.call('release', conn.handle) === 0) this.#conns.delete(conn.handle);
  }

  #unsubscribeId(id) {
    if (!this.#subs.has(id) || this.#destroyed) return;
    this.#subs.delete(id);
    this.#input(() => this.#core.call('unsubscribe', id, this.#now()));
  }

  // ---- the action loop ----

  #input(call, after) {
    const rc = call();
    after?.(rc);
    const b = this.#core.batch();
    if (b && b.count) this.#batches.push(b);
    if (!this.#running) this.#run();
    return rc;
  }

  #run() {
    this.#running = true;
    try {
      for (let k = 0; k < this.#batches.length; k++) {
        const b = this.#batches[k];
        while (b.pos < b.count) {
          const i = b.pos++;
          try {
            this.#exec(b, i);
          } catch (err) {
            this.#onError(err);
          }
        }
      }
    } finally {
      this.#batches.length = 0;
      this.#running = false;
    }
    this.#persist();
  }

  #exec(b, i) {
    if (this.#destroyed) return undefined;
    const w = this.#core.words(b);
    const r = b.base + i * WORDS;
    switch (w[r]) {
      case ACT_DELIVER: return this.#deliver(w[r + 1], w[r + 3], w[r + 4], w[r + 11], b.texts[i]);
      case ACT_OPEN:
        return this.#open({ conn: w[r + 1], stream: w[r + 2], endpoint: w[r + 5], attempt: w[r + 7], flags: w[r + 11], lastEventId: b.texts[i] });
      case ACT_CLOSE: {
        const c = this.#conns.get(w[r + 1]);
        const slot = c?.streams.get(w[r + 2]);
        c?.streams.delete(w[r + 2]);
        return slot?.abort();
      }
      case ACT_STATUS:
        if (w[r + 11] & FLAG_RESET) return this.#reset(w[r + 1], b.texts[i]);
        return this.#status({ conn: w[r + 1], state: this.#core.states[w[r + 6]], attempt: w[r + 7], reason: this.#core.reasons[w[r + 8]], failure: this.#failure[w[r + 8]], delayMs: w[r + 9], httpStatus: w[r + 10], flags: w[r + 11] });
      case ACT_WAKE_AT: return this.#arm(w[r + 19] === 0xffffffff ? Infinity : w[r + 19] * 4294967296 + w[r + 18]);
      default: return undefined;
    }
  }

  #open(a) {
    const c = this.#conns.get(a.conn);
    if (!c) return;
    const slot = { inner: null, aborted: false, pendingTypes: [],
      abort() { this.aborted = true; this.inner?.abort(); },
      listen(types) { if (this.inner?.listen) this.inner.listen(types); else this.pendingTypes.push(...types); } };
    c.streams.set(a.stream, slot);
    const request = {
      url: c.urls[a.endpoint] ?? c.urls[0], method: c.opts.method, body: c.opts.body, credentials: c.opts.credentials,
      withCredentials: c.opts.withCredentials, lastEventId: a.lastEventId, lastEventIdParam: c.opts.lastEventIdParam,
      eventTypes: this.#eventTypes(c), headers: null,
    };
    const start = () => {
      if (slot.aborted) return;
      slot.inner = this.#transports[c.opts.transport].open(request, this.#sink(c, a.stream));
      if (slot.pendingTypes.length) slot.inner.listen?.(slot.pendingTypes);
    };
    const needsAsync = typeof c.opts.headers === 'function' || (a.flags & FLAG_AUTH && c.opts.onAuthRequired);
    if (!needsAsync) {
      request.headers = { ...c.opts.headers, ...c.authHeaders };
      return start();
    }
    (async () => {
      if (a.flags & FLAG_AUTH && c.opts.onAuthRequired) {
        const fresh = await c.opts.onAuthRequired({ url: request.url, status: c.status?.httpStatus ?? 0 });
        if (fresh && typeof fresh === 'object') c.authHeaders = fresh;
      }
      const base = typeof c.opts.headers === 'function' ? await c.opts.headers() : c.opts.headers;
      request.headers = { ...base, ...c.authHeaders };
      start();
    })().catch((err) => {
      this.#onError(err);
      if (!slot.aborted && c.streams.get(a.stream) === slot) {
        c.streams.delete(a.stream);
        this.#input(() => this.#core.call('closed', a.stream, END_NETWORK, this.#now()));
      }
    });
  }

  #sink(c, stream) {
    const core = this.#core;
    const current = () => c.streams.has(stream);
    return {
      opened: (status, contentType, retryAfterMs, responseUrl) => {
        if (!current()) return false;
        // Read by #status when the core reports the connection open (EventSource's origin).
        c.responseUrl = typeof responseUrl === 'string' && responseUrl ? responseUrl : null;
        const [n] = core.put(contentType ?? '');
        this.#input(() => core.call('opened', stream, status | 0, n, retryAfterMs ?? -1, this.#now()));
        return current();
      },
      bytes: (u8) => {
        if (c.opts.persistLastEventId) c.dirty = true;
        for (let off = 0; off < u8.byteLength && current(); off += FEED_SLICE) {
          const part = u8.subarray(off, Math.min(u8.byteLength, off + FEED_SLICE));
          const [n] = core.put(part);
          if (this.#input(() => core.call('feed', stream, n, this.#now())) === this.#notFound) return false;
        }
        return current();
      },
      event: (type, data, id) => {
        if (!current()) return false;
        if (c.opts.persistLastEventId) c.dirty = true;
        const [tl, dl, il] = core.put(type ?? '', data ?? '', id ?? '');
        this.#input(() => core.call('event', stream, tl, dl, il, this.#now()));
        return current();
      },
      closed: (end) => {
        if (!current()) return;
        c.streams.delete(stream);
        this.#input(() => core.call('closed', stream, end | 0, this.#now()));
      },
    };
  }

  #eventTypes(c) {
    const types = new Set([...NOTICE_TYPES, ...c.opts.eventTypes]);
    for (const s of this.#subs.values()) {
      const ch = this.#channels.get(s.channel);
      if (ch && ch.conn === c.handle) for (const t of s.events) types.add(t);
    }
    return [...types];
  }

  #deliver(connHandle, subId, channel, flags, source) {
    const replayed = (flags & FLAG_REPLAYED) !== 0;
    const caughtUp = (flags & FLAG_CATCHUP) !== 0;
    if (source !== this.#lastCounted && !replayed) {
      this.#lastCounted = source;
      this.#countEvent(source);
    }
    const sub = this.#subs.get(subId);
    const ch = this.#byHandle.get(channel);
    if (!sub || !ch) return;
    // One object per event and channel, shared by its subscribers (as EventSource shares one
    // MessageEvent among its listeners): treat it as read-only.
    let event = this.#lastEvent;
    if (!event || this.#lastSource !== source || event.channel !== ch.name || replayed !== (event.replayed === true)
      || caughtUp !== (event.caughtUp === true)) {
      event = { type: source.type, data: source.data, id: source.id, channel: ch.name };
      if (replayed) event.replayed = true;
      if (caughtUp) event.caughtUp = true;
      this.#lastEvent = event;
      this.#lastSource = source;
    }
    sub.callback(event);
  }

  #countEvent(source) {
    if (!this.#latency) return;
    const now = this.#now();
    const ms = this.#latency(source.data, now);
    if (ms !== null) this.#core.call('observe_latency', ms, now);
  }

  // The server could not resume the stream (its `reset` event, delivered to subscribers next):
  // the status says so too, so an app can reload its state from a status listener as well.
  #reset(connHandle, data) {
    const c = this.#conns.get(connHandle);
    if (!c?.status) return;
    c.lastReset = Object.freeze({ at: this.#now(), data: data ?? '' });
    c.status = Object.freeze({ ...c.status, lastReset: c.lastReset });
    for (const name of c.channels) this.#setSnapshot(name, c.status);
  }

  #status(a) {
    const c = this.#conns.get(a.conn);
    if (!c) return;
    const now = this.#now();
    const info = this.#core.info(a.conn);
    if (a.failure && a.state !== 'open' && a.state !== 'connecting') {
      c.lastError = Object.freeze({ reason: a.reason, httpStatus: a.httpStatus, message: ERROR_MESSAGES[a.reason] ?? a.reason, at: now });
    }
    const waiting = a.state === 'reconnecting' || a.state === 'circuit-open';
    const f = this.#core.fresh(a.conn);
    c.status = Object.freeze({
      state: a.state, attempt: a.attempt, reconnectInMs: waiting ? a.delayMs : 0, nextRetryAt: waiting ? now + a.delayMs : null,
      lastEventId: info?.lastEventId ?? '', lastError: c.lastError, since: info?.since ?? now, reason: a.reason,
      httpStatus: a.httpStatus, endpoint: info?.endpoint ?? 0, url: c.urls[info?.endpoint ?? 0] ?? null,
      responseUrl: a.state === 'open' ? c.responseUrl ?? null : null, lastReset: c.lastReset ?? null,
      // Severity and freshness, as the core decided them (include/lifeline/manager.h).
      stale: (a.flags & FLAG_STALE) !== 0, alert: (a.flags & FLAG_ALERT) !== 0,
      lastByteAt: f?.lastByteAt ?? null, lastEventAt: f?.lastEventAt ?? null,
      // An accepted, fresh stream ends the outage for the user (its length is measured to the
      // first data, in the metrics).
      outageSince: a.state === 'open' && !(a.flags & FLAG_STALE) ? null : f?.outageSince ?? null,
      staleAfterMs: f?.staleAfterMs ?? 0,
    });
    for (const name of c.channels) this.#setSnapshot(name, c.status);
    if ((a.state === 'closed' || a.state === 'failed') && !c.channels.size) this.#maybeRelease(c);
  }

  #setSnapshot(channel, snap) {
    if (this.#snapshot(channel) === snap) return;
    if (snap === IDLE_SNAPSHOT) this.#snapshots.delete(channel);
    else this.#snapshots.set(channel, snap);
    for (const cb of [...(this.#listeners.get(channel) ?? [])]) {
      try {
        cb(snap);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  #snapshot(channel) {
    return this.#snapshots.get(channel) ?? IDLE_SNAPSHOT;
  }

  /** Forgets a name's status state once it is neither a channel nor listened to. */
  #releaseName(channel) {
    if (this.#channels.has(channel) || this.#listeners.has(channel)) return;
    this.#snapshots.delete(channel);
    this.#stores.delete(channel);
  }

  // Stream input may move the last event id without a delivery (an event no subscriber takes, an
  // id-only block, an empty id that resets it): the stored value follows the core's, not events.
  #persist() {
    if (!this.#storage) return;
    for (const c of this.#conns.values()) {
      if (!c.dirty) continue;
      c.dirty = false;
      const id = this.#core.info(c.handle)?.lastEventId;
      if (id === undefined || id === c.persisted) continue;
      try {
        this.#storage.setItem(c.storageKey, id);
        c.persisted = id;
      } catch {
        /* quota or privacy mode: resume still works within this page */
      }
    }
  }

  #readStored(key) {
    try {
      return this.#storage?.getItem(key) ?? null;
    } catch {
      return null; // blocked storage: start from initialLastEventId
    }
  }

  #arm(t) {
    if (t === this.#timerAt && this.#timer !== null) return;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = t;
    if (t === Infinity || this.#destroyed) return;
    const delay = Math.max(0, Math.min(MAX_TIMER_MS, Math.ceil(t - this.#now())));
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Infinity;
      if (!this.#destroyed) this.#input(() => this.#core.call('tick', this.#now()));
    }, delay);
  }

  #check(rc, what) {
    if (rc < 0) throw coreError(rc, what);
    return rc;
  }

  #alive() {
    if (this.#destroyed) throw destroyed();
  }
}
