// The reference server's chaos faults used by the soak: id-less notices numbered per stream,
// id:-only blocks, retry: lines, overlap replays on resume, restarts with a new http.Server and a
// log that outlives its server. Real loopback HTTP.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSSEServer } from '../../demo/server/sse-server.js';
import { openSSE } from '../../demo/server/test-client.js';
import { serverRunner } from './server-helpers.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const QUIET = { intervalMs: 0, heartbeatMs: 60000 };
const T = { timeout: 20000 };
const withServer = serverRunner(QUIET);

const ids = (s) => s.events.filter((e) => e.event !== 'notice').map((e) => Number(e.id));
const notices = (s) => s.events.filter((e) => e.event === 'notice').map((e) => JSON.parse(e.data));
const lastEntry = (server) => server.history.at(-1);

describe('chaos faults', T, () => {
  test('hello and injected notices carry no id and are numbered per stream', async () => {
    await withServer({ helloNotice: true }, async (server, open) => {
      server.publish('poll', { a: 1 });
      const s = await open(server.feedUrl, { headers: { 'Last-Event-ID': '0' } });
      await s.waitForEvents(2);
      assert.equal(server.fault('notice', { text: 'between' }).streams, 1);
      server.publish('poll', { a: 2 });
      await s.waitForEvents(4);
      assert.deepEqual(s.events.map((e) => e.event), ['notice', 'poll', 'notice', 'poll']);
      const [hello, mid] = notices(s);
      assert.deepEqual(hello, { stream: lastEntry(server).clientId, n: 0, hello: true });
      assert.deepEqual(mid, { stream: hello.stream, n: 1, text: 'between' });
      assert.doesNotMatch(s.raw, /id: [^\n]*\nevent: notice/, 'a notice has no id field');
      // The parser stamps the last id on id-less events: the hello of a resumed stream repeats it.
      const again = await open(server.feedUrl, { headers: { 'Last-Event-ID': '1' } });
      await again.waitForEvents(2);
      assert.equal(notices(again)[0].n, 0);
      assert.notEqual(notices(again)[0].stream, hello.stream);
      assert.equal(again.events[0].lastEventId, '');
      assert.equal(server.counters.noticesSent, 3);
    });
  });

  test('a notice never lands inside a dripping event', async () => {
    await withServer({}, async (server, open) => {
      const s = await open(server.feedUrl);
      server.fault('drip', { ms: 400, byteMs: 2 });
      server.publish('intel', { text: 'dripped slowly' });
      await sleep(30);
      assert.equal(server.fault('notice').streams, 0, 'skipped while an event is half written');
      await s.waitForEvents(1, 3000);
      await sleep(50);
      assert.equal(server.fault('notice').streams, 1);
      await s.waitForEvents(2);
      assert.deepEqual(s.events.map((e) => e.event), ['intel', 'notice']);
    });
  });

  test('id-only repeats the last id sent on each stream; retry writes a retry: line', async () => {
    await withServer({}, async (server, open) => {
      for (let i = 0; i < 3; i++) server.publish('poll', { i });
      const s = await open(server.feedUrl, { headers: { 'Last-Event-ID': '1' } });
      await s.waitForEvents(2);
      assert.equal(server.fault('id-only').streams, 1);
      assert.deepEqual(server.fault('retry', { ms: 750 }), { ms: 750, streams: 1 });
      await s.waitFor((x) => x.retry === 750);
      assert.match(s.raw, /data: \{"i":2,"ts":\d+\}\n\nid: 3\n\nretry: 750\n\n$/);
      assert.equal(s.events.length, 2, 'neither block dispatches an event');
      assert.equal(server.counters.idOnlySent, 1);
      assert.equal(server.counters.retrySent, 1);
      assert.equal(server.fault('retry', { ms: 'soon' }).ms, 1000, 'a bad value takes the default');
      // skip: the stream moves past logged events it is not to get, and says so with the id.
      for (let i = 3; i < 6; i++) server.publish('poll', { i });
      await s.waitForEvents(5);
      server.fault('id-only', { skip: 2 });
      for (let i = 6; i < 9; i++) server.publish('poll', { i });
      await s.waitForEvents(6);
      assert.match(s.raw, /\n\nid: 7\n\nid: 8\n\nid: 9\nevent: poll\ndata: \{"i":8,/);
      assert.deepEqual(ids(s), [2, 3, 4, 5, 6, 9]);
      assert.equal(s.lastEventId, '9');
    });
  });

  test('overlap re-sends events before the Last-Event-ID, only on a resume of the same URL', async () => {
    await withServer({}, async (server, open) => {
      for (let i = 0; i < 8; i++) server.publish('poll', { i });
      assert.deepEqual(server.fault('overlap', { count: 2, events: 3 }), { count: 2, events: 3 });
      // The first stream of a URL is not a resume: no overlap, the fault stays armed.
      const first = await open(`${server.feedUrl}?r=1`, { headers: { 'Last-Event-ID': '5' } });
      await first.waitForEvents(3);
      assert.deepEqual(ids(first), [6, 7, 8]);
      assert.equal(lastEntry(server).overlap, 0);
      // The same URL with the id in the query (as EventSource resumes): a resume.
      const resumed = await open(`${server.feedUrl}?lastEventId=6&r=1`);
      await resumed.waitForEvents(5);
      assert.deepEqual(ids(resumed), [4, 5, 6, 7, 8]);
      assert.equal(lastEntry(server).overlap, 3);
      const near = await open(`${server.feedUrl}?r=1`, { headers: { 'Last-Event-ID': '1' } });
      await near.waitForEvents(8);
      assert.deepEqual(ids(near), [1, 2, 3, 4, 5, 6, 7, 8], 'never before the first id');
      const after = await open(`${server.feedUrl}?r=1`, { headers: { 'Last-Event-ID': '7' } });
      await after.waitForEvents(1);
      assert.deepEqual(ids(after), [8], 'count consumed');
      assert.equal(server.counters.overlaps, 2);
      assert.deepEqual(server.faults.describe(), []);
    });
  });

  test('restart listens with a new http.Server on the same port; a log outlives its server', async () => {
    await withServer({}, async (server, open) => {
      for (let i = 0; i < 3; i++) server.publish('poll', { i });
      const before = server.http;
      const port = server.port;
      await server.restart({ downMs: 50 });
      assert.notEqual(server.http, before);
      assert.equal(before.listening, false);
      assert.equal(server.port, port);
      const s = await open(server.feedUrl, { headers: { 'Last-Event-ID': '2' } });
      await s.waitForEvents(1);
      assert.deepEqual(ids(s), [3]);
      await s.close();
      const log = server.log;
      await server.close();
      const next = await startSSEServer({ ...QUIET, port, log });
      try {
        next.publish('poll', { i: 3 });
        const again = await open(next.feedUrl, { headers: { 'Last-Event-ID': '2' } });
        await again.waitForEvents(2);
        assert.deepEqual(ids(again), [3, 4]);
      } finally {
        await next.close();
      }
    });
  });
});
