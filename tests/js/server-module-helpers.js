// Shared by the lifeline-sse/server tests: instances of the handler on real loopback HTTP
// servers, over the memory log or a real Redis, always closed at the end of the test.
import { createServer } from 'node:http';
import { createSSEHandler, memoryLog, redisLog } from '../../server/index.js';
import { openSSE } from '../../demo/server/test-client.js';

let prefixes = 0;

/** A fresh log of the kind: memory, or redis at `redisUrl` under a prefix of its own. */
export function freshLog(kind, redisUrl, opts = {}) {
  if (kind === 'memory') return memoryLog(opts.memory);
  return redisLog(redisUrl, { prefix: `t${process.pid}-${++prefixes}:`, ...opts.redis });
}

/**
 * Starts a node:http server around createSSEHandler({log, ...handlerOpts}); closes it (and its
 * streams and, unless keepLog, the log) when the test ends. Resolves to {url, sse, server,
 * log, open(path, headers), publish(body), close()}.
 */
export async function instance(t, log, handlerOpts = {}, { keepLog = false } = {}) {
  await log.connected;
  const sse = createSSEHandler({ log, heartbeatMs: 200, onError: () => {}, ...handlerOpts });
  const server = createServer(sse);
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  const streams = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all(streams.map((s) => s.close().catch(() => {})));
    await sse.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(() => r()));
    if (!keepLog) await log.close();
  };
  t.after(close);
  return {
    url, sse, server, log, close,
    async open(path = '/events', headers = {}) {
      const s = await openSSE(url + path, { headers });
      streams.push(s);
      return s;
    },
    async publish(body, path = '/publish') {
      const r = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: r.status, headers: r.headers, body: await r.json().catch(() => null) };
    },
  };
}

/** Publishes n events {seq} of type `event` one call at a time; resolves to their ids. */
export async function publishSeq(inst, n, { from = 1, event = 'tick', topic } = {}) {
  const ids = [];
  for (let i = from; i < from + n; i++) {
    const r = await inst.publish({ event, data: { seq: i }, ...(topic ? { topic } : {}) });
    if (r.status !== 200) throw new Error(`publish ${i}: ${r.status} ${JSON.stringify(r.body)}`);
    ids.push(r.body.id);
  }
  return ids;
}

export const seqs = (s, type = 'tick') => s.events.filter((e) => e.event === type).map((e) => JSON.parse(e.data).seq);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
