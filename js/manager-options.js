/**
 * connect() options: validation, defaults and the pooling key; status snapshot helpers.
 * Internal to js/manager.js.
 */
import { FEATURE_RECONNECT, FEATURE_BREAKER, FEATURE_WATCHDOG, FEATURE_AUTH_HOOK, JITTER } from './manager-core.js';

const MAX_MS = 2 ** 31 - 1;

export const QUIET = new Set(['none', 'linger', 'aborted']);
export const ERROR_MESSAGES = {
  network: 'network error', timeout: 'connection timed out', stall: 'no data or heartbeat in time',
  'http-5xx': 'server error', 'rate-limited': 'rate limited (HTTP 429)', 'retry-after': 'server asked to retry later',
  auth: 'not authorised', 'no-content': 'server closed the stream for good (HTTP 204)', 'not-found': 'stream not found',
  'http-status': 'unexpected HTTP status', 'content-type': 'response is not text/event-stream', overflow: 'event too large for the buffers',
  'server-closed': 'server ended the stream', exhausted: 'gave up after the maximum number of attempts', offline: 'offline',
  'circuit-open': 'server marked unhealthy (circuit open)',
};

const fnIds = new WeakMap();
let nextFnId = 1;
function fnId(fn) {
  if (!fnIds.has(fn)) fnIds.set(fn, nextFnId++);
  return fnIds.get(fn);
}

/** The status of a name that is not a channel (one shared object, so stores stay stable). */
export const IDLE_SNAPSHOT = Object.freeze({
  state: 'idle', attempt: 0, reconnectInMs: 0, nextRetryAt: null, lastEventId: '', lastError: null,
  since: null, reason: 'none', httpStatus: 0, endpoint: 0, url: null,
});

/** A histogram's JSON (from metrics.h) as the summary the API documents. */
export function summary(j) {
  if (!j || !j.count) return { count: 0, mean: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null };
  return { count: j.count, mean: j.mean, min: j.min, max: j.max, p50: j.p50, p90: j.p90, p95: j.p95, p99: j.p99 };
}

/** Validates connect() options and computes the pooling key. */
export function normalize(url, o) {
  const transport = o.transport ?? 'fetch';
  const urls = [url, ...[].concat(o.endpoints ?? [])].map(String);
  // EventSource hides comments, so comment heartbeats cannot feed the watchdog: it is on for
  // that transport only when asked for (heartbeatTimeoutMs or features.watchdog).
  const watchdogDefault = transport !== 'eventsource' || o.heartbeatTimeoutMs !== undefined;
  const features = { reconnect: true, breaker: true, watchdog: watchdogDefault, ...o.features };
  let featureBits = (features.reconnect ? FEATURE_RECONNECT : 0) | (features.breaker ? FEATURE_BREAKER : 0)
    | (features.watchdog ? FEATURE_WATCHDOG : 0);
  if (typeof o.onAuthRequired === 'function') featureBits |= FEATURE_AUTH_HOOK;
  let body = o.body;
  let headers = o.headers ?? {};
  if (body !== undefined && body !== null && typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype) {
    body = JSON.stringify(body);
    if (typeof headers === 'object') headers = { 'content-type': 'application/json', ...headers };
  }
  if (urls.length > 8) throw new RangeError('connect: at most 8 endpoints (url + endpoints)');
  const intOpt = (name, v, def, min = 0) => {
    if (v === undefined || v === null) return def;
    if (!Number.isFinite(v) || v < min || v > MAX_MS) throw new RangeError(`connect: ${name} must be a number from ${min} to ${MAX_MS}`);
    return Math.floor(v);
  };
  const opts = {
    transport, urls, method: o.method ?? 'GET', body, headers, credentials: o.credentials,
    withCredentials: !!o.withCredentials, lastEventIdParam: o.lastEventIdParam ?? 'lastEventId',
    initialLastEventId: o.initialLastEventId, persistLastEventId: !!o.persistLastEventId, onAuthRequired: o.onAuthRequired,
    heartbeatTimeoutMs: intOpt('heartbeatTimeoutMs', o.heartbeatTimeoutMs, 45000, 1),
    connectTimeoutMs: intOpt('connectTimeoutMs', o.connectTimeoutMs, 30000),
    plainRetryMs: intOpt('plainRetryMs', o.plainRetryMs, 3000, 1),
    maxEventBytes: intOpt('maxEventBytes', o.maxEventBytes, 0),
    replay: intOpt('replay', o.replay, 0), replayBytes: intOpt('replayBytes', o.replayBytes, 0),
    dedupWindow: intOpt('dedupWindow', o.dedupWindow, 0),
    backoff: { ...o.backoff }, breaker: { ...o.breaker }, eventTypes: [].concat(o.eventTypes ?? []).map(String),
    features, featureBits,
  };
  if (opts.backoff.jitter !== undefined && JITTER[opts.backoff.jitter] === undefined) {
    throw new RangeError(`connect: backoff.jitter must be one of ${Object.keys(JITTER).join(', ')}`);
  }
  opts.key = JSON.stringify([
    transport, urls, opts.method, typeof body === 'string' ? body : body === undefined ? null : `#${fnId(body)}`,
    typeof headers === 'function' ? `#${fnId(headers)}` : sortEntries(headers), o.credentials ?? null, opts.withCredentials,
    opts.lastEventIdParam, featureBits, opts.heartbeatTimeoutMs, opts.connectTimeoutMs, opts.maxEventBytes,
    o.backoff ?? null, o.breaker ?? null, o.onAuthRequired ? fnId(o.onAuthRequired) : 0,
  ]);
  return opts;
}

function sortEntries(h) {
  return Object.keys(h ?? {}).sort().map((k) => [k.toLowerCase(), String(h[k])]);
}
