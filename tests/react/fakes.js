/**
 * In-test fakes implementing exactly the manager and router interfaces the bindings code
 * against (createManager / createRouter from 'lifeline-sse'). They record calls so tests can count
 * connections and subscriptions.
 */
import { PENDING_STATUS } from '../../js/react/stores.js';

/** strict: like the real manager, subscribe() throws LIFELINE_ERR_NOT_FOUND for a channel never connected. */
export function createFakeManager({ strict = false } = {}) {
  const subs = new Map(); // channel → Set<{ cb, options }>
  const statusCbs = new Map(); // channel → Set<cb>
  const statuses = new Map(); // channel → snapshot
  const calls = { connect: [], subscribe: 0, unsubscribe: 0, retryNow: [], closeAll: 0, destroy: 0, statusStore: 0 };
  const get = (ch) => statuses.get(ch) ?? PENDING_STATUS;
  const m = {
    calls,
    connect(channel, url, options) {
      calls.connect.push({ channel, url, options });
      // The shape of the real manager's snapshot of a connection that is being opened.
      if (!statuses.has(channel)) {
        statuses.set(channel, { state: 'connecting', attempt: 0, reconnectInMs: 0, nextRetryAt: null, lastEventId: '', lastError: null,
          since: 0, reason: 'none', httpStatus: 0, endpoint: 0, url });
      }
    },
    subscribe(channel, cb, options = {}) {
      if (strict && !statuses.has(channel)) {
        throw Object.assign(new Error(`subscribe: unknown channel "${channel}" (call connect first)`), { code: 'LIFELINE_ERR_NOT_FOUND', errno: -6 });
      }
      calls.subscribe++;
      if (!subs.has(channel)) subs.set(channel, new Set());
      const rec = { cb, options };
      subs.get(channel).add(rec);
      return () => { if (subs.get(channel)?.delete(rec)) calls.unsubscribe++; };
    },
    unsubscribe(channel, cb) {
      for (const rec of subs.get(channel) ?? []) if (rec.cb === cb) { subs.get(channel).delete(rec); calls.unsubscribe++; }
    },
    getConnectionStatus: get,
    onStatus(channel, cb) {
      if (!statusCbs.has(channel)) statusCbs.set(channel, new Set());
      statusCbs.get(channel).add(cb);
      return () => statusCbs.get(channel).delete(cb);
    },
    statusStore(channel) {
      calls.statusStore++;
      return { subscribe: (cb) => m.onStatus(channel, cb), getSnapshot: () => get(channel) };
    },
    retryNow(channel) { calls.retryNow.push(channel); },
    getMetrics() { return { delivered: calls.subscribe, connections: calls.connect.length }; },
    closeAll() { calls.closeAll++; },
    destroy() { calls.destroy++; m.closeAll(); },
    disconnect(channel) { calls.disconnect = [...(calls.disconnect ?? []), channel]; statuses.delete(channel); subs.delete(channel); },
    // test helpers
    emit(channel, type, data, id, extra) {
      const event = { type, data: typeof data === 'string' ? data : JSON.stringify(data), id: id ?? '', channel, ...extra };
      for (const { cb, options } of [...(subs.get(channel) ?? [])]) {
        if (options.events && !options.events.includes(type)) continue;
        cb(event);
      }
    },
    setStatus(channel, patch) {
      statuses.set(channel, { ...get(channel), ...patch });
      for (const cb of [...(statusCbs.get(channel) ?? [])]) cb();
    },
    subscriberCount(channel) { return subs.get(channel)?.size ?? 0; },
  };
  return m;
}

/** Like the real router: getSnapshot() is the same array until a figure changes; subscribe() hears every change. */
export function createFakeRouter(services) {
  let health = Object.freeze(services.map((s) => ({ name: s, state: 'healthy', p50Ms: 40, p95Ms: 90, errorRate: 0, lastError: null, since: 0 })));
  const storeListeners = new Set();
  const cbs = new Set();
  return {
    closed: 0,
    async request(capability) { return { service: health[0].name, status: 200, headers: {}, body: capability, attempts: 1, degraded: false }; },
    getHealth() { return health.map((s) => ({ ...s })); },
    subscribe(cb) { storeListeners.add(cb); return () => storeListeners.delete(cb); },
    getSnapshot() { return health; },
    onStatus(cb) { cbs.add(cb); return () => cbs.delete(cb); },
    close() { this.closed++; },
    setHealth(name, patch) {
      const next = health.map((s) => (s.name === name ? { ...s, ...patch } : s));
      if (JSON.stringify(next) !== JSON.stringify(health)) health = Object.freeze(next);
      for (const cb of [...cbs]) cb({ name, ...patch });
      for (const cb of [...storeListeners]) cb();
    },
    listeners() { return storeListeners.size; },
  };
}

/** A runtime module for <SSEProvider runtime=…>: counts init and createManager calls. */
export function createFakeRuntime({ manager = createFakeManager(), router = null, fail = null } = {}) {
  const rt = {
    inits: 0,
    created: 0,
    manager,
    router,
    async init(options) { rt.inits++; rt.initOptions = options; if (fail) throw fail; },
    createManager(options) { rt.created++; rt.options = options; return manager; },
    createRouter(options) { rt.routerOptions = options; return router; },
  };
  return rt;
}
