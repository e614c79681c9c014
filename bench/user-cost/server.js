// The server of the "what a user pays" benchmarks (bench/latency.bench.js, heap, wakeups, init):
// the repository's files and the event streams on one loopback origin, every answer with
// COOP/COEP so that the page is cross-origin isolated (performance.now() then has 5 µs steps, not
// 100 µs). Streams:
//   /sse/steady?n=N&everyMs=M  N events, one every M ms; each carries the server's clock (ms,
//                              performance.timeOrigin + performance.now()) read just before the write
//   /sse/burst?n=N&per=K&pauseAt=P&key=S  N events of ~110 bytes, K to a write, as fast as the
//                              socket takes them; held after P until /release?key=S; then left open
//   /sse/idle?heartbeatMs=M    one event, then a comment every M ms until the client leaves
//   /clock                     the server's clock now (for the page's offset estimate)
// Any other path is a file of the repository (extension-less imports get ".js", as a bundler would).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json' };
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' };
const SSE_HEAD = { ...ISOLATION, 'content-type': 'text/event-stream', 'cache-control': 'no-store' };

export const serverClock = () => performance.timeOrigin + performance.now();

function steady(req, res, q) {
  const n = Math.min(Number(q.get('n') ?? 100), 1e6);
  const every = Math.max(1, Number(q.get('everyMs') ?? 10));
  res.socket.setNoDelay(true);
  res.writeHead(200, SSE_HEAD);
  res.write(': open\n\n');
  let seq = 0;
  const timer = setInterval(() => {
    if (seq >= n) { clearInterval(timer); res.end(); return; }
    seq++;
    res.write(`id: ${seq}\ndata: ${seq} ${serverClock().toFixed(4)}\n\n`);
  }, every);
  req.on('close', () => clearInterval(timer));
}

// Bursts held at pauseAt until /release?key=K; the stream stays open after the last event (an
// end would make every client reconnect).
const held = new Map();

function burst(req, res, q) {
  const n = Math.min(Number(q.get('n') ?? 1000), 1e7);
  const per = Math.max(1, Number(q.get('per') ?? 100));
  const pauseAt = Number(q.get('pauseAt') ?? 0);
  const key = q.get('key') ?? '';
  res.writeHead(200, SSE_HEAD);
  let seq = 0;
  let gone = false;
  req.on('close', () => { gone = true; held.delete(key); });
  const pump = () => {
    while (!gone && seq < n) {
      if (seq === pauseAt && pauseAt && !held.get(key)?.released) {
        held.set(key, { released: false, resume: pump });
        return;
      }
      let chunk = '';
      const stop = seq < pauseAt ? pauseAt : n;
      for (let k = 0; k < per && seq < stop; k++) {
        seq++;
        chunk += `id: ${seq}\ndata: {"seq":${seq},"user":"asha","text":"a short message of the kind a chat sends"}\n\n`;
      }
      if (!res.write(chunk)) { res.once('drain', pump); return; }
    }
  };
  pump();
}

function release(res, q) {
  const h = held.get(q.get('key') ?? '');
  if (h && !h.released) {
    h.released = true;
    h.resume();
  }
  res.writeHead(h ? 200 : 404, { ...ISOLATION, 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(h ? 'released' : 'none');
}

function idle(req, res, q) {
  const every = Math.max(100, Number(q.get('heartbeatMs') ?? 15000));
  res.writeHead(200, SSE_HEAD);
  res.write('id: 1\ndata: hello\n\n');
  const timer = setInterval(() => res.write(': heartbeat\n\n'), every);
  req.on('close', () => clearInterval(timer));
}

async function file(req, res, path) {
  let f = normalize(join(ROOT, path.endsWith('/') ? path + 'index.html' : path));
  if (!f.startsWith(normalize(ROOT + sep))) { res.writeHead(403, ISOLATION).end(); return; }
  let body;
  try {
    body = await readFile(f);
  } catch {
    try {
      body = await readFile(f + '.js');
      f += '.js';
    } catch {
      res.writeHead(404, { ...ISOLATION, 'content-type': 'text/plain' }).end('not found');
      return;
    }
  }
  res.writeHead(200, { ...ISOLATION, 'content-type': TYPES[extname(f)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(body);
}

/** Starts the server on 127.0.0.1 (a free port); resolves to { url, close() }. */
export async function startBenchServer() {
  const sockets = new Set();
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const p = decodeURIComponent(u.pathname);
    if (p === '/sse/steady') return steady(req, res, u.searchParams);
    if (p === '/sse/burst') return burst(req, res, u.searchParams);
    if (p === '/sse/idle') return idle(req, res, u.searchParams);
    if (p === '/release') return release(res, u.searchParams);
    if (p === '/clock') {
      res.writeHead(200, { ...ISOLATION, 'content-type': 'text/plain', 'cache-control': 'no-store' });
      return res.end(String(serverClock()));
    }
    return file(req, res, p);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
