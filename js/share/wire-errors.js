/**
 * Errors that cross between a tab and the hub (js/share/protocol.js): structured cloning keeps
 * an Error's message but loses its class and own fields (`code`, `errno`, a router's
 * `capability` and `attempts`; a stream's `reason`, `partial`, `service`, `status` and
 * `result`), so both sides write and read this plain form, and a tab rebuilds the class it was
 * in the hub: LifelineError with its code, TypeError, AbortError.
 * Internal to js/share/hub.js, js/share/router-hub.js and js/share/share-worker.js (they write),
 * js/share/client.js and js/share/router-client.js (they read).
 */
import { LifelineError } from '../errors.js';

// A failed router.stream()'s fields (router-stream.d.ts StreamError), all plain values.
const STREAM_FIELDS = ['reason', 'partial', 'service', 'status', 'result'];

/** The plain form of an error thrown in the hub. */
export function errorToWire(err) {
  const e = err ?? {};
  return {
    name: e.name ?? 'Error', message: String(e.message ?? e), code: e.code ?? null, errno: e.errno ?? null,
    capability: e.capability ?? null, attempts: e.attempts ?? null,
    stream: typeof e.partial === 'string' ? Object.fromEntries(STREAM_FIELDS.map((k) => [k, e[k] ?? null])) : null,
  };
}

/** An error sent by the hub, as the class it was there. */
export function errorFromWire(e) {
  let err;
  if (e.name === 'LifelineError') err = new LifelineError(e.code, e.message, e.errno ?? -1);
  else if (e.name === 'TypeError') err = new TypeError(e.message);
  else if (e.name === 'AbortError' || e.name === 'TimeoutError') err = new DOMException(e.message, e.name);
  else err = Object.assign(new Error(e.message), { name: e.name });
  if (e.capability != null) err.capability = e.capability;
  if (e.attempts != null) err.attempts = e.attempts;
  if (e.stream) Object.assign(err, e.stream);
  return err;
}
