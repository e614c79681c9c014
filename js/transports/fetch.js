/**
 * The fetch transport: fetch() + ReadableStream, bytes handed to the manager (and from there to
 * the C parser). Unlike EventSource it sends any method, body and headers, a `Last-Event-ID`
 * header on every reconnect, and it sees the response status and headers, so the manager can
 * tell a 204 or a 401 from a network error. Works in browsers and in Node >= 18 (global fetch).
 */

/** How a stream ended (mirrors lifeline_manager_end in include/lifeline/manager.h). */
export const END_CLEAN = 0;
export const END_NETWORK = 1;
export const END_TIMEOUT = 2;
export const END_ABORTED = 3;

/** Parses a Retry-After header (delta-seconds or an HTTP date) into ms; -1 when absent/invalid. */
export function parseRetryAfter(value, nowMs = Date.now()) {
  if (value === null || value === undefined) return -1;
  const s = String(value).trim();
  if (/^\d+$/.test(s)) return Math.min(Number(s) * 1000, 2 ** 31 - 1);
  const t = Date.parse(s);
  if (Number.isNaN(t)) return -1;
  return Math.max(0, Math.min(t - nowMs, 2 ** 31 - 1));
}

/**
 * @param {{ fetch?: typeof fetch }} [options]
 * @returns {{ name: 'fetch', open(request, sink): { abort(): void } }}
 *
 * request: { url, method, headers, body, credentials, lastEventId }
 * sink:    { opened(status, contentType, retryAfterMs, responseUrl) -> boolean (false: stop
 *            reading; responseUrl: where the response came from, after redirects),
 *            bytes(Uint8Array) -> boolean, closed(end) }
 */
export function createFetchTransport(options = {}) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return {
    name: 'fetch',
    open(request, sink) {
      const controller = new AbortController();
      run(fetchImpl, request, sink, controller.signal);
      return { abort: () => controller.abort() };
    },
  };
}

async function run(fetchImpl, request, sink, signal) {
  let response;
  try {
    if (typeof fetchImpl !== 'function') throw new TypeError('fetch is not available');
    const headers = { accept: 'text/event-stream', 'cache-control': 'no-cache', ...request.headers };
    if (request.lastEventId) headers['last-event-id'] = request.lastEventId;
    const init = { method: request.method ?? 'GET', headers, signal, cache: 'no-store' };
    if (request.body !== undefined && request.body !== null) init.body = request.body;
    if (request.credentials) init.credentials = request.credentials;
    response = await fetchImpl(request.url, init);
  } catch {
    if (!signal.aborted) sink.closed(END_NETWORK);
    return;
  }
  if (signal.aborted) return cancel(response);
  const accepted = sink.opened(response.status, response.headers.get('content-type') ?? '',
    parseRetryAfter(response.headers.get('retry-after')), response.url || request.url);
  if (!accepted || signal.aborted || !response.body) {
    cancel(response);
    if (accepted && !signal.aborted) sink.closed(END_CLEAN); // a 200 without a body
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) return;
      if (done) {
        sink.closed(END_CLEAN);
        return;
      }
      if (value && value.byteLength && !sink.bytes(value)) {
        reader.cancel().catch(() => {});
        return;
      }
    }
  } catch {
    if (!signal.aborted) sink.closed(END_NETWORK);
  }
}

function cancel(response) {
  try {
    response?.body?.cancel().catch(() => {});
  } catch {
    /* already locked or closed */
  }
}
