/**
 * Small external stores the hooks bind with useSyncExternalStore. Each store caches its snapshot
 * so that an unchanged state returns the same object (otherwise React would re-render forever).
 * Nothing here runs at import time: the module is safe to import during server-side rendering.
 */

/** The status every channel has before the manager exists (and on the server): the manager's
 * ConnectionStatus shape (one type for both), with nothing scheduled and no endpoint yet. */
export const PENDING_STATUS = /* @__PURE__ */ Object.freeze({
  state: 'connecting',
  attempt: 0,
  reconnectInMs: 0,
  nextRetryAt: null,
  lastEventId: '',
  lastError: null,
  since: null,
  reason: 'none',
  httpStatus: 0,
  endpoint: 0,
  url: null,
  responseUrl: null,
  lastReset: null,
  stale: false,
  alert: false,
  lastByteAt: null,
  lastEventAt: null,
  outageSince: null,
  staleAfterMs: 0,
});

const noop = () => {};

/** A store whose value never changes. */
export function constantStore(value) {
  return { subscribe: () => noop, getSnapshot: () => value };
}

/** The status shown when loading the runtime failed (the Wasm did not load, for example): no
 * stream failed, so the reason is 'none' and lastError.message says what went wrong. */
export function failedStatus(error) {
  const at = Date.now();
  const lastError = Object.freeze({ reason: 'none', httpStatus: 0, message: errorText(error) ?? 'the runtime did not load', at });
  return Object.freeze({ ...PENDING_STATUS, state: 'failed', alert: true, lastError, since: at });
}

/** A readable message for an error given as an Error, a string or a { message, code } record. */
export function errorText(error) {
  if (error == null) return null;
  if (typeof error === 'string') return error;
  if (typeof error.message === 'string') {
    // The manager's lastError: { reason, httpStatus, message, at }.
    const http = error.httpStatus ? `HTTP ${error.httpStatus}` : '';
    return http && !error.message.includes(String(error.httpStatus)) ? `${error.message} (${http})` : error.message;
  }
  if (typeof error.reason === 'string') return error.reason;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

// Per manager, one store per channel while it has subscribers, so the subscribe function keeps its
// identity across renders and every component reading the same channel shares one snapshot. An
// entry leaves with its last subscriber: apps with one channel per room stay bounded.
const statusStores = /* @__PURE__ */ new WeakMap();

/** The status store of `channel`, over the manager's statusStore(channel). */
export function statusStoreOf(manager, channel) {
  let perChannel = statusStores.get(manager);
  if (!perChannel) statusStores.set(manager, (perChannel = new Map()));
  let store = perChannel.get(channel);
  if (!store) {
    store = sharedStore(perChannel, channel, manager.statusStore(channel));
    perChannel.set(channel, store);
  }
  return store;
}

/** How many channel status stores are kept for `manager` (for leak tests). */
export function retainedStatusStores(manager) {
  return statusStores.get(manager)?.size ?? 0;
}

// Kept in perChannel from its first read until its last subscriber leaves (and registered again
// when Strict Mode subscribes it after that).
function sharedStore(perChannel, channel, inner) {
  let count = 0;
  const store = {
    subscribe(cb) {
      const off = inner.subscribe(cb);
      if (count++ === 0 && !perChannel.has(channel)) perChannel.set(channel, store);
      let on = true;
      return () => {
        if (!on) return;
        on = false;
        off();
        if (--count === 0 && perChannel.get(channel) === store) perChannel.delete(channel);
      };
    },
    getSnapshot: () => inner.getSnapshot(),
  };
  return store;
}

const healthStores = /* @__PURE__ */ new WeakMap();

/** The router's health store (its subscribe/getSnapshot protocol), one object per router. */
export function healthStoreOf(router) {
  let store = healthStores.get(router);
  if (!store) {
    store = { subscribe: (cb) => router.subscribe(cb), getSnapshot: () => router.getSnapshot() };
    healthStores.set(router, store);
  }
  return store;
}

/** SSE data arrives as text; the demo protocols send JSON. Returns the parsed value or the text. */
export function parseData(data) {
  if (typeof data !== 'string') return data;
  const c = data.charCodeAt(0);
  if (c !== 123 && c !== 91) return data; // not '{' or '['
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
