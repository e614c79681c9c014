// A small scripted HTTP server on 127.0.0.1 for the EventSource tests: each test answers every
// request itself (status, headers, exact bytes, when to end), and the server records what
// arrived (path, headers, per-path count). Closed after the test, with every socket it holds.
import http from 'node:http';

/**
 * startScript(t, handler): handler(req, res, { n, path, query }) answers each request; n counts
 * requests to that path (1 for the first). Returns { origin, url(path), requests, count(path),
 * close() }.
 */
export async function startScript(t, handler) {
  const requests = [];
  const counts = new Map();
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const n = (counts.get(u.pathname) ?? 0) + 1;
    counts.set(u.pathname, n);
    requests.push({ path: u.pathname, query: u.searchParams, method: req.method, headers: req.headers, n });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      requests[requests.length - 1].body = body;
      Promise.resolve(handler(req, res, { n, path: u.pathname, query: u.searchParams, body })).catch((err) => {
        res.destroy(err);
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  t.after(close);
  return {
    origin,
    port: server.address().port,
    url: (path) => `${origin}${path}`,
    requests,
    count: (path) => counts.get(path) ?? 0,
    close,
  };
}

/** Starts an event stream answer (200 text/event-stream) and writes `text`, if any. */
export function stream(res, text = '', headers = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  if (text) res.write(text);
  else res.flushHeaders(); // headers go out now, not with the first write
  return res;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls cond every 5 ms; rejects naming `what` after ms. */
export async function until(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
