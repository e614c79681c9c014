/**
 * What a connection status says in plain words: a short label for the indicator, a headline and
 * an action for the alert, and the technical details (HTTP status, attempt, breaker) apart, so a
 * headline never reads "circuit open". Pure functions of a status snapshot (the core decided the
 * state, stale and alert flags; this only words them). Apps may pass their own labels.
 */
import { errorText } from './stores.js';

/** Short indicator text per connection state. */
export const STATUS_LABELS = /* @__PURE__ */ Object.freeze({
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  'circuit-open': 'Paused',
  failed: 'Stopped',
  closed: 'Disconnected',
  idle: 'Not connected',
  stale: 'No data',
});

// Why live updates are interrupted, in the user's terms, per reason (of the state or the last error).
const CAUSES = /* @__PURE__ */ Object.freeze({
  network: 'the server is not answering',
  timeout: 'the server is not answering',
  stall: 'the server stopped sending data',
  'http-5xx': 'the server is having trouble',
  'rate-limited': 'the server is busy',
  'retry-after': 'the server is busy',
  'server-closed': 'the server closed the connection',
  overflow: 'an update was too large to receive',
  drain: 'the server is restarting',
  offline: 'you are offline',
});

// Why they stopped for good (state failed), per reason.
const FAILURES = /* @__PURE__ */ Object.freeze({
  auth: 'you are not signed in, or your session expired',
  'no-content': 'the server ended the stream',
  'not-found': 'the stream no longer exists',
  'content-type': 'the server sent something other than live updates',
  'http-status': 'the server refused the request',
  exhausted: 'too many attempts failed',
  'http-5xx': 'the server refused the connection',
  'rate-limited': 'the server is busy',
  'retry-after': 'the server is busy',
});

/** Seconds of silence a stale status stands for, given the ms elapsed since it was first seen. */
export function silenceSeconds(status, elapsedMs = 0) {
  return Math.max(1, Math.floor(((status.staleAfterMs || 0) + Math.max(0, elapsedMs)) / 1000));
}

/**
 * The indicator's sentence, without any countdown: "Live", "No data for 12 s" (stale; pass the
 * seconds), "Reconnecting", "Stopped: not signed in"...
 */
export function describeStatus(status, labels = STATUS_LABELS, staleSeconds = null) {
  const l = { ...STATUS_LABELS, ...labels };
  if (status.state === 'open' && status.stale) {
    return staleSeconds === null ? l.stale : `${l.stale} for ${staleSeconds} s`;
  }
  const base = l[status.state] ?? status.state;
  if (status.state === 'reconnecting' && status.attempt > 1) return `${base} (attempt ${status.attempt})`;
  if (status.state === 'failed') {
    const why = status.lastError && (FAILURES[status.lastError.reason] ?? errorText(status.lastError));
    return why ? `${base}: ${why}` : base;
  }
  if (status.state === 'offline') return `${base}, waiting for the network`;
  return base;
}

function causeOf(status) {
  const r = status.reason === 'circuit-open' || status.reason === 'none' || status.reason === 'offline'
    ? (status.state === 'offline' ? 'offline' : status.lastError?.reason)
    : status.reason;
  return CAUSES[r] ?? 'the connection was lost';
}

/**
 * The alert's headline, announced once per change: "Live updates paused — the server is not
 * answering", "Live updates stopped — the stream no longer exists". Never a countdown, never
 * jargon (the breaker and HTTP status go to statusDetails).
 */
export function alertHeadline(status) {
  if (status.state === 'failed') {
    const why = FAILURES[status.lastError?.reason] ?? errorText(status.lastError) ?? 'the connection failed';
    return `Live updates stopped — ${why}`;
  }
  if (status.state === 'offline') return 'Live updates paused — you are offline';
  if (status.state === 'open' && status.stale) return 'Live updates paused — no data is arriving';
  return `Live updates paused — ${causeOf(status)}`;
}

/** What happens next, in words, with the seconds until the next try (not a live region's text). */
export function nextStep(status, seconds) {
  if (status.state === 'failed') return 'Live updates will not resume by themselves.';
  if (status.state === 'offline') return 'Trying again when the network is back.';
  if (status.state === 'open') return 'Still connected; reconnecting if nothing arrives.';
  if (seconds === null || seconds === undefined) return 'Trying again now…';
  return seconds <= 0 ? 'Trying again now…' : `Trying again in ${seconds} s.`;
}

/** The technical reason for a details line: "HTTP 503 · server error · attempt 4 · paused by the circuit breaker". */
export function statusDetails(status) {
  const parts = [];
  const err = status.lastError;
  const http = status.httpStatus || err?.httpStatus;
  if (http) parts.push(`HTTP ${http}`);
  if (err?.message) parts.push(err.message);
  if (status.reason && status.reason !== 'none' && status.reason !== err?.reason) parts.push(`reason ${status.reason}`);
  if (status.attempt) parts.push(`attempt ${status.attempt}`);
  if (status.state === 'circuit-open') parts.push('paused by the circuit breaker after repeated failures');
  if (status.outageSince) parts.push(`last data at ${new Date(status.outageSince).toLocaleTimeString()}`);
  return parts.join(' · ');
}

/** 'auth' for a failed channel whose fix is signing in, 'retry' for the others (and any waiting state). */
export function actionKind(status) {
  return status.state === 'failed' && status.lastError?.reason === 'auth' ? 'auth' : 'retry';
}
