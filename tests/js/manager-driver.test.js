// The manager's JS driver with fake transports, a fake clock and fake timers (no network, no
// sleeps): the timer follows the core's deadline, callbacks may re-enter, errors are contained,
// headers and auth hooks run before attempts, and the EventSource transport's query parameter,
// listened types and refused responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createManager, createEventSourceTransport } from '../../js/index.js';
import { fakeEnvironment, fakeTransport, fakeClock, fakeManager, FakeEventSource } from './manager-helpers.js';

const enc = new TextEncoder();

const make = (options) => fakeManager(options);

const ok = (h) => h.sink.opened(200, 'text/event-stream', -1);
const feed = (h, text) => h.sink.bytes(enc.encode(text));

test('one timer follows the core deadline; a drop reconnects with Last-Event-ID', async () => {
  const { m, clock, transport } = await make();
  m.connect('c', 'http://s/feed', { heartbeatTimeoutMs: 10000 });
  const got = [];
  m.subscribe('c', (e) => got.push(e));
  assert.equal(transport.opens.length, 1);
  assert.equal(transport.last.request.url, 'http://s/feed');
  assert.equal(ok(transport.last), true);
  // The next deadline: the stream turns stale (two thirds of the 10 s watchdog, until the
  // server's rhythm is known), then the watchdog.
  assert.deepEqual(clock.pending(), [6666]);
  assert.equal(feed(transport.last, 'id: 7\nevent: note\ndata: hi\n\n'), true);
  assert.deepEqual(got, [{ type: 'note', data: 'hi', id: '7', channel: 'c' }]);
  transport.last.sink.closed(1);
  const s = m.getConnectionStatus('c');
  assert.equal(s.state, 'reconnecting');
  assert.equal(s.lastError.reason, 'network');
  assert.ok(s.reconnectInMs <= 1000);
  assert.deepEqual(clock.pending(), [s.reconnectInMs]);
  clock.advance(s.reconnectInMs);
  assert.equal(transport.opens.length, 2);
  assert.equal(transport.last.request.lastEventId, '7');
  // a late chunk from the replaced stream is ignored
  assert.equal(feed(transport.opens[0], 'id: 8\ndata: stale\n\n'), false);
  assert.equal(got.length, 1);
  m.destroy();
  assert.deepEqual(clock.pending(), []);
});

test('callbacks may subscribe and unsubscribe while events are delivered; a throw is contained', async () => {
  const { m, transport, errors } = await make();
  m.connect('c', 'http://s/feed');
  const log = [];
  let offB = null;
  m.subscribe('c', (e) => {
    log.push(`a${e.id}`);
    if (e.id === '1') offB = m.subscribe('c', (x) => log.push(`b${x.id}`));
    if (e.id === '2') offB();
  }, { priority: 2 });
  m.subscribe('c', () => { throw new Error('boom'); }, { priority: 1 });
  m.subscribe('c', (e) => log.push(`z${e.id}`));
  ok(transport.last);
  feed(transport.last, 'id: 1\ndata: x\n\nid: 2\ndata: y\n\nid: 3\ndata: z\n\n');
  // b joins after event 1's fan-out was decided and leaves during event 2's
  assert.deepEqual(log, ['a1', 'z1', 'a2', 'z2', 'a3', 'z3']);
  assert.equal(errors.length, 3);
  assert.match(errors[0].message, /boom/);
  m.destroy();
});

// The driver reads a batch's actions in place in Wasm memory; a callback that calls into the core
// (here: feeding another connection, whose batch takes the same memory) must not change what the
// rest of the batch delivers.
test('a callback that feeds another stream mid-batch: the rest of the batch is delivered unchanged', async () => {
  const { m, transport, errors } = await make();
  m.connect('c', 'http://s/c');
  m.connect('d', 'http://s/d');
  const log = [];
  let hd = null;
  m.subscribe('c', (e) => {
    log.push(`a${e.id}:${e.data}`);
    if (e.id === '1') feed(hd, Array.from({ length: 40 }, (_, i) => `id: d${i}\ndata: ${'x'.repeat(i)}\n\n`).join(''));
  }, { priority: 2 });
  m.subscribe('c', (e) => log.push(`b${e.id}:${e.data}`));
  const dGot = [];
  m.subscribe('d', (e) => dGot.push(e.id));
  const [hc] = transport.opens;
  hd = transport.opens[1];
  ok(hc);
  ok(hd);
  feed(hc, 'id: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: three\n\n');
  assert.deepEqual(log, ['a1:one', 'b1:one', 'a2:two', 'b2:two', 'a3:three', 'b3:three']);
  assert.deepEqual(dGot, Array.from({ length: 40 }, (_, i) => `d${i}`));
  assert.deepEqual(errors, []);
  m.destroy();
});

test('a headers function runs before every attempt; the auth hook once after a 401', async () => {
  const { m, clock, transport } = await make();
  let calls = 0;
  let asked = 0;
  m.connect('c', 'http://s/feed', {
    headers: async () => ({ 'x-attempt': String(++calls) }),
    onAuthRequired: async ({ status }) => { asked++; assert.equal(status, 401); return { authorization: 'Bearer new' }; },
  });
  m.subscribe('c', () => {});
  await new Promise((r) => setImmediate(r));
  assert.equal(transport.opens.length, 1);
  assert.deepEqual(transport.last.request.headers, { 'x-attempt': '1' });
  transport.last.sink.opened(401, 'application/json', -1);
  await new Promise((r) => setImmediate(r));
  assert.equal(asked, 1);
  assert.deepEqual(transport.last.request.headers, { 'x-attempt': '2', authorization: 'Bearer new' });
  ok(transport.last);
  transport.last.sink.closed(0);
  clock.advance(1000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(transport.last.request.headers, { 'x-attempt': '3', authorization: 'Bearer new' });
  m.destroy();
});

test('replay to a late subscriber and type filters through the JS API', async () => {
  const { m, transport } = await make();
  m.connect('c', 'http://s/feed', { replay: 3 });
  const early = [];
  m.subscribe('c', (e) => early.push(e.id));
  ok(transport.last);
  feed(transport.last, 'id: 1\ndata: a\n\nid: 2\nevent: t\ndata: b\n\nid: 3\ndata: c\n\n');
  const late = [];
  m.subscribe('c', (e) => late.push([e.id, e.replayed ?? false]), { replay: 2, events: 'message' });
  feed(transport.last, 'id: 4\ndata: d\n\n');
  assert.deepEqual(early, ['1', '2', '3', '4']);
  assert.deepEqual(late, [['1', true], ['3', true], ['4', false]]);
  m.destroy();
});

test('features off behave like a plain EventSource: 500 fails, drops retry after 3 s', async () => {
  const { m, clock, transport } = await make();
  m.connect('c', 'http://s/feed', { features: { reconnect: false, breaker: false, watchdog: false } });
  m.subscribe('c', () => {});
  ok(transport.last);
  assert.deepEqual(clock.pending(), []); // no watchdog
  transport.last.sink.closed(1);
  assert.equal(m.getConnectionStatus('c').reconnectInMs, 3000);
  clock.advance(3000);
  transport.last.sink.opened(500, 'text/html', -1);
  assert.equal(m.getConnectionStatus('c').state, 'failed');
  assert.equal(m.getConnectionStatus('c').reason, 'http-5xx');
  m.destroy();
});


test('EventSource transport: query parameter, listened types, refused responses retried', async () => {
  FakeEventSource.all = [];
  const { m, clock } = await make({ transports: { eventsource: createEventSourceTransport({ EventSource: FakeEventSource }) } });
  m.connect('q', 'http://s/quiet', { transport: 'eventsource' }); // no watchdog by default
  m.subscribe('q', () => {});
  FakeEventSource.all.at(-1).onopen();
  assert.deepEqual(clock.pending(), [], 'no watchdog timer for a default eventsource connection');
  m.disconnect('q');
  m.connect('c', 'http://s/feed?x=1', { transport: 'eventsource', eventTypes: ['ping'], initialLastEventId: '5', withCredentials: true, heartbeatTimeoutMs: 20000 });
  const got = [];
  m.subscribe('c', (e) => got.push(`${e.type}:${e.id}`), { events: ['poll', 'message'] });
  const es = FakeEventSource.all.at(-1);
  assert.equal(es.url, 'http://s/feed?x=1&lastEventId=5');
  assert.deepEqual(es.init, { withCredentials: true });
  // plus the server notices the core acts on (reset, drain), which an EventSource hears only if asked
  assert.deepEqual([...es.listeners.keys()].sort(), ['lifeline:drain', 'message', 'ping', 'poll', 'reset']);
  m.subscribe('c', () => {}, { events: ['alert'] });
  assert.ok(es.listeners.has('alert'), 'a new filter type is listened to on the open EventSource');
  es.onopen();
  es.emit('poll', '{}', '6');
  es.emit('ping', '', '6'); // a heartbeat event: liveness, no subscriber wants it
  es.emit('message', 'x', '7');
  assert.deepEqual(got, ['poll:6', 'message:7']);
  es.readyState = 0;
  es.onerror();
  assert.equal(es.closed, true, 'Lifeline closes it and reconnects itself');
  assert.equal(m.getConnectionStatus('c').state, 'reconnecting');
  clock.advance(1000);
  const es2 = FakeEventSource.all.at(-1);
  assert.equal(es2.url, 'http://s/feed?x=1&lastEventId=7');
  es2.readyState = 2; // the browser failed the connection: status unknown
  es2.onerror();
  const s = m.getConnectionStatus('c');
  assert.equal(s.state, 'reconnecting');
  assert.equal(s.reason, 'http-status');
  m.destroy();
});

test('online/offline and resume through the injected environment', async () => {
  await init();
  const clock = fakeClock();
  const transport = fakeTransport();
  const env = fakeEnvironment();
  const m = createManager({ clock: clock.now, timers: clock.timers, environment: env, storage: null, transports: { fetch: transport }, seed: 2 });
  m.connect('c', 'http://s/feed', { backoff: { initialMs: 20000, jitter: 'none' } });
  m.subscribe('c', () => {});
  ok(transport.last);
  transport.last.sink.closed(1);
  assert.equal(m.getConnectionStatus('c').reconnectInMs, 20000);
  env.emit('resume');
  clock.advance(4000); // onlineSpreadMs: tabs woken together do not return in lockstep
  assert.equal(transport.opens.length, 2, 'page resume retries a waiting connection within the spread');
  transport.last.sink.closed(1);
  env.emit('offline');
  assert.equal(m.getConnectionStatus('c').state, 'offline');
  clock.advance(60000);
  assert.equal(transport.opens.length, 2);
  env.emit('online');
  clock.advance(4000); // the same spread after online
  assert.equal(transport.opens.length, 3);
  m.destroy();
});

test('the spread after online is the core default (onlineSpreadMs 4000), not a JS copy of it', async () => {
  await init();
  const delays = [];
  for (let seed = 1; seed <= 8; seed++) {
    const clock = fakeClock();
    const transport = fakeTransport();
    const env = fakeEnvironment();
    const m = createManager({ clock: clock.now, timers: clock.timers, environment: env, storage: null, transports: { fetch: transport }, seed });
    m.connect('c', 'http://s/feed', { backoff: { initialMs: 20000, jitter: 'none' } });
    m.subscribe('c', () => {});
    ok(transport.last);
    transport.last.sink.closed(1);
    env.emit('resume');
    delays.push(Math.min(...clock.pending()));
    m.destroy();
  }
  assert.ok(delays.every((d) => d <= 4000), String(delays));
  assert.ok(delays.some((d) => d > 250), `a 250 ms spread would keep every retry under 250 ms: ${delays}`);
});

test('destroy from inside a callback: the rest of the batch is dropped safely', async () => {
  const { m, transport, errors } = await make();
  m.connect('c', 'http://s/feed');
  const got = [];
  m.subscribe('c', (e) => { got.push(e.id); if (e.id === '1') m.destroy(); });
  ok(transport.last);
  feed(transport.last, 'id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
  assert.deepEqual(got, ['1']);
  assert.equal(transport.last.aborted, true);
  assert.deepEqual(errors, []);
  assert.equal(feed(transport.last, 'id: 3\ndata: c\n\n'), false);
  assert.throws(() => m.subscribe('c', () => {}), /destroyed/);
});

test('options changed on the same stream: the new connection resumes from the old one\'s last id', async () => {
  const { m, transport } = await make();
  m.connect('c', 'http://s/feed', { heartbeatTimeoutMs: 45000 });
  const got = [];
  m.subscribe('c', (e) => got.push(e.id));
  ok(transport.last);
  feed(transport.last, 'id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
  // e.g. an SSEProvider channel whose heartbeat changed: another connection of the same stream
  m.connect('c', 'http://s/feed', { heartbeatTimeoutMs: 20000 });
  assert.equal(transport.opens.length, 2);
  assert.equal(transport.opens[0].aborted, true);
  assert.equal(transport.last.request.lastEventId, '2', 'no gap between the two connections');
  ok(transport.last);
  feed(transport.last, 'id: 3\ndata: c\n\n');
  assert.deepEqual(got, ['1', '2', '3']);
  // Another URL is another stream: its ids are not comparable, it starts as configured.
  m.connect('c', 'http://s/other');
  assert.equal(transport.last.request.url, 'http://s/other');
  assert.equal(transport.last.request.lastEventId, '');
  m.destroy();
});
