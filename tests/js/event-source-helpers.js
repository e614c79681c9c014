// Shared by the EventSource tests: sources closed after their test, and a log of what they fired.
import { EventSource } from '../../js/index.js';

/** A new EventSource, closed when the test ends. */
export function open(t, url, init) {
  const es = new EventSource(url, init);
  t.after(() => es.close());
  return es;
}

/**
 * Records open, error, message and the named `types` as { kind, rs (readyState then), data, id,
 * origin } for messages and { kind, rs, reason, code, message } for errors.
 */
export function record(es, types = []) {
  const log = [];
  es.addEventListener('open', () => log.push({ kind: 'open', rs: es.readyState }));
  es.addEventListener('error', (e) => log.push({ kind: 'error', rs: es.readyState, reason: e.reason, code: e.code, message: e.message }));
  for (const type of ['message', ...types]) {
    es.addEventListener(type, (e) => log.push({ kind: type, rs: es.readyState, data: e.data, id: e.lastEventId, origin: e.origin }));
  }
  return log;
}
