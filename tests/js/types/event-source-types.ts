// Compiled by tests/js/event-source-types.test.js with tsc --strict: the EventSource declarations.
import { EventSource, type EventSourceInit, type EventSourceErrorEvent } from '../../../js/index.js';

export function demo(): number {
  const init: EventSourceInit = {
    withCredentials: true, fetch: (url, opts) => fetch(url, opts), headers: { authorization: 'Bearer x' },
    method: 'POST', body: { q: 1 }, backoff: { initialMs: 500 }, heartbeatTimeoutMs: 20000,
    endpoints: ['https://b.example/feed'], features: { retryHttpErrors: true, dedup: false },
  };
  const es = new EventSource(new URL('https://a.example/feed'), init);
  es.onopen = function onopen() { console.log(this.readyState === EventSource.OPEN, this.url); };
  es.onmessage = (e) => console.log(e.data.toUpperCase(), e.lastEventId, e.origin);
  es.onerror = (e: EventSourceErrorEvent) => console.log(e.reason, e.code, e.message);
  es.addEventListener('progress', (e) => console.log(e.data.length));
  es.addEventListener('error', (e) => console.log(e.code));
  const states: (0 | 1 | 2)[] = [es.CONNECTING, es.OPEN, es.CLOSED];
  es.close();
  // @ts-expect-error readyState is read-only
  es.readyState = 1;
  const shared = new EventSource('https://a.example/feed', { share: 'origin', shareVia: 'locks', heartbeatTimeoutMs: 3000 });
  shared.close();
  // @ts-expect-error share is 'tab' or 'origin'
  new EventSource('https://a.example/feed', { share: 'window' });
  return states.length + (es.withCredentials ? 1 : 0);
}
