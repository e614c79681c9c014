// lifeline-sse/server over Redis Streams, what needs Redis itself (a real redis-server on a free
// loopback port): instances sharing one log in one global order, a log that was lost (FLUSHALL,
// a restart without persistence) giving `reset`, an outage (Redis stopped mid-stream: not ready,
// publishes refused and never landing later, heartbeats go on, the stream resumes with no loss),
// trimming by age, and the Lifeline client failing over between instances with nothing lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../../demo/server/redis-process.js';
import { freshLog, instance, publishSeq, seqs, sleep } from './server-module-helpers.js';
import { init, createManager } from '../../js/index.js';
import { fakeEnvironment, until } from './manager-helpers.js';

let redis;
before(async () => { redis = await startRedis(); });
after(async () => { await redis?.close(); });

/** Two instances over one Redis log (the same prefix). */
async function pair(t, opts = {}) {
  const logA = freshLog('redis', redis.url, opts);
  const prefix = logA.prefix;
  const logB = freshLog('redis', redis.url, { redis: { ...opts.redis, prefix } });
  return [await instance(t, logA), await instance(t, logB)];
}

test('instances share one log: publishes through either reach subscribers on both, in one order', async (t) => {
  const [a, b] = await pair(t);
  const sa = await a.open();
  const sb = await b.open();
  // two publishers at once, one per instance
  await Promise.all([
    publishSeq(a, 40, { event: 'x' }),
    publishSeq(b, 40, { event: 'y', from: 1000 }),
  ]);
  await sa.waitForEvents(80, 5000);
  await sb.waitForEvents(80, 5000);
  const order = (s) => s.events.map((e) => `${e.id}`);
  assert.deepEqual(order(sa), order(sb), 'the same ids in the same order on both instances');
  const ids = order(sa);
  assert.deepEqual([...ids].sort((p, q) => a.log.compare(p, q)), ids, 'ascending stream ids');
  assert.deepEqual(seqs(sa, 'x'), Array.from({ length: 40 }, (_, i) => i + 1));
  assert.deepEqual(seqs(sb, 'y'), Array.from({ length: 40 }, (_, i) => i + 1000));
  // a client resumes on the other instance from an id it got from this one
  const resumed = await b.open('/events', { 'last-event-id': sa.events[59].id });
  await resumed.waitForEvents(20);
  assert.deepEqual(resumed.events.map((e) => e.id), ids.slice(60));
});

test('a lost log is a reset, never a gap: FLUSHALL under an open stream, and old ids after it', async (t) => {
  const [a] = await pair(t);
  const ids = await publishSeq(a, 5);
  const s = await a.open('/events', { 'last-event-id': ids[4] });
  await a.log.sendCommand(['FLUSHALL']);
  await publishSeq(a, 3, { from: 101 }); // a new incarnation of the stream: ids after the old ones
  await s.waitFor((x) => x.events.some((e) => e.event === 'reset'), 3000);
  const r = s.events.find((e) => e.event === 'reset');
  // Seen before or after the new stream appeared: the log is empty, or it is another one.
  assert.ok(['log-replaced', 'log-empty'].includes(JSON.parse(r.data).reason), r.data);
  await publishSeq(a, 1, { from: 104 });
  await s.waitFor((x) => seqs(x).includes(104), 3000);
  // After the reset, exactly the new log's events after the reset's id, in order.
  const after = s.events.slice(s.events.indexOf(r) + 1).map((e) => e.id);
  const log = (await a.log.sendCommand(['XRANGE', a.log.keyOf('feed'), `(${r.id}`, '+'])).map(([id]) => id);
  assert.deepEqual(after, log);
  assert.ok(!s.events.slice(0, s.events.indexOf(r)).some((e) => seqs({ events: [e] }).some((q) => q > 100)), 'nothing of the new log before the reset');
  const old = await a.open('/events', { 'last-event-id': ids[2] });
  await old.waitForEvents(1);
  assert.equal(old.events[0].event, 'reset');
  assert.equal(JSON.parse(old.events[0].data).reason, 'log-replaced');
  await a.log.sendCommand(['FLUSHALL']);
  const empty = await a.open('/events', { 'last-event-id': ids[2] });
  await empty.waitForEvents(1);
  assert.equal(JSON.parse(empty.events[0].data).reason, 'log-empty');
});

test('retention by age (MINID): a resume from before the window gets reset (trimmed)', async (t) => {
  const [a] = await pair(t, { redis: { maxAgeMs: 300 } });
  const ids = await publishSeq(a, 3);
  await sleep(400);
  await publishSeq(a, 1, { from: 4 }); // this append trims what is older than 300 ms
  const s = await a.open('/events', { 'last-event-id': ids[0] });
  await s.waitForEvents(1);
  assert.equal(JSON.parse(s.events[0].data).reason, 'trimmed');
  const ok = await a.open('/events', { 'last-event-id': ids[2] }); // the last trimmed one: nothing lost
  await ok.waitForEvents(1);
  assert.deepEqual(seqs(ok), [4]);
});

test('Redis down mid-stream: not ready at once, publishes refused (never landing later), heartbeats go on, resume with no loss', async (t) => {
  const own = await startRedis({ persist: true });
  t.after(() => own.close());
  const a = await instance(t, freshLog('redis', own.url), { heartbeatMs: 100, ready: { deadlineMs: 300 } });
  const s = await a.open();
  await publishSeq(a, 5);
  await s.waitForEvents(5);
  await own.stop();
  await sleep(50);
  const t0 = Date.now();
  const ready = await fetch(`${a.url}/health/ready`);
  assert.equal(ready.status, 503);
  assert.ok(Date.now() - t0 < 1000, 'readiness fails fast');
  assert.equal(ready.headers.get('retry-after'), '1');
  assert.equal((await ready.json()).checks.log.ok, false);
  assert.equal((await fetch(`${a.url}/health/live`)).status, 200, 'live: a Redis blip is no reason to restart');
  const refused = [];
  for (let i = 0; i < 5; i++) refused.push(await a.publish({ event: 'tick', data: { seq: 500 + i } }));
  for (const r of refused) {
    assert.equal(r.status, 503);
    assert.equal(r.body.published, false);
    assert.match(r.body.error, /Redis/);
  }
  const beats = s.comments.length;
  await sleep(350);
  assert.ok(s.comments.length >= beats + 2, 'heartbeats while Redis is down');
  assert.equal(s.ended, false);
  const fresh = await fetch(`${a.url}/events`);
  assert.equal(fresh.status, 503, 'a new stream cannot be positioned: 503');
  await own.start();
  const end = Date.now() + 5000;
  while ((await fetch(`${a.url}/health/ready`)).status !== 200) {
    assert.ok(Date.now() < end, 'ready again');
    await sleep(50);
  }
  await publishSeq(a, 5, { from: 6 });
  await s.waitForEvents(10, 5000);
  assert.deepEqual(seqs(s), Array.from({ length: 10 }, (_, i) => i + 1), 'no loss, no refused event');
  await sleep(300);
  const all = await a.log.sendCommand(['XRANGE', a.log.keyOf('feed'), '-', '+']);
  const logged = all.map(([, f]) => JSON.parse(f[f.indexOf('d') + 1]).seq);
  assert.deepEqual(logged, Array.from({ length: 10 }, (_, i) => i + 1), 'refused publishes never landed');
});

test('Redis restarted without its data: streams and resumes get reset (log lost), then the new events', async (t) => {
  const own = await startRedis({ persist: false });
  t.after(() => own.close());
  const a = await instance(t, freshLog('redis', own.url), { heartbeatMs: 100 });
  const ids = await publishSeq(a, 3);
  const s = await a.open('/events', { 'last-event-id': ids[2] });
  await own.restart(50);
  await until(() => a.log.available, 'reconnected', 5000);
  await publishSeq(a, 2, { from: 10 });
  await s.waitFor((x) => x.events.some((e) => e.event === 'reset'), 5000);
  await publishSeq(a, 1, { from: 12 });
  await s.waitFor((x) => seqs(x).includes(12), 5000);
  assert.ok(!seqs(s).includes(10));
  const late = await a.open('/events', { 'last-event-id': ids[1] });
  await late.waitForEvents(1);
  assert.equal(JSON.parse(late.events[0].data).reason, 'log-replaced');
});

test('the Lifeline client across instances: one dies, the stream fails over and nothing is lost or doubled', async (t) => {
  await init();
  const [a, b] = await pair(t);
  const m = createManager({ environment: fakeEnvironment(), lingerMs: 0, storage: null, seed: 5 });
  t.after(() => m.destroy());
  const got = [];
  m.connect('feed', `${a.url}/events`, { endpoints: [`${b.url}/events`], initialLastEventId: a.log.zeroId });
  m.subscribe('feed', (e) => got.push(JSON.parse(e.data).seq));
  await until(() => m.getConnectionStatus('feed').state === 'open', 'open');
  await publishSeq(b, 20);
  await until(() => got.length === 20, '20 events');
  await a.close(); // the instance dies: its sockets are destroyed, its port refuses
  await publishSeq(b, 20, { from: 21 });
  await until(() => got.length >= 40, '40 events', 8000);
  await sleep(100);
  assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => i + 1));
  assert.equal(m.getConnectionStatus('feed').endpoint, 1);
});
