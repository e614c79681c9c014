// Pool keys and storage: connections are pooled by a hash (SHA-256) of every option that changes
// the stream (so a large POST body or header no longer overflows the core's 4 KiB key cap), and
// the persisted Last-Event-ID is stored under a name made from that hash, never from header
// values or bodies. The POST tests run against a real node:http server on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { init, createManager } from '../../js/index.js';
import { sha256 } from '../../js/sha256.js';
import { fakeEnvironment, fakeManager, until } from './manager-helpers.js';

const TOKEN = 'Bearer s3cr3t-T0KEN-do-not-store';
const sha = (s) => createHash('sha256').update(s).digest('hex');

/** A POST event stream: reads the whole body, then sends its length and digest as events. */
async function startPostServer(t) {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const last = Number(req.headers['last-event-id'] ?? 0);
      seen.push({ method: req.method, length: body.length, auth: req.headers.authorization, last });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (let id = last + 1; id <= last + 3; id++) res.write(`id: ${id}\ndata: ${JSON.stringify({ id, length: body.length, sha: sha(body) })}\n\n`);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return { url: `http://127.0.0.1:${server.address().port}/stream`, seen };
}

/** A Storage-like object (the manager's `storage` option) that remembers every write. */
function recordingStorage() {
  const map = new Map();
  return {
    map,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(String(k), String(v)),
    removeItem: (k) => map.delete(k),
    text: () => [...map].map(([k, v]) => `${k}=${v}`).join('\n'),
  };
}

test('the JS SHA-256 matches node:crypto at every length around the block boundaries, and on 64 KB', () => {
  const inputs = [...Array.from({ length: 200 }, (_, n) => randomBytes(n)), randomBytes(64 * 1024 + 17), Buffer.from('żółw 🐢', 'utf8')];
  for (const b of inputs) assert.equal(Buffer.from(sha256(b)).toString('hex'), createHash('sha256').update(b).digest('hex'), `length ${b.length}`);
});

test('a 64 KB POST body with a bearer token connects and streams; storage holds neither', async (t) => {
  await init();
  const server = await startPostServer(t);
  const body = JSON.stringify({ query: 'x'.repeat(64 * 1024), marker: 'BODY-MARKER-7f3a' });
  const storage = recordingStorage();
  const options = { method: 'POST', body, headers: { authorization: TOKEN, 'content-type': 'application/json' }, persistLastEventId: true };
  const make = () => createManager({ environment: fakeEnvironment(), storage, lingerMs: 0, seed: 4 });

  const m = make();
  t.after(() => m.destroy());
  const got = [];
  m.connect('q', server.url, options);
  m.subscribe('q', (e) => got.push(JSON.parse(e.data)));
  await until(() => got.length === 3, 'three events');
  assert.deepEqual(got.map((e) => [e.id, e.length, e.sha]), [1, 2, 3].map((id) => [id, body.length, sha(body)]));
  assert.equal(server.seen[0].auth, TOKEN);

  assert.equal(storage.map.size, 1);
  const [[name, value]] = storage.map;
  assert.match(name, /^lifeline:lastEventId:[0-9a-f]{32}$/);
  assert.equal(value, '3');
  for (const secret of [TOKEN, 's3cr3t', 'BODY-MARKER', 'xxxxxxxx', server.url, '127.0.0.1']) {
    assert.ok(!storage.text().includes(secret), `storage must not hold "${secret}"`);
  }

  // A reloaded page (a new manager, the same storage) resumes from the stored id.
  m.destroy();
  const again = make();
  t.after(() => again.destroy());
  const more = [];
  again.connect('q', server.url, options);
  again.subscribe('q', (e) => more.push(JSON.parse(e.data).id));
  await until(() => more.length === 3, 'resumed events');
  assert.equal(server.seen.at(-1).last, 3);
  assert.deepEqual(more, [4, 5, 6]);
});

test('sessionStorage in Node (globalThis) is the default storage and gets no secrets either', async (t) => {
  await init();
  const server = await startPostServer(t);
  const storage = recordingStorage();
  globalThis.sessionStorage = storage;
  t.after(() => { delete globalThis.sessionStorage; });
  const m = createManager({ environment: fakeEnvironment(), lingerMs: 0, seed: 5 });
  t.after(() => m.destroy());
  const got = [];
  m.connect('q', server.url, { method: 'POST', body: { secret: 'JSON-BODY-SECRET' }, headers: { authorization: TOKEN }, persistLastEventId: true });
  m.subscribe('q', (e) => got.push(e.id));
  await until(() => got.length === 3, 'three events');
  assert.equal(storage.map.size, 1);
  assert.ok(!storage.text().includes('s3cr3t') && !storage.text().includes('JSON-BODY-SECRET'), storage.text());
});

// Each connection-level option alone: two connects that differ only in it are two connections.
const DIFFERENT = {
  method: ['GET', 'POST'],
  body: ['a', 'b'],
  headers: [{ authorization: 'Bearer a' }, { authorization: 'Bearer b' }],
  credentials: ['same-origin', 'include'],
  withCredentials: [false, true],
  lastEventIdParam: ['a', 'b'],
  heartbeatTimeoutMs: [1000, 2000],
  connectTimeoutMs: [1000, 2000],
  plainRetryMs: [1000, 2000],
  maxEventBytes: [1000, 2000],
  initialLastEventId: ['1', '2'],
  persistLastEventId: [false, true],
  eventTypes: [['a'], ['b']],
  endpoints: [['http://s/b'], ['http://s/c']],
  backoff: [{ initialMs: 100 }, { initialMs: 200 }],
  breaker: [{ consecutiveFailures: 2 }, { consecutiveFailures: 3 }],
  features: [{ watchdog: true }, { watchdog: false }],
  onAuthRequired: [() => ({}), () => ({})],
};

for (const [name, [a, b]] of Object.entries(DIFFERENT)) {
  test(`connect options differing only in ${name} get two connections`, async () => {
    const { m, transport } = await fakeManager({ storage: recordingStorage() });
    m.connect('a', 'http://s/feed', { [name]: a });
    m.connect('b', 'http://s/feed', { [name]: b });
    m.subscribe('a', () => {});
    m.subscribe('b', () => {});
    assert.equal(m.getMetrics().connections, 2);
    assert.equal(transport.opens.length, 2);
    m.destroy();
  });
}

test('equal options in another order, and channel options, share one connection', async () => {
  const { m, transport } = await fakeManager();
  m.connect('a', 'http://s/feed', { headers: { a: '1', b: '2' }, backoff: { initialMs: 100, maxMs: 900 }, eventTypes: ['x', 'y'], replay: 5 });
  m.connect('b', 'http://s/feed', { headers: { b: '2', a: '1' }, backoff: { maxMs: 900, initialMs: 100 }, eventTypes: ['y', 'x'], dedupWindow: 64 });
  m.subscribe('a', () => {});
  m.subscribe('b', () => {});
  assert.equal(m.getMetrics().connections, 1);
  assert.equal(transport.opens.length, 1);
  m.destroy();
});

test('the stored Last-Event-ID follows the core\'s, also for events no subscriber takes and id-only blocks', async () => {
  const storage = recordingStorage();
  const { m, transport } = await fakeManager({ storage });
  m.connect('c', 'http://s/feed', { persistLastEventId: true });
  m.subscribe('c', () => {}, { events: ['a'] });
  const h = transport.last;
  h.sink.opened(200, 'text/event-stream', -1);
  const stored = () => [...storage.map.values()];
  const feed = (text) => h.sink.bytes(new TextEncoder().encode(text));
  feed('id: 1\nevent: a\ndata: x\n\n');
  assert.deepEqual(stored(), ['1']);
  feed('id: 2\nevent: b\ndata: y\n\n'); // filtered out: no delivery, but the stream moved on
  assert.equal(m.getConnectionStatus('c').lastEventId, '2');
  assert.deepEqual(stored(), ['2']);
  feed('id: 3\n\n'); // an id-only block sets the last event id
  assert.equal(m.getConnectionStatus('c').lastEventId, '3');
  assert.deepEqual(stored(), ['3']);
  m.destroy();
});

test('with a headers function, a reloaded page still finds its stored id (functions count by kind in storage)', async () => {
  const storage = recordingStorage();
  const first = await fakeManager({ storage });
  first.m.connect('c', 'http://s/feed', { persistLastEventId: true, headers: async () => ({ authorization: TOKEN }) });
  first.m.subscribe('c', () => {});
  await new Promise((r) => setImmediate(r));
  first.transport.last.sink.opened(200, 'text/event-stream', -1);
  first.transport.last.sink.bytes(new TextEncoder().encode('id: 41\ndata: x\n\n'));
  first.m.destroy();
  const again = await fakeManager({ storage });
  again.m.connect('c', 'http://s/feed', { persistLastEventId: true, headers: async () => ({ authorization: TOKEN }) });
  again.m.subscribe('c', () => {});
  await new Promise((r) => setImmediate(r));
  assert.equal(again.transport.last.request.lastEventId, '41');
  assert.ok(!storage.text().includes('s3cr3t'));
  again.m.destroy();
});
