/**
 * The EventSource transport: the browser's native EventSource, with Lifeline in charge of
 * reconnection. On any error the EventSource is closed (so the browser does not reconnect on
 * its own) and the manager decides when to try again. A new EventSource cannot send a
 * Last-Event-ID header, so the last id travels as a query parameter (default `lastEventId`).
 *
 * Limits of EventSource (use the fetch transport when they matter): GET only, no custom headers,
 * comments are invisible (so heartbeats must be events for the watchdog to see them), the status
 * of a refused response is not exposed (reported as status 0: retried, never classified), and
 * named events are only seen for the types listened to (the manager passes every type its
 * subscribers filter on, plus `eventTypes` from the connect options).
 */
import { END_NETWORK } from './fetch.js';

/** Adds (or replaces) a query parameter. */
export function withQueryParam(url, name, value) {
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  const frag = hash >= 0 ? url.slice(hash) : '';
  const enc = encodeURIComponent(name);
  const parts = base.split('?');
  const kept = (parts[1] ?? '').split('&').filter((p) => p && p.split('=')[0] !== enc);
  kept.push(`${enc}=${encodeURIComponent(value)}`);
  return `${parts[0]}?${kept.join('&')}${frag}`;
}

/**
 * @param {{ EventSource?: typeof EventSource }} [options]
 * request: { url, lastEventId, lastEventIdParam, credentials, withCredentials, eventTypes }
 * sink:    { opened(status, contentType, retryAfterMs), event(type, data, id), closed(end) }
 */
export function createEventSourceTransport(options = {}) {
  const ES = options.EventSource ?? globalThis.EventSource;
  return {
    name: 'eventsource',
    available: typeof ES === 'function',
    open(request, sink) {
      let url = request.url;
      if (request.lastEventId) url = withQueryParam(url, request.lastEventIdParam || 'lastEventId', request.lastEventId);
      const withCredentials = !!request.withCredentials || request.credentials === 'include';
      let es;
      try {
        es = new ES(url, { withCredentials });
      } catch {
        queueMicrotask(() => sink.closed(END_NETWORK));
        return { abort() {}, listen() {} };
      }
      let opened = false;
      let done = false;
      const types = new Set();
      const onMessage = (e) => {
        if (!done) sink.event(e.type, typeof e.data === 'string' ? e.data : String(e.data ?? ''), e.lastEventId ?? '');
      };
      const listen = (list) => {
        for (const t of list) {
          if (t === 'error' || t === 'open' || types.has(t)) continue;
          types.add(t);
          es.addEventListener(t, onMessage);
        }
      };
      listen(['message', ...(request.eventTypes ?? [])]);
      es.onopen = () => {
        if (done) return;
        opened = true;
        sink.opened(200, 'text/event-stream', -1);
      };
      es.onerror = () => {
        if (done) return;
        done = true;
        const refused = !opened && es.readyState === 2; // CLOSED: the browser failed the connection
        es.close();
        if (refused) sink.opened(0, '', -1);
        else sink.closed(END_NETWORK);
      };
      return {
        abort() {
          done = true;
          es.close();
        },
        listen,
      };
    },
  };
}
