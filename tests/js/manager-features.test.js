// The manager's hooks the drop-in EventSource relies on, against real servers on loopback:
// features.retryHttpErrors (off: the WHATWG rule, every answer but 200 text/event-stream fails),
// features.dedup (off: repeated ids delivered) and status.responseUrl (where a redirected
// stream's response came from).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createManager } from '../../js/index.js';
import { startScript, stream, sleep, until } from './event-source-server.js';

const quiet = () => ({ isOnline: () => true, subscribe: () => () => {} });

async function manager(t) {
  await init();
  const errors = [];
  const m = createManager({ environment: quiet(), lingerMs: 0, storage: null, seed: 3, onError: (e) => errors.push(e) });
  t.after(() => {
    m.destroy();
    assert.deepEqual(errors, []);
  });
  return m;
}

function watch(m, channel) {
  const states = [];
  m.onStatus(channel, (s) => states.push(s));
  return states;
}

const fast = { backoff: { initialMs: 20, maxMs: 40, jitter: 'none' }, heartbeatTimeoutMs: 5000 };

for (const status of [500, 503, 429, 408]) {
  test(`retryHttpErrors: false fails a ${status} at once, the default retries it`, async (t) => {
    const srv = await startScript(t, (req, res) => {
      res.writeHead(status, { 'content-type': 'text/event-stream' });
      res.end();
    });
    const m = await manager(t);
    const strict = watch(m, 'strict');
    m.connect('strict', srv.url('/strict'), { ...fast, features: { retryHttpErrors: false } });
    m.subscribe('strict', () => {});
    await until(() => strict.some((s) => s.state === 'failed'), 'failed');
    const failed = strict.find((s) => s.state === 'failed');
    assert.equal(failed.httpStatus, status);
    await sleep(150); // several retry delays
    assert.equal(srv.count('/strict'), 1, 'no second request');
    assert.ok(!strict.some((s) => s.state === 'reconnecting'));

    const lax = watch(m, 'lax');
    m.connect('lax', srv.url('/lax'), fast);
    m.subscribe('lax', () => {});
    await until(() => srv.count('/lax') >= 2, 'a retry');
    assert.ok(lax.some((s) => s.state === 'reconnecting'));
  });
}

test('retryHttpErrors: false still reconnects after a dropped stream, sending Last-Event-ID', async (t) => {
  const srv = await startScript(t, (req, res, { n }) => {
    if (n === 1) stream(res, 'id: 7\ndata: a\n\n').end();
    else stream(res, 'data: b\n\n');
  });
  const m = await manager(t);
  const got = [];
  m.connect('c', srv.url('/s'), { ...fast, features: { retryHttpErrors: false } });
  m.subscribe('c', (e) => got.push(e.data));
  await until(() => got.length === 2, 'two events');
  assert.deepEqual(got, ['a', 'b']);
  assert.equal(srv.requests[1].headers['last-event-id'], '7');
});

test('dedup: false delivers an id the server repeats; the default drops it', async (t) => {
  const body = 'id: 1\ndata: a\n\nid: 1\ndata: a-again\n\nid: 2\ndata: b\n\n';
  const srv = await startScript(t, (req, res) => stream(res, body));
  const m = await manager(t);
  const plain = [];
  const deduped = [];
  m.connect('plain', srv.url('/p'), { ...fast, features: { dedup: false } });
  m.subscribe('plain', (e) => plain.push(e.data));
  m.connect('deduped', srv.url('/d'), fast);
  m.subscribe('deduped', (e) => deduped.push(e.data));
  await until(() => plain.length === 3 && deduped.length === 2, 'the events');
  assert.deepEqual(plain, ['a', 'a-again', 'b']);
  assert.deepEqual(deduped, ['a', 'b']);
});

test('status.responseUrl is the redirected URL while open; url stays the endpoint', async (t) => {
  const srv = await startScript(t, (req, res, { path }) => {
    if (path === '/from') {
      res.writeHead(302, { location: '/to' });
      res.end();
    } else stream(res, 'data: x\n\n');
  });
  const m = await manager(t);
  const states = watch(m, 'r');
  m.connect('r', srv.url('/from'), fast);
  m.subscribe('r', () => {});
  await until(() => states.some((s) => s.state === 'open'), 'open');
  const open = states.find((s) => s.state === 'open');
  assert.equal(open.responseUrl, srv.url('/to'));
  assert.equal(open.url, srv.url('/from'));
  assert.equal(states.find((s) => s.state === 'connecting').responseUrl, null);
  assert.equal(m.getConnectionStatus('nothing').responseUrl, null);
});

test('a bound channel without subscribers opens nothing and reports idle (connect is lazy)', async (t) => {
  const srv = await startScript(t, (req, res) => stream(res, 'data: x\n\n'));
  const m = await manager(t);
  const states = watch(m, 'lazy');
  m.connect('lazy', srv.url('/lazy'), fast);
  await sleep(100);
  assert.equal(srv.count('/lazy'), 0);
  assert.equal(m.getConnectionStatus('lazy').state, 'idle');
  assert.deepEqual(states, []);
  m.subscribe('lazy', () => {});
  await until(() => states.some((s) => s.state === 'open'), 'open on the first subscriber');
  assert.equal(srv.count('/lazy'), 1);
});
