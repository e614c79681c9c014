/**
 * A small raw SSE client for tests (Node 20 fetch): records every byte chunk, parsed event and
 * comment of ONE connection, never reconnects. It exists to observe what the reference server
 * sends; it is not the Lifeline client.
 */

/**
 * Opens `url` and resolves once the response headers arrived (or the connection failed).
 * opts: headers, method ('GET'), body (string), signal. Resolves to a Stream:
 *   status, headers (Headers), events [{id, event, data, lastEventId}], comments [string],
 *   retry (last retry: value), raw (decoded text), chunks [byte lengths], ended (true at EOF),
 *   error (Error when the body failed, e.g. the server destroyed the socket),
 *   waitFor(predicate(stream), timeoutMs = 2000) → Promise (rejects on timeout),
 *   waitForEvents(n, timeoutMs), done (Promise settled when the body ends or fails), close().
 */
export async function openSSE(url, opts = {}) {
  const ac = new AbortController();
  if (opts.signal) opts.signal.addEventListener('abort', () => ac.abort(), { once: true });
  const res = await fetch(url, { method: opts.method ?? 'GET', headers: opts.headers, body: opts.body, signal: ac.signal });
  const s = {
    status: res.status, headers: res.headers, events: [], comments: [], retry: undefined,
    raw: '', chunks: [], ended: false, error: null, lastEventId: '',
  };
  const waiters = new Set();
  const notify = () => { for (const w of [...waiters]) w(); };
  const parser = createParser(s);
  s.done = (async () => {
    if (!res.body) { s.ended = true; return; }
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        s.chunks.push(value.length);
        const text = dec.decode(value, { stream: true });
        s.raw += text;
        parser(text);
        notify();
      }
      s.ended = true;
    } catch (err) {
      s.error = err;
    } finally {
      notify();
    }
  })();
  s.waitFor = (pred, timeoutMs = 2000) => new Promise((resolve, reject) => {
    if (pred(s)) return resolve(s);
    const t = setTimeout(() => { waiters.delete(check); reject(new Error(`waitFor timed out after ${timeoutMs} ms; got ${s.events.length} events, ${s.comments.length} comments, ended=${s.ended}, error=${s.error?.message}`)); }, timeoutMs);
    const check = () => {
      if (pred(s)) { clearTimeout(t); waiters.delete(check); resolve(s); } else if (s.ended || s.error) {
        clearTimeout(t); waiters.delete(check); reject(new Error(`stream ended before the condition: ${s.events.length} events, error=${s.error?.message}`));
      }
    };
    waiters.add(check);
  });
  s.waitForEvents = (n, timeoutMs) => s.waitFor((x) => x.events.length >= n, timeoutMs);
  s.close = async () => { ac.abort(); await s.done; };
  return s;
}

/** An incremental WHATWG event-stream parser feeding s.events / s.comments / s.retry. */
function createParser(s) {
  let buf = '';
  let data = [];
  let event = '';
  let sawData = false;
  let idBuffer = '';
  // As in WHATWG HTML: `id:` fills a buffer that becomes the last event id only when an event is
  // dispatched (blank line), so a truncated event never moves it.
  const line = (l) => {
    if (l === '') {
      s.lastEventId = idBuffer;
      if (sawData) s.events.push({ id: s.lastEventId, event: event || 'message', data: data.join('\n'), lastEventId: s.lastEventId });
      data = []; event = ''; sawData = false;
      return;
    }
    if (l[0] === ':') { s.comments.push(l.slice(1).trimStart()); return; }
    const i = l.indexOf(':');
    const field = i < 0 ? l : l.slice(0, i);
    let value = i < 0 ? '' : l.slice(i + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'data') { data.push(value); sawData = true; } else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) idBuffer = value;
    else if (field === 'retry' && /^\d+$/.test(value)) s.retry = Number(value);
  };
  return (text) => {
    buf += text;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(buf);
      if (!m) break;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (m[0] === '\r' && m.index === buf.length - 1) break;
      line(buf.slice(0, m.index));
      buf = buf.slice(m.index + m[0].length);
    }
  };
}
