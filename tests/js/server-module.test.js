// lifeline-sse/server: the behaviour every log must have, run against the in-memory log and
// against Redis Streams (a real redis-server on a free loopback port): streams with ids,
// heartbeats and retry:, replay from Last-Event-ID (header or query), retention and `reset`,
// a client that stops reading, bad input, capacity, drain and health.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startRedis } from '../../demo/server/redis-process.js';
import { freshLog, instance, publishSeq, seqs, sleep } from './server-module-helpers.js';

let redis;
before(async () => { redis = await startRedis(); });
after(async () => { await redis?.close(); });

for (const kind of ['memory', 'redis']) {
  describe(`${kind} log`, () => {
    const log = (opts) => freshLog(kind, redis.url, opts);

    test('a stream: ids from the log, heartbeat comments, retry:, CORS; publish answers the id', async (t) => {
      const a = await instance(t, log(), { retryMs: 1500 });
      const s = await a.open('/events', { origin: 'http://app.example' });
      assert.equal(s.status, 200);
      assert.match(s.headers.get('content-type'), /^text\/event-stream/);
      assert.equal(s.headers.get('access-control-allow-origin'), 'http://app.example');
      const ids = await publishSeq(a, 3);
      await s.waitForEvents(3);
      assert.deepEqual(s.events.map((e) => e.id), ids);
      assert.deepEqual(seqs(s), [1, 2, 3]);
      assert.equal(s.retry, 1500);
      await s.waitFor((x) => x.comments.some((c) => c.startsWith('heartbeat')), 2000);
      const strData = await a.publish({ event: 'note', data: 'line one\nline two' });
      await s.waitFor((x) => x.events.some((e) => e.event === 'note'));
      assert.equal(s.events.at(-1).data, 'line one\nline two');
      assert.equal(s.events.at(-1).id, strData.body.id);
    });

    test('resume from Last-Event-ID (header, or the query parameter) replays exactly what follows', async (t) => {
      const a = await instance(t, log());
      const ids = await publishSeq(a, 10);
      const h = await a.open('/events', { 'last-event-id': ids[3] });
      await h.waitForEvents(6);
      assert.deepEqual(seqs(h), [5, 6, 7, 8, 9, 10]);
      const q = await a.open(`/events?lastEventId=${encodeURIComponent(ids[7])}`);
      await q.waitForEvents(2);
      assert.deepEqual(seqs(q), [9, 10]);
      const fresh = await a.open('/events'); // no id: only what comes next
      await publishSeq(a, 1, { from: 11 });
      await fresh.waitForEvents(1);
      assert.deepEqual(seqs(fresh), [11]);
      const start = await a.open('/events', { 'last-event-id': a.log.zeroId }); // from the start
      await start.waitForEvents(11);
      assert.deepEqual(seqs(start), Array.from({ length: 11 }, (_, i) => i + 1));
    });

    test('topics are separate logs with their own order', async (t) => {
      const a = await instance(t, log());
      const x = await a.open('/events?topic=x');
      const y = await a.open('/events?topic=y');
      await publishSeq(a, 3, { topic: 'x' });
      await publishSeq(a, 2, { topic: 'y', from: 100 });
      await x.waitForEvents(3);
      await y.waitForEvents(2);
      assert.deepEqual(seqs(x), [1, 2, 3]);
      assert.deepEqual(seqs(y), [100, 101]);
      assert.equal((await a.publish({ event: 'e', data: 1, topic: 'no spaces allowed' })).status, 400);
    });

    test('retention: a resume from beyond the window gets reset (with the id to go on from), then live events', async (t) => {
      const a = await instance(t, log({ memory: { capacity: 20 }, redis: { maxLen: 20, exactTrim: true } }));
      const ids = await publishSeq(a, 60);
      const s = await a.open('/events', { 'last-event-id': ids[5] });
      await s.waitForEvents(1);
      const r = s.events[0];
      assert.equal(r.event, 'reset');
      const info = JSON.parse(r.data);
      assert.equal(info.reason, 'trimmed');
      assert.equal(info.lastEventId, ids[5]);
      assert.equal(info.lastId, ids[59]);
      assert.equal(r.id, ids[59], 'the reset moves the client to the log end');
      await publishSeq(a, 2, { from: 61 });
      await s.waitForEvents(3);
      assert.deepEqual(seqs(s), [61, 62]);
      // inside the window: a normal resume
      const ok = await a.open('/events', { 'last-event-id': ids[55] });
      await ok.waitForEvents(6);
      assert.deepEqual(seqs(ok), [57, 58, 59, 60, 61, 62]);
    });

    test('an id the log never issued gets reset (unknown-id), then live events', async (t) => {
      const a = await instance(t, log());
      const ids = await publishSeq(a, 2);
      const ahead = kind === 'memory' ? '999' : `${BigInt(ids[1].split('-')[0]) + 10000n}-0`;
      const s = await a.open('/events', { 'last-event-id': ahead });
      await s.waitForEvents(1);
      assert.equal(s.events[0].event, 'reset');
      assert.equal(JSON.parse(s.events[0].data).reason, 'unknown-id');
      await publishSeq(a, 1, { from: 3 });
      await s.waitForEvents(2);
      assert.deepEqual(seqs(s), [3]);
    });

    test('a client that stops reading costs no more than the log, then gets reset and goes on', async (t) => {
      const a = await instance(t, log({ memory: { capacity: 200 }, redis: { maxLen: 200, exactTrim: true, ringSize: 64 } }), { heartbeatMs: 60000, pageSize: 50 });
      const { port } = new URL(a.url);
      const sock = connect(Number(port), '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      sock.write(`GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: ${a.log.zeroId}\r\n\r\n`);
      let text = '';
      sock.on('data', (d) => { text += d; });
      await sleep(100);
      sock.pause(); // stops reading: the socket buffers fill, the server stops writing
      // 20 MB: more than loopback's socket buffers hold
      const big = 'x'.repeat(20000);
      for (let i = 0; i < 100; i++) {
        const r = await a.publish({ events: Array.from({ length: 10 }, (_, k) => ({ event: 'tick', data: { seq: i * 10 + k + 1, big } })) });
        assert.equal(r.status, 200);
      }
      const st = a.sse.streams()[0];
      assert.ok(st.res.writableNeedDrain, 'the server stopped writing');
      assert.ok(st.res.writableLength < 2 * 1024 * 1024, `buffered ${st.res.writableLength} bytes`);
      sock.resume();
      const until = (re) => new Promise((resolve, reject) => {
        const end = Date.now() + 5000;
        const tick = () => (re.test(text) ? resolve() : Date.now() > end ? reject(new Error(`no ${re}`)) : setTimeout(tick, 20));
        tick();
      });
      await until(/event: reset\r?\n/);
      assert.match(text, /"reason":"trimmed"/);
      await a.publish({ event: 'tick', data: { seq: 1001 } });
      await until(/"seq":1001/); // and live events after it
      sock.destroy();
    });

    test('bad input gets a clear answer and the instance goes on: 400, 413, 503 + Retry-After', async (t) => {
      const a = await instance(t, log(), { maxBodyBytes: 4096, maxEventBytes: 1024, maxEventsPerPublish: 10, maxClients: 3, connectsPerSecond: 1000 });
      const bad = async (headers) => (await fetch(`${a.url}/events`, { headers })).status;
      assert.equal(await bad({ 'last-event-id': 'not an id' }), 400);
      assert.equal(await bad({ 'last-event-id': '1'.repeat(300) }), 400);
      assert.equal(await bad({ 'last-event-id': '../../etc/passwd' }), 400);
      const q = await fetch(`${a.url}/events?lastEventId=%00%01`);
      assert.equal(q.status, 400);
      assert.match((await q.json()).error, /Last-Event-ID/);
      assert.equal((await a.publish('{not json')).status, 400);
      assert.equal((await a.publish({ event: 'two\nlines', data: 1 })).status, 400);
      assert.equal((await a.publish({ event: 'e', data: 'x'.repeat(2000) })).status, 413);
      assert.equal((await a.publish({ events: Array.from({ length: 11 }, () => ({ event: 'e', data: 1 })) })).status, 413);
      assert.equal((await a.publish({ event: 'e', data: 'y'.repeat(5000) })).status, 413);
      const open = [await a.open(), await a.open(), await a.open()];
      const full = await fetch(`${a.url}/events`);
      assert.equal(full.status, 503);
      assert.equal(full.headers.get('retry-after'), '1');
      await Promise.all(open.map((s) => s.close()));
      await sleep(50);
      const ok = await a.open();
      assert.equal(ok.status, 200, 'still serving');
      assert.equal((await a.publish({ event: 'e', data: 1 })).status, 200);
    });

    test('a flood of connects beyond the rate gets 503 + Retry-After, never a crash', async (t) => {
      const a = await instance(t, log(), { connectsPerSecond: 20 });
      const answers = await Promise.all(Array.from({ length: 120 }, async () => {
        const ac = new AbortController();
        const r = await fetch(`${a.url}/events`, { signal: ac.signal });
        const out = [r.status, r.headers.get('retry-after')];
        ac.abort();
        return out;
      }));
      const refused = answers.filter(([s]) => s === 503);
      assert.ok(refused.length >= 50, `${refused.length} refused`);
      assert.ok(refused.every(([, ra]) => ra === '1'));
      assert.ok(answers.every(([s]) => s === 200 || s === 503));
      assert.equal((await fetch(`${a.url}/health/live`)).status, 200);
    });

    test('drain: open streams get lifeline:drain with the spread after what they read; new streams 503', async (t) => {
      const a = await instance(t, log(), { drain: { spreadMs: 300, timeoutMs: 2000 } });
      const s1 = await a.open();
      const s2 = await a.open();
      await publishSeq(a, 2);
      await s1.waitForEvents(2);
      const t0 = Date.now();
      const done = a.sse.drain();
      await s1.waitFor((x) => x.events.some((e) => e.event === 'lifeline:drain'));
      await s2.waitFor((x) => x.events.some((e) => e.event === 'lifeline:drain'));
      assert.deepEqual(seqs(s2), [1, 2], 'everything read before the notice is out');
      const note = s1.events.find((e) => e.event === 'lifeline:drain');
      assert.equal(note.data, '300');
      const refused = await fetch(`${a.url}/events`);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      const ready = await fetch(`${a.url}/health/ready`);
      assert.equal(ready.status, 503);
      assert.equal((await ready.json()).checks.draining.ok, false);
      assert.equal((await fetch(`${a.url}/health/live`)).status, 200, 'live while draining');
      await s1.close(); // one client leaves at once; the other is ended at the bound
      const r = await done;
      assert.deepEqual(r, { streams: 2, left: 1 });
      assert.ok(Date.now() - t0 >= 1900 && Date.now() - t0 < 3500, `${Date.now() - t0} ms`);
      await s2.done;
      assert.equal(s2.ended, true);
    });

    test('health: /health/live always 200; /health/ready 200 with its checks', async (t) => {
      const a = await instance(t, log());
      const live = await (await fetch(`${a.url}/health/live`)).json();
      assert.equal(live.status, 'live');
      const r = await fetch(`${a.url}/health/ready`);
      assert.equal(r.status, 200);
      const body = await r.json();
      assert.equal(body.status, 'ready');
      assert.deepEqual(Object.keys(body.checks).sort(), ['capacity', 'draining', 'lag', 'log']);
      assert.equal(body.checks.log.kind, kind);
    });
  });
}
