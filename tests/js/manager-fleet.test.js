// The manager against a fleet's notices, over real loopback HTTP (fetch transport): a server's
// `lifeline:drain` sends the client to its next endpoint at once (within the spread, resuming by
// Last-Event-ID), a `reset` reaches the app as a status and as an event and empties the
// duplicate window, and a refused endpoint is skipped without a backoff delay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { init, createManager } from '../../js/index.js';
import { fakeEnvironment, until } from './manager-helpers.js';

/** A server answering every GET with an event stream; script(res, req) writes it. */
async function scripted(t, script) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ at: Date.now(), lastEventId: req.headers['last-event-id'] ?? null });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    script(res, req, requests.length);
  });
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const close = () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); });
  t.after(close);
  return { url: `http://127.0.0.1:${server.address().port}/feed`, requests, close };
}

async function manager(t) {
  await init();
  const m = createManager({ environment: fakeEnvironment(), lingerMs: 0, storage: null, seed: 7 });
  t.after(() => m.destroy());
  return m;
}

test('drain: the client leaves at once for the next endpoint, within the spread, and resumes there', async (t) => {
  let drainedAt = 0;
  const a = await scripted(t, (res) => {
    res.write('id: 1\ndata: one\n\nid: 2\ndata: two\n\n');
    setTimeout(() => {
      drainedAt = Date.now();
      res.write('event: lifeline:drain\ndata: 200\n\n'); // the stream stays open: the client leaves
    }, 100);
  });
  const b = await scripted(t, (res) => res.write('id: 3\ndata: three\n\n'));
  const m = await manager(t);
  const got = [];
  const states = [];
  m.connect('feed', a.url, { endpoints: [b.url] });
  m.subscribe('feed', (e) => got.push(`${e.type}:${e.id}`));
  m.onStatus('feed', (s) => states.push(`${s.state}:${s.reason}:${s.endpoint}`));
  await until(() => got.length === 3, 'three events');
  assert.deepEqual(got, ['message:1', 'message:2', 'message:3'], 'the notice is not an event');
  assert.equal(b.requests.length, 1);
  assert.equal(b.requests[0].lastEventId, '2');
  const wait = b.requests[0].at - drainedAt;
  assert.ok(wait >= 0 && wait < 200 + 150, `moved within the spread (${wait} ms)`);
  assert.ok(states.includes('reconnecting:drain:1'), states.join(' '));
  assert.equal(m.getConnectionStatus('feed').lastError, null, 'a drain is not a failure');
  assert.equal(m.getMetrics().drains, 1);
  assert.equal(a.requests.length, 1, 'not back to the draining server');
});

test('a refused endpoint is skipped at once: the next one is asked without a backoff delay', async (t) => {
  const dead = await scripted(t, () => {});
  await dead.close();
  const live = await scripted(t, (res) => res.write('id: 1\ndata: x\n\n'));
  const m = await manager(t);
  const got = [];
  const t0 = Date.now();
  // a backoff that would wait 5 s between attempts: failover must not use it
  m.connect('feed', dead.url, { endpoints: [live.url], backoff: { initialMs: 5000, jitter: 'none' } });
  m.subscribe('feed', (e) => got.push(e.data));
  await until(() => got.length === 1, 'the event from the live endpoint', 3000);
  assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
  assert.equal(m.getConnectionStatus('feed').endpoint, 1);
});

test('reset: a status with the data, then the event, and ids from before it are not duplicates', async (t) => {
  const srv = await scripted(t, (res, req, n) => {
    if (n === 1) {
      res.write('id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
      setTimeout(() => res.destroy(), 50);
    } else {
      // the log was lost: ids start over
      res.write('event: reset\nid: 0\ndata: {"reason":"log-replaced","lastEventId":"2"}\n\nid: 1\ndata: new-a\n\n');
    }
  });
  const m = await manager(t);
  const got = [];
  const resets = [];
  m.connect('feed', srv.url, { backoff: { initialMs: 10, maxMs: 20 } });
  m.subscribe('feed', (e) => got.push(`${e.type}:${e.data}`));
  m.onStatus('feed', (s) => { if (s.lastReset && !resets.includes(s.lastReset)) resets.push(s.lastReset); });
  await until(() => got.length === 4, 'four events');
  assert.deepEqual(got, ['message:a', 'message:b', 'reset:{"reason":"log-replaced","lastEventId":"2"}', 'message:new-a']);
  assert.equal(resets.length, 1);
  assert.equal(JSON.parse(resets[0].data).reason, 'log-replaced');
  assert.equal(typeof resets[0].at, 'number');
  assert.equal(m.getConnectionStatus('feed').lastReset, resets[0]);
  assert.equal(m.getMetrics().resets, 1);
});
