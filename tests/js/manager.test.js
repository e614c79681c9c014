// The SSE manager against the reference server over loopback, fetch transport: for each fault,
// the subscriber ends with every event the server sent, exactly once, in order, and the status
// went through the expected states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, settle, assertExactlyOnce, assertSequence, connectsSince, until, sleep, fakeEnvironment } from './manager-helpers.js';
import { init, createManager, LifelineError } from '../../js/index.js';
import { startSSEServer } from '../../demo/server/sse-server.js';

test('drop: reconnects within 1 s with Last-Event-ID and resumes', async (t) => {
  // default backoff: first retry within 1 s; the server stamps `ts` (epoch ms) on its events
  const ctx = await setup(t, { connect: { backoff: {} }, manager: { measureLatency: true } });
  await sleep(150);
  const t0 = Date.now();
  ctx.server.fault('drop');
  await until(() => connectsSince(ctx.server, t0).length >= 1, 'reconnect');
  const again = connectsSince(ctx.server, t0)[0];
  assert.ok(again.t - t0 < 1200, `reconnected after ${again.t - t0} ms`);
  assert.equal(again.via, 'header');
  assert.ok(again.lastEventId > 0);
  await settle(ctx);
  assertExactlyOnce(ctx);
  assertSequence(ctx.states, ['connecting', 'open', 'reconnecting:network', 'connecting:network', 'open']);
  const mx = ctx.m.getMetrics();
  assert.equal(mx.recoveryMs.count, 1);
  assert.equal(mx.dropToAttemptMs.count, 1);
  assert.ok(mx.dropToAttemptMs.max <= 1100, `first attempt ${mx.dropToAttemptMs.max} ms after the drop`);
  assert.ok(mx.eventLatencyMs.count > 0, 'the server stamps ts: latency measured');
  assert.ok(mx.eventLatencyMs.max < 1000, `loopback latency ${mx.eventLatencyMs.max} ms`);
  assert.equal(mx.errors.network, 1);
  assert.equal(mx.reconnects, 1);
  assert.match(ctx.m.getPrometheusMetrics(), /^lifeline_sse_recovery_ms_count 1$/m);
});

test('stall: the watchdog aborts a silent stream and resumes', async (t) => {
  const ctx = await setup(t, { server: { heartbeatMs: 60000 }, connect: { heartbeatTimeoutMs: 300 } });
  await sleep(100);
  ctx.server.fault('stall', { ms: 900 });
  await until(() => ctx.states.includes('connecting:stall'), 'stall detected');
  await settle(ctx);
  assertExactlyOnce(ctx);
  assertSequence(ctx.states, ['open', 'connecting:stall', 'open']);
  assert.ok(ctx.m.getMetrics().stalls >= 1);
});

test('heartbeat comments keep a quiet stream alive', async (t) => {
  const ctx = await setup(t, { server: { intervalMs: 0, heartbeatMs: 100 }, connect: { heartbeatTimeoutMs: 400 } });
  await sleep(1000);
  assert.deepEqual(ctx.states, ['connecting', 'open']);
});

test('restart: the server goes away and comes back on the same port', async (t) => {
  const ctx = await setup(t);
  await sleep(100);
  await ctx.server.restart({ downMs: 400 });
  await settle(ctx);
  assertExactlyOnce(ctx);
  assertSequence(ctx.states, ['open', 'reconnecting:network', 'open']);
});

test('500s are retried with backoff, then the stream resumes', async (t) => {
  const ctx = await setup(t);
  await sleep(100);
  ctx.server.fault('500', { count: 3 });
  ctx.server.fault('drop');
  await until(() => ctx.states.filter((s) => s === 'reconnecting:http-5xx').length === 3 && ctx.states.at(-1) === 'open', 'recovery');
  await settle(ctx);
  assertExactlyOnce(ctx);
  assertSequence(ctx.states, ['reconnecting:network', 'reconnecting:http-5xx', 'reconnecting:http-5xx', 'reconnecting:http-5xx', 'open']);
});

test('503 with Retry-After: no retry sooner than asked', async (t) => {
  const ctx = await setup(t);
  ctx.server.fault('503', { count: 1, retryAfter: 1 });
  const t0 = Date.now();
  ctx.server.fault('drop');
  await until(() => ctx.states.includes('reconnecting:retry-after'), '503');
  const tried = () => connectsSince(ctx.server, t0);
  await until(() => tried().length >= 2, 'retry after 503');
  const [first, second] = tried();
  assert.equal(first.status, 503);
  assert.ok(second.t - first.t >= 990, `retried ${second.t - first.t} ms after the 503`);
  await settle(ctx);
  assertExactlyOnce(ctx);
});

for (const [fault, reason, status] of [['204', 'no-content', 204], ['404', 'not-found', 404], ['html', 'content-type', 200]]) {
  test(`${fault}: fatal, no retry until "Retry now"`, async (t) => {
    const ctx = await setup(t);
    ctx.server.fault(fault, { count: 1 });
    const t0 = Date.now();
    ctx.server.fault('drop');
    await until(() => ctx.m.getConnectionStatus('feed').state === 'failed', 'failed');
    const s = ctx.m.getConnectionStatus('feed');
    assert.equal(s.reason, reason);
    assert.equal(s.httpStatus, status);
    assert.equal(s.lastError.reason, reason);
    await sleep(700);
    assert.equal(connectsSince(ctx.server, t0).length, 1, 'no retry after a fatal answer');
    ctx.m.retryNow('feed');
    await settle(ctx);
    assertExactlyOnce(ctx);
    assertSequence(ctx.states, ['open', `failed:${reason}`, 'open']);
  });
}

test('401: the auth hook is asked once for fresh headers, then the stream resumes', async (t) => {
  let asked = 0;
  const ctx = await setup(t, {
    connect: { onAuthRequired: async () => { asked++; return { authorization: 'Bearer fresh' }; } },
  });
  ctx.server.fault('401', { count: 1 });
  ctx.server.fault('drop');
  await until(() => asked === 1, 'auth hook');
  await settle(ctx);
  assertExactlyOnce(ctx);
  assert.equal(asked, 1);
  assertSequence(ctx.states, ['open', 'reconnecting:auth', 'open']);
});

test('401 twice: fails with the auth reason', async (t) => {
  let asked = 0;
  const ctx = await setup(t, { connect: { onAuthRequired: () => { asked++; return {}; } } });
  ctx.server.fault('401', { count: 2 });
  ctx.server.fault('drop');
  await until(() => ctx.m.getConnectionStatus('feed').state === 'failed', 'failed');
  assert.equal(ctx.m.getConnectionStatus('feed').reason, 'auth');
  assert.equal(asked, 1);
});

test('truncated event: never delivered half, resumed whole', async (t) => {
  const ctx = await setup(t);
  await sleep(100);
  ctx.server.fault('truncate', { count: 2 });
  await until(() => ctx.server.counters.truncated >= 2, 'truncations');
  await settle(ctx);
  assertExactlyOnce(ctx);
  for (const e of ctx.events) assert.doesNotThrow(() => JSON.parse(e.data));
});

test('drip: a slow stream is alive (no stall) and events arrive whole', async (t) => {
  const ctx = await setup(t, { connect: { heartbeatTimeoutMs: 400 } });
  ctx.server.fault('drip', { ms: 800, byteMs: 2 });
  await sleep(900);
  await settle(ctx);
  assertExactlyOnce(ctx);
  assert.ok(!ctx.states.some((s) => s.includes('stall')), JSON.stringify(ctx.states));
});

test('close after every event: paced by the base delay while it makes progress, nothing lost', async (t) => {
  const ctx = await setup(t, { server: { intervalMs: 0 }, connect: { backoff: { initialMs: 100, maxMs: 2000, jitter: 'none', adaptive: false } } });
  const t0 = Date.now();
  ctx.server.fault('close-after-event', { ms: 1500, publish: true });
  ctx.server.fault('drop');
  await sleep(1500);
  const n = connectsSince(ctx.server, t0).length;
  // Every stream delivers a new event, so each drop is a new fault: the delay restarts at
  // 100 ms (progress-aware backoff), never faster (a tight loop would make hundreds).
  assert.ok(n >= 3 && n <= 16, `${n} connects in 1.5 s`);
  ctx.server.publish('message', { last: true });
  await settle(ctx);
  assertExactlyOnce(ctx);
});

test('offline pauses attempts; online retries at once', async (t) => {
  const ctx = await setup(t);
  ctx.env.emit('offline');
  const t0 = Date.now();
  ctx.server.fault('drop');
  await until(() => ctx.m.getConnectionStatus('feed').state === 'offline', 'offline');
  await sleep(500);
  assert.equal(connectsSince(ctx.server, t0).length, 0);
  ctx.env.emit('online');
  await settle(ctx);
  assertExactlyOnce(ctx);
  assertSequence(ctx.states, ['open', 'offline:network', 'reconnecting:network', 'open']);
});

test('failover: a refused endpoint moves to the next one at once, which resumes', async (t) => {
  await init();
  const dead = await startSSEServer({ intervalMs: 0 });
  const deadUrl = dead.feedUrl;
  await dead.close(); // nothing listens there any more: connection refused
  const server = await startSSEServer({ intervalMs: 25 });
  const m = createManager({ environment: fakeEnvironment(), lingerMs: 0, seed: 3, storage: null });
  t.after(async () => { m.destroy(); await server.close(); });
  const events = [];
  m.connect('feed', deadUrl, {
    endpoints: [server.feedUrl], initialLastEventId: '0',
    backoff: { initialMs: 50, maxMs: 200 }, breaker: { consecutiveFailures: 2, openMs: 60000 },
  });
  m.subscribe('feed', (e) => events.push(Number(e.id)));
  await until(() => m.getConnectionStatus('feed').state === 'open', 'open on the second endpoint');
  const s = m.getConnectionStatus('feed');
  assert.equal(s.endpoint, 1);
  assert.equal(s.url, server.feedUrl);
  assert.ok(m.getMetrics().failovers >= 1);
  // No backoff between a refused endpoint and the next one: open before the first event.
  await until(() => events.length >= 3, 'events from the second endpoint');
  server.setIntervalMs(0);
  await until(() => events.at(-1) === server.log.lastId, 'events');
  assert.deepEqual(events, Array.from({ length: server.log.lastId }, (_, i) => i + 1));
});

test('pooling: channels on one URL share one stream; linger closes it', async (t) => {
  await init();
  const server = await startSSEServer({ intervalMs: 25 });
  const m = createManager({ environment: fakeEnvironment(), lingerMs: 200, storage: null });
  t.after(async () => { m.destroy(); await server.close(); });
  const a = [];
  const b = [];
  m.connect('a', server.feedUrl);
  m.connect('b', server.feedUrl);
  const offA = m.subscribe('a', (e) => a.push(e));
  const offB = m.subscribe('b', (e) => b.push(e), { events: ['nothing-of-that-type'] });
  m.subscribe('b', (e) => b.push(e), { priority: 5 });
  await until(() => a.length >= 3 && b.length >= 3, 'events on both channels');
  assert.equal(server.status().connectionsOpen, 1);
  assert.equal(a[0].channel, 'a');
  assert.equal(b[0].channel, 'b');
  offA();
  offB();
  m.unsubscribe('b', b.push); // not that callback: no effect
  m.disconnect('b');
  await until(() => m.getConnectionStatus('a').state === 'closed', 'closed after the linger');
  assert.equal(m.getConnectionStatus('a').reason, 'linger');
  await until(() => server.status().connectionsOpen === 0, 'server sees the close');
});

test('status store: cached snapshot, same object while unchanged', async (t) => {
  const ctx = await setup(t);
  const store = ctx.m.statusStore('feed');
  assert.equal(store, ctx.m.statusStore('feed'));
  const s1 = store.getSnapshot();
  await sleep(100);
  assert.equal(store.getSnapshot(), s1);
  assert.equal(s1.state, 'open');
  let calls = 0;
  const off = store.subscribe(() => calls++);
  ctx.server.fault('drop');
  await until(() => calls >= 2, 'store notifications');
  assert.notEqual(store.getSnapshot(), s1);
  off();
  assert.equal(ctx.m.statusStore('unknown').getSnapshot().state, 'idle');
});

test('persisted Last-Event-ID resumes a new manager where the last one stopped', async (t) => {
  await init();
  const server = await startSSEServer({ intervalMs: 20 });
  const mem = new Map();
  const storage = { getItem: (k) => (mem.has(k) ? mem.get(k) : null), setItem: (k, v) => mem.set(k, String(v)) };
  t.after(() => server.close());
  const ids = [];
  const m1 = createManager({ environment: fakeEnvironment(), lingerMs: 0, storage });
  m1.connect('feed', server.feedUrl, { persistLastEventId: true, initialLastEventId: '0' });
  m1.subscribe('feed', (e) => ids.push(Number(e.id)));
  await until(() => ids.length >= 5, 'first events');
  m1.destroy();
  await sleep(100);
  const m2 = createManager({ environment: fakeEnvironment(), lingerMs: 0, storage });
  t.after(() => m2.destroy());
  m2.connect('feed', server.feedUrl, { persistLastEventId: true });
  m2.subscribe('feed', (e) => ids.push(Number(e.id)));
  server.setIntervalMs(0);
  await until(() => ids.at(-1) === server.log.lastId, 'all events');
  assert.deepEqual(ids, Array.from({ length: server.log.lastId }, (_, i) => i + 1));
});

test('bad arguments get clear errors; eventsource is unavailable in Node', async () => {
  await init();
  const m = createManager({ environment: fakeEnvironment(), storage: null });
  try {
    assert.throws(() => m.connect('', 'http://x'), TypeError);
    assert.throws(() => createManager({ now: () => 0 }), /createManager: unknown option "now"/, 'the clock is `clock`, as in every module');
    assert.throws(() => createManager({ clock: 0 }), /clock must be a function/);
    assert.throws(() => m.subscribe('nope', () => {}), (e) => e instanceof LifelineError && e.code === 'LIFELINE_ERR_NOT_FOUND');
    assert.throws(() => m.connect('c', 'http://127.0.0.1:9/x', { transport: 'eventsource' }), (e) => e instanceof LifelineError && e.code === 'LIFELINE_ERR_UNAVAILABLE');
    assert.throws(() => m.connect('c', 'http://x', { backoff: { jitter: 'wild' } }), (e) => e instanceof LifelineError && e.code === 'LIFELINE_ERR_INVALID_ARGUMENT' && /backoff.jitter = "wild"/.test(e.message));
    assert.throws(() => m.connect('c', 'http://x', { heartbeatTimeoutMs: -1 }), RangeError);
    // The core judges backoff and breaker values; the error shows what it was given.
    assert.throws(() => m.connect('c', 'http://x', { backoff: { initialMs: 5000, maxMs: 100 } }),
      (e) => e instanceof LifelineError && e.code === 'LIFELINE_ERR_INVALID_ARGUMENT' && e.message === 'connect: backoff {"initialMs":5000,"maxMs":100}, breaker {}: invalid argument');
    assert.throws(() => m.connect('c', 'http://x', { breaker: { failureRateThreshold: 2 } }), (e) => e instanceof LifelineError && e.code === 'LIFELINE_ERR_INVALID_ARGUMENT');
    assert.throws(() => m.connect('c', 'http://x', { backoff: { multiplier: 'x' } }), /connect: backoff.multiplier must be a number, got string/);
    assert.deepEqual(m.retainedState().connections, 0, 'refused options leave no connection behind');
    m.connect('c', 'http://127.0.0.1:9/x');
    assert.throws(() => m.subscribe('c', () => {}, { events: ['a\nb'] }), TypeError);
  } finally {
    m.destroy();
  }
  assert.throws(() => m.connect('d', 'http://x'), LifelineError);
});
