// The built Wasm package (js/ + dist/) against the real reference server on loopback, with what
// real servers send beside well-formed ids: id-less events (a hello notice on every stream, and
// notices between events), id:-only blocks, retry: lines, overlap replays, and channel rebinds.
// Every subscriber is checked against the soak's model (e2e/pages/soak-checker.js).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { init, createManager } from '../../js/index.js';
import { startSSEServer } from '../../demo/server/sse-server.js';
import { SubscriberModel } from '../../e2e/pages/soak-checker.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T = { timeout: 30000 };
const live = new Set();
after(async () => { await Promise.all([...live].map((x) => x.close())); });

async function until(cond, what, ms = 10000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const quietEnvironment = () => ({ isOnline: () => true, subscribe: () => () => {} });

async function server(opts) {
  const s = await startSSEServer({ intervalMs: 0, heartbeatMs: 100, helloNotice: true, ...opts });
  live.add(s);
  return s;
}

/** A manager with one channel 'feed' and a sentinel subscriber; records ids, opens and errors. */
async function client(t, url, connect = {}) {
  await init();
  const errors = [];
  const m = createManager({ environment: quietEnvironment(), lingerMs: 0, seed: 5, storage: null, onError: (e) => errors.push(e) });
  const c = { m, errors, opens: 0, state: 'idle', ids: [], subs: [] };
  c.opts = { initialLastEventId: '0', backoff: { initialMs: 100, maxMs: 300 }, heartbeatTimeoutMs: 1500, ...connect };
  m.connect('feed', url, c.opts);
  m.onStatus('feed', (s) => {
    if (s.state === 'open' && c.state !== 'open') c.opens++;
    c.state = s.state;
  });
  c.join = () => {
    const model = new SubscriberModel(c.sentinel ?? null);
    const off = m.subscribe('feed', (e) => {
      model.take(e);
      if (model === c.sentinel && e.type !== 'notice') c.ids.push(Number(e.id));
    });
    c.subs.push({ model, off });
    return model;
  };
  c.sentinel = c.join();
  t.after(() => {
    m.destroy();
    assert.deepEqual(errors, [], 'no callback or driver errors');
  });
  await until(() => c.state === 'open', 'first open');
  return c;
}

/** Each subscriber: no loss, duplicate, reorder or notice problem, and the sentinel's ending. */
function assertModel(c, lastId) {
  for (const { model } of c.subs) {
    const s = model.summary();
    assert.deepEqual(
      { lost: s.lost, duplicated: s.duplicated, reordered: s.reordered, noticesLost: s.noticesLost, noticesDuplicated: s.noticesDuplicated, noticesStale: s.noticesStale, unexpected: s.unexpected },
      { lost: 0, duplicated: 0, reordered: 0, noticesLost: 0, noticesDuplicated: 0, noticesStale: 0, unexpected: 0 },
      s.notes.join('; '),
    );
    assert.deepEqual(model.compare(c.sentinel), []);
  }
  assert.equal(c.sentinel.last, lastId);
}

describe('manager + reference server', T, () => {
  test('hello notices, notices, id:-only checkpoints and retry: lines through drops, truncation, overlap and 500: once, in order', async (t) => {
    const s = await server({ intervalMs: 20 });
    const c = await client(t, s.feedUrl);
    const disrupt = [
      () => s.fault('drop'),
      () => s.fault('truncate'),
      () => { s.fault('overlap', { events: 4 }); s.fault('drop'); },
      () => { s.fault('500', { count: 1 }); s.fault('drop'); },
    ];
    for (let round = 0; round < 8; round++) {
      if (round === 2) c.join(); // joins late
      if (round === 5) c.subs[1].off(); // leaves (its model stays checked up to then)
      s.fault('notice');
      s.fault('id-only');
      s.fault('retry', { ms: 150 + 50 * (round % 3) });
      s.fault('notice');
      const opens = c.opens;
      const last = c.sentinel.last;
      await sleep(60);
      disrupt[round % disrupt.length]();
      await until(() => c.opens > opens && c.sentinel.last > last + 5, `round ${round}: a new stream delivering`);
    }
    s.setIntervalMs(0);
    await until(() => c.sentinel.last === s.log.lastId, 'every event');
    const leaver = c.subs[1].model;
    c.subs.splice(1, 1);
    assertModel(c, s.log.lastId);
    assert.equal(leaver.lost + leaver.duplicated + leaver.noticesLost + leaver.noticesDuplicated, 0, leaver.notes.join('; '));
    assert.ok(s.counters.overlaps >= 2, 'overlaps were replayed');
    // Every stream's first event is an id-less hello: none may be taken for a duplicate.
    assert.ok(c.sentinel.notices >= c.opens + 16, `${c.sentinel.notices} notices on ${c.opens} streams`);
  });

  test('an id:-only block moves the resume position: events the stream skipped are not sent again', async (t) => {
    const s = await server();
    const c = await client(t, s.feedUrl);
    for (let i = 0; i < 5; i++) s.publish('poll', { i });
    await until(() => c.sentinel.last === 5, 'events 1..5');
    s.fault('id-only', { skip: 2 });
    s.publish('poll', { skipped: 6 });
    s.publish('poll', { skipped: 7 });
    await sleep(100); // the client reads the two id:-only blocks
    const opens = c.opens;
    s.fault('drop');
    await until(() => c.opens > opens, 'the reconnect');
    s.publish('poll', { i: 8 });
    await until(() => c.ids.at(-1) === 8, 'event 8');
    assert.equal(s.history.at(-1).lastEventId, 7, 'the reconnect resumes from the id:-only block');
    assert.deepEqual(c.ids, [1, 2, 3, 4, 5, 8]);
  });

  test('rebind to a fresh URL of the same log, resuming from the last delivered id: once, in order', async (t) => {
    const s = await server({ intervalMs: 20 });
    const c = await client(t, s.feedUrl);
    for (let r = 1; r <= 3; r++) {
      const last = c.sentinel.last;
      await until(() => c.sentinel.last > last + 5, `events before rebind ${r}`);
      c.m.connect('feed', `${s.feedUrl}?rebind=${r}`, { ...c.opts, initialLastEventId: String(c.sentinel.last) });
      const opens = c.opens;
      await until(() => c.opens > opens, `rebind ${r} open`);
      s.fault('drop');
    }
    await until(() => c.sentinel.last > 0 && s.history.at(-1).lastEventId !== null, 'a resume');
    s.setIntervalMs(0);
    await until(() => c.sentinel.last === s.log.lastId, 'every event');
    assertModel(c, s.log.lastId);
    assert.deepEqual(c.ids, Array.from({ length: s.log.lastId }, (_, i) => i + 1));
  });

  test('rebind to another server whose ids overlap the old stream: the new stream is not deduplicated against the old', async (t) => {
    const a = await server();
    const b = await server();
    const c = await client(t, a.feedUrl);
    for (let i = 0; i < 40; i++) a.publish('poll', { from: 'a', i });
    for (let i = 0; i < 10; i++) b.publish('poll', { from: 'b', i });
    await until(() => c.ids.length === 40, 'a: 1..40');
    const fromB = [];
    c.m.subscribe('feed', (e) => { if (e.type === 'poll' && JSON.parse(e.data).from === 'b') fromB.push(Number(e.id)); });
    c.m.connect('feed', b.feedUrl, { ...c.opts, initialLastEventId: '0' });
    for (let i = 10; i < 15; i++) b.publish('poll', { from: 'b', i });
    await until(() => fromB.length >= 15, `b's 15 events (got ids ${fromB})`, 5000);
    assert.deepEqual(fromB, Array.from({ length: 15 }, (_, i) => i + 1));
  });
});
