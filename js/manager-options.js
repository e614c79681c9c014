/**
 * connect() options: validation, defaults and the pooling key; status snapshot helpers.
 * Internal to js/manager.js.
 */
import {
  FEATURE_RECONNECT, FEATURE_BREAKER, FEATURE_WATCHDOG, FEATURE_AUTH_HOOK, FEATURE_STRICT_STATUS, FEATURE_NO_DEDUP, managerDefaults,
} from './manager-core.js';
import { jitterOf, lifelineError } from './core-tables.js';
import { checkNumbers } from './checks.js';
import { sha256Hex } from './sha256.js';

const MAX_MS = 2 ** 31 - 1;

export const ERROR_MESSAGES = {
  network: 'network error', timeout: 'connection timed out', stall: 'no data or heartbeat in time',
  'http-5xx': 'server error', 'rate-limited': 'rate limited (HTTP 429)', 'retry-after': 'server asked to retry later',
  auth: 'not authorised', 'no-content': 'server closed the stream for good (HTTP 204)', 'not-found': 'stream not found',
  'http-status': 'unexpected HTTP status', 'content-type': 'response is not text/event-stream', overflow: 'event too large for the buffers',
  'server-closed': 'server ended the stream', exhausted: 'gave up after the maximum number of attempts', offline: 'offline',
  'circuit-open': 'server marked unhealthy (circuit open)',
};

const fnIds = /* @__PURE__ */ new WeakMap();
let nextFnId = 1;
function fnId(fn) {
  if (!fnIds.has(fn)) fnIds.set(fn, nextFnId++);
  return fnIds.get(fn);
}

/** The status of a name that is not a channel (one shared object, so stores stay stable). */
export const IDLE_SNAPSHOT = /* @__PURE__ */ Object.freeze({
  state: 'idle', attempt: 0, reconnectInMs: 0, nextRetryAt: null, lastEventId: '', lastError: null,
  since: null, reason: 'none', httpStatus: 0, endpoint: 0, url: null, responseUrl: null, lastReset: null,
  stale: false, alert: false, lastByteAt: null, lastEventAt: null, outageSince: null, staleAfterMs: 0,
});

/** A histogram's numbers from the core ([count, mean, min, max, p50, p90, p95, p99]) as the summary the API documents. */
export function summary(v) {
  const [count, mean, min, max, p50, p90, p95, p99] = v?.[0] ? v : [0];
  return count ? { count, mean, min, max, p50, p90, p95, p99 }
    : { count: 0, mean: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null };
}

/**
 * Validates connect() options and computes the pooling key (`key`, sent to the core) and the
 * name under which a persisted Last-Event-ID is stored (`storageKey`).
 */
export function normalize(url, o) {
  const transport = o.transport ?? 'fetch';
  const urls = [url, ...[].concat(o.endpoints ?? [])].map(String);
  // EventSource hides comments, so comment heartbeats cannot feed the watchdog: it is on for
  // that transport only when asked for (heartbeatTimeoutMs or features.watchdog).
  const watchdogDefault = transport !== 'eventsource' || o.heartbeatTimeoutMs !== undefined;
  const features = { reconnect: true, breaker: true, watchdog: watchdogDefault, retryHttpErrors: true, dedup: true, ...o.features };
  // The last two are positive here and negative flags in the core, whose default they keep.
  let featureBits = (features.reconnect ? FEATURE_RECONNECT : 0) | (features.breaker ? FEATURE_BREAKER : 0)
    | (features.watchdog ? FEATURE_WATCHDOG : 0) | (features.retryHttpErrors ? 0 : FEATURE_STRICT_STATUS)
    | (features.dedup ? 0 : FEATURE_NO_DEDUP);
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
  const d = managerDefaults();
  const opts = {
    transport, urls, method: o.method ?? 'GET', body, headers, credentials: o.credentials,
    withCredentials: !!o.withCredentials, lastEventIdParam: o.lastEventIdParam ?? 'lastEventId',
    initialLastEventId: o.initialLastEventId, persistLastEventId: !!o.persistLastEventId, onAuthRequired: o.onAuthRequired,
    heartbeatTimeoutMs: intOpt('heartbeatTimeoutMs', o.heartbeatTimeoutMs, d.heartbeatTimeoutMs, 1),
    connectTimeoutMs: intOpt('connectTimeoutMs', o.connectTimeoutMs, d.connectTimeoutMs),
    plainRetryMs: intOpt('plainRetryMs', o.plainRetryMs, d.plainRetryMs, 1),
    maxEventBytes: intOpt('maxEventBytes', o.maxEventBytes, 0),
    // 0: learned from the server's rhythm; -1 keeps the core's grace time (2 s).
    staleAfterMs: intOpt('staleAfterMs', o.staleAfterMs, 0), graceMs: intOpt('graceMs', o.graceMs, -1),
    replay: intOpt('replay', o.replay, 0), replayBytes: intOpt('replayBytes', o.replayBytes, 0),
    dedupWindow: intOpt('dedupWindow', o.dedupWindow, 0),
    backoff: { ...o.backoff }, breaker: { ...o.breaker }, eventTypes: [...new Set([].concat(o.eventTypes ?? []).map(String))].sort(),
    features, featureBits,
  };
  // Values are the core's to judge; a string where a number goes never reaches it.
  checkNumbers(opts.backoff, ['initialMs', 'maxMs', 'multiplier', 'maxAttempts', 'healthyAfterMs'], 'connect: backoff.');
  checkNumbers(opts.breaker, ['consecutiveFailures', 'failureRateThreshold', 'minimumCalls', 'windowMs', 'openMs', 'maxOpenMs'], 'connect: breaker.');
  // The core's name for the jitter (-1 keeps its default); the core alone knows the names.
  opts.jitter = opts.backoff.jitter === undefined ? -1 : jitterOf(String(opts.backoff.jitter));
  if (opts.jitter < 0 && opts.backoff.jitter !== undefined) {
    throw lifelineError('LIFELINE_ERR_INVALID_ARGUMENT', `connect: invalid argument: backoff.jitter = ${JSON.stringify(opts.backoff.jitter)}`);
  }
  Object.assign(opts, keysOf(opts, o, body, headers));
  return opts;
}

const byIdentity = (v) => `#${fnId(v)}`;
const byKind = (v) => `#${typeof v === 'function' ? 'function' : Object.prototype.toString.call(v)}`;

/**
 * The keys of a connection, all SHA-256 (128 bits kept), so header values and bodies stay out of
 * the core's key (capped at 4 KiB) and out of storage whatever their size:
 *  key         every option that changes the stream or how the connection behaves (the pool key);
 *  streamKey   what the server sends (the URLs, method, body, headers...): connections with the
 *              same streamKey can resume from each other's last event id;
 *  storageKey  the name a persisted last event id is stored under. Functions and non-string
 *              bodies count by identity in a page and by kind across reloads, which stored ids
 *              outlive.
 */
function keysOf(opts, o, body, headers) {
  const bodyPart = typeof body === 'string' ? (body.length > 64 ? `sha256:${sha256Hex(body, 64)}` : body) : body ?? null;
  const stream = (identity) => [
    opts.transport, opts.urls, opts.method, bodyPart === null || typeof bodyPart === 'string' ? bodyPart : identity(bodyPart),
    typeof headers === 'function' ? identity(headers) : sortEntries(headers), o.credentials ?? null, opts.withCredentials,
    opts.lastEventIdParam,
  ];
  // Every other option that changes how this connection behaves (channel options do not).
  const behaviour = [
    opts.eventTypes, opts.featureBits, opts.heartbeatTimeoutMs, opts.connectTimeoutMs, opts.plainRetryMs, opts.maxEventBytes,
    opts.staleAfterMs, opts.graceMs,
    sortEntries(opts.backoff), sortEntries(opts.breaker), o.onAuthRequired ? fnId(o.onAuthRequired) : 0,
    initialIdOf(opts.initialLastEventId), opts.persistLastEventId,
  ];
  const inPage = JSON.stringify(stream(byIdentity));
  return {
    key: `k:${sha256Hex(`${inPage}${JSON.stringify(behaviour)}`)}`,
    streamKey: sha256Hex(inPage),
    // The event types an EventSource listens to decide which ids it sees: part of the stored id's meaning.
    storageKey: `lifeline:lastEventId:${sha256Hex(JSON.stringify([stream(byKind), opts.eventTypes]))}`,
  };
}

function initialIdOf(v) {
  return v === undefined || v === null || v === '' ? null : String(v);
}

function sortEntries(h) {
  return Object.keys(h ?? {}).filter((k) => h[k] !== undefined).map((k) => [k.toLowerCase(), String(h[k])])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
