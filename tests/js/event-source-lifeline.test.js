// The drop-in EventSource where the standard leaves room: Lifeline's resilience on by default
// and switchable (backoff, watchdog, duplicate suppression, offline awareness, endpoint
// failover, retried 5xx on request), connection sharing, and the request options (headers,
// method, body, credentials, a custom fetch). Real servers on 127.0.0.1.
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { init, createManager, EventSource } from '../../js/index.js';
import { startScript, stream, sleep, until } from './event-source-server.js';
import { open, record } from './event-source-helpers.js';

const test = (name, fn) => nodeTest(name, { timeout: 20000 }, fn);
const messages = (log) => log.filter((e) => e.kind === 'message').map((e) => e.data);

test('two EventSources for the same URL and options share one connection', async (t) => {
  const writers = [];
  const srv = await startScript(t, (req, res) => {
    stream(res, 'data: first\n\n');
    writers.push(res);
  });
  const a = open(t, srv.url('/shared'));
  const logA = record(a);
  await until(() => messages(logA).length === 1, 'a\'s first message');
  const b = open(t, srv.url('/shared'));
  const logB = record(b);
  await until(() => logB.some((e) => e.kind === 'open'), 'b opens on the shared connection');
  assert.equal(b.readyState, EventSource.OPEN);
  writers[0].write('data: second\n\n');
  await until(() => messages(logA).length === 2 && messages(logB).length === 1, 'second reaches both');
  assert.deepEqual(messages(logB), ['second'], 'b sees events from when it joined');
  a.close();
  writers[0].write('data: third\n\n');
  await until(() => messages(logB).length === 2, 'b goes on after a closed');
  assert.deepEqual(messages(logA), ['first', 'second']);
  assert.equal(srv.count('/shared'), 1);
  // Other options are another connection.
  const c = open(t, srv.url('/shared'), { headers: { 'x-tenant': '7' } });
  const logC = record(c);
  await until(() => messages(logC).length === 1, 'c\'s own stream');
  assert.equal(srv.count('/shared'), 2);
  assert.equal(srv.requests[1].headers['x-tenant'], '7');
});

test('headers, method and a JSON body are sent; accept and cache-control too', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'data: x\n\n'));
  const es = open(t, srv.url('/post'), { method: 'POST', body: { q: 'hi' }, headers: { authorization: 'Bearer t' } });
  const log = record(es);
  await until(() => messages(log).length === 1, 'a message');
  const [r] = srv.requests;
  assert.equal(r.method, 'POST');
  assert.equal(r.body, '{"q":"hi"}');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers.authorization, 'Bearer t');
  assert.match(r.headers.accept, /text\/event-stream/);
  assert.equal(r.headers['cache-control'], 'no-cache');
});

test('a custom fetch is used with cache no-store and the credentials mode withCredentials gives', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'data: x\n\n'));
  const inits = [];
  const customFetch = (url, opts) => {
    inits.push(opts);
    return fetch(url, opts);
  };
  const plain = record(open(t, srv.url('/f1'), { fetch: customFetch }));
  const creds = record(open(t, srv.url('/f2'), { fetch: customFetch, withCredentials: true }));
  await until(() => messages(plain).length && messages(creds).length, 'both messages');
  assert.deepEqual(inits.map((i) => [i.cache, i.credentials]), [['no-store', 'same-origin'], ['no-store', 'include']]);
});

test('default backoff: a drop without retry: reconnects within the first ceiling (1 s, full jitter)', async (t) => {
  let ended = 0;
  const srv = await startScript(t, (req, res, { n }) => {
    stream(res, `id: ${n}\ndata: ${n}\n\n`);
    if (n === 1) setTimeout(() => { ended = Date.now(); res.end(); }, 20);
  });
  const es = open(t, srv.url('/backoff'));
  const log = record(es);
  await until(() => messages(log).length === 2, 'the reconnect', 3000);
  const at = Date.now();
  assert.ok(at - ended <= 1000 + 400, `reconnected after ${at - ended} ms`);
  assert.deepEqual(log.map((e) => e.kind), ['open', 'message', 'error', 'open', 'message']);
});

test('features.reconnect false: the plain fixed delay (plainRetryMs), as a plain EventSource', async (t) => {
  const ends = [];
  const starts = [];
  const srv = await startScript(t, (req, res, { n }) => {
    starts.push(Date.now());
    stream(res, 'data: x\n\n');
    if (n <= 2) setTimeout(() => { ends.push(Date.now()); res.end(); }, 10);
  });
  const es = open(t, srv.url('/plain'), { features: { reconnect: false }, plainRetryMs: 250 });
  record(es);
  await until(() => srv.count('/plain') === 3, 'two reconnects', 5000);
  for (const k of [0, 1]) {
    const waited = starts[k + 1] - ends[k];
    assert.ok(waited >= 240 && waited <= 600, `reconnect ${k + 1} after ${waited} ms: the fixed 250, not grown or jittered`);
  }
});

test('each failed attempt during Lifeline retries is one error event at CONNECTING', async (t) => {
  const srv = await startScript(t, (req, res, { n }) => {
    if (n <= 3) return res.destroy(); // no answer: a network error, retried
    return stream(res, 'data: finally\n\n');
  });
  const es = open(t, srv.url('/flaky'), { backoff: { initialMs: 30, maxMs: 60 } });
  const log = record(es);
  await until(() => messages(log).length === 1, 'the message after three failures', 5000);
  assert.deepEqual(log.map((e) => `${e.kind}@${e.rs}`), ['error@0', 'error@0', 'error@0', 'open@1', 'message@1']);
  assert.ok(log.filter((e) => e.kind === 'error').every((e) => e.reason === 'network'));
});

test('readyState is CONNECTING while Lifeline waits to reconnect', async (t) => {
  const srv = await startScript(t, (req, res, { n }) => {
    stream(res, n === 1 ? 'retry: 400\ndata: x\n\n' : 'data: y\n\n');
    if (n === 1) res.end();
  });
  const es = open(t, srv.url('/waiting'));
  const log = record(es);
  await until(() => log.some((e) => e.kind === 'error'), 'the drop');
  await sleep(150);
  assert.equal(srv.count('/waiting'), 1, 'still waiting');
  assert.equal(es.readyState, EventSource.CONNECTING);
  await until(() => messages(log).length === 2, 'the reconnect');
});

test('features.retryHttpErrors true: a 503 is retried, the source recovers without CLOSED', async (t) => {
  const srv = await startScript(t, (req, res, { n }) => {
    if (n === 1) {
      res.writeHead(503, { 'retry-after': '0' });
      return res.end();
    }
    return stream(res, 'data: back\n\n');
  });
  const es = open(t, srv.url('/503'), { features: { retryHttpErrors: true }, backoff: { initialMs: 30 } });
  const states = [];
  const log = record(es);
  es.addEventListener('error', () => states.push(es.readyState));
  await until(() => messages(log).length === 1, 'the message after the 503');
  assert.deepEqual(states, [EventSource.CONNECTING]);
  assert.equal(log.find((e) => e.kind === 'error').code, 503);
});

test('watchdog: a silent stream is reconnected (reason stall); switched off it waits', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'id: 1\ndata: x\n\n'));
  const watched = open(t, srv.url('/silent-a'), { heartbeatTimeoutMs: 300 });
  const unwatched = open(t, srv.url('/silent-b'), { heartbeatTimeoutMs: 300, features: { watchdog: false } });
  const a = record(watched);
  const b = record(unwatched);
  await until(() => srv.count('/silent-a') === 2, 'the watchdog reconnects', 3000);
  const err = a.find((e) => e.kind === 'error');
  assert.equal(err.reason, 'stall');
  assert.equal(err.rs, EventSource.CONNECTING);
  assert.equal(srv.requests.find((r) => r.path === '/silent-a' && r.n === 2).headers['last-event-id'], '1');
  await sleep(400);
  assert.equal(srv.count('/silent-b'), 1);
  assert.ok(!b.some((e) => e.kind === 'error'));
});

test('duplicates by id are suppressed across a reconnect; features.dedup false delivers them', async (t) => {
  // The server ignores Last-Event-ID and replays from the start (an overlap on resume).
  const handler = (req, res, { n }) => {
    stream(res, 'retry: 20\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n');
    if (n === 1) setTimeout(() => res.end(), 20);
  };
  const srv = await startScript(t, handler);
  const deduped = record(open(t, srv.url('/d1')));
  const plain = record(open(t, srv.url('/d2'), { features: { dedup: false } }));
  await until(() => srv.count('/d1') === 2 && srv.count('/d2') === 2, 'both reconnected');
  await until(() => messages(plain).length === 4, 'the replay delivered');
  await sleep(80);
  assert.deepEqual(messages(deduped), ['a', 'b']);
  assert.deepEqual(messages(plain), ['a', 'b', 'a', 'b']);
});

test('endpoint failover: a refused primary moves to the next endpoint', async (t) => {
  const dead = await startScript(t, () => {});
  const deadUrl = dead.url('/feed');
  await dead.close();
  const backup = await startScript(t, (req, res) => stream(res, 'data: from backup\n\n'));
  const es = open(t, deadUrl, {
    endpoints: [backup.url('/feed')], breaker: { consecutiveFailures: 1 }, backoff: { initialMs: 20, maxMs: 40 },
  });
  const log = record(es);
  await until(() => messages(log).length === 1, 'a message from the backup', 5000);
  assert.equal(es.url, deadUrl, 'url stays the one given');
  assert.equal(log.find((e) => e.kind === 'message').origin, backup.origin);
  assert.equal(log[0].kind, 'error');
});

test('offline awareness: no attempt while the environment is offline; online starts one', async (t) => {
  await init();
  const srv = await startScript(t, (req, res) => stream(res, 'data: online\n\n'));
  let handlers = null;
  let online = false;
  const environment = { isOnline: () => online, subscribe: (h) => { handlers = h; return () => {}; } };
  const manager = createManager({ environment, onlineSpreadMs: 20, lingerMs: 0 });
  t.after(() => manager.destroy());
  const es = open(t, srv.url('/offline'), { manager });
  const log = record(es);
  await sleep(150);
  assert.equal(srv.count('/offline'), 0);
  assert.equal(es.readyState, EventSource.CONNECTING);
  online = true;
  handlers.online();
  await until(() => messages(log).length === 1, 'the message once online');
  // The environment option gives such a manager too (here: one that never reports offline).
  const quiet = open(t, srv.url('/quiet'), { environment: { isOnline: () => false, subscribe: () => () => {} } });
  await sleep(100);
  assert.equal(srv.count('/quiet'), 0);
  assert.equal(quiet.readyState, EventSource.CONNECTING);
});

test('close() of the last source on a shared connection aborts it; a new source starts afresh', async (t) => {
  let closedStreams = 0;
  const srv = await startScript(t, (req, res) => {
    stream(res, 'id: 3\ndata: x\n\n');
    res.on('close', () => { closedStreams++; });
  });
  const a = open(t, srv.url('/last'));
  const b = open(t, srv.url('/last'));
  const logA = record(a);
  record(b);
  await until(() => messages(logA).length === 1, 'a message');
  a.close();
  await sleep(50);
  assert.equal(closedStreams, 0, 'b still uses it');
  b.close();
  await until(() => closedStreams === 1, 'aborted with the last source');
  const c = open(t, srv.url('/last'));
  const logC = record(c);
  await until(() => messages(logC).length === 1, 'a fresh stream');
  assert.equal(srv.count('/last'), 2);
});

test('sources leave nothing behind in their manager once closed or failed', async (t) => {
  await init();
  const srv = await startScript(t, (req, res, { path }) => {
    if (path === '/gone') {
      res.writeHead(204);
      return res.end();
    }
    return stream(res, 'data: x\n\n');
  });
  const manager = createManager({ lingerMs: 0, environment: { isOnline: () => true, subscribe: () => () => {} } });
  t.after(() => manager.destroy());
  const before = manager.retainedState();
  const sources = [];
  for (let i = 0; i < 20; i++) sources.push(open(t, srv.url(i % 2 ? '/live' : `/live-${i}`), { manager }));
  const failed = open(t, srv.url('/gone'), { manager });
  await until(() => sources.every((es) => es.readyState === EventSource.OPEN), 'all open');
  await until(() => failed.readyState === EventSource.CLOSED, 'the 204 closed its source');
  for (const es of sources) es.close();
  assert.deepEqual(manager.retainedState(), before);
  assert.equal(manager.getMetrics().connections, 0);
});
