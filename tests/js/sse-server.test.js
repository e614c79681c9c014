// The reference SSE server over real loopback HTTP: feed, replay, heartbeats, analysis, faults.
import { test, describe, after } from 'node:test';
import { connect } from 'node:net';
import assert from 'node:assert/strict';
import { startSSEServer } from '../../demo/server/sse-server.js';
import { openSSE } from '../../demo/server/test-client.js';
import { serverRunner } from './server-helpers.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const QUIET = { intervalMs: 0, heartbeatMs: 60000 };
const T = { timeout: 20000 }; // per test: a server bug must fail a test, not hang the run
const withServer = serverRunner(QUIET);

const post = (url, body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
const status = async (server) => (await fetch(`${server.url}/__status`)).json();
const ids = (s) => s.events.filter((e) => e.id !== '').map((e) => Number(e.id));

describe('feed', T, () => {
  test('SSE headers, CORS, generated events with monotonic integer ids and a ts', async () => {
    await withServer({ intervalMs: 20 }, async (server, open) => {
      const s = await open(server.feedUrl);
      assert.equal(s.status, 200);
      assert.equal(s.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.equal(s.headers.get('cache-control'), 'no-cache');
      assert.equal(s.headers.get('x-accel-buffering'), 'no');
      assert.equal(s.headers.get('access-control-allow-origin'), '*');
      await s.waitForEvents(6);
      const got = ids(s);
      for (let i = 1; i < got.length; i++) assert.equal(got[i], got[i - 1] + 1);
      for (const e of s.events) {
        assert.ok(['poll', 'sentiment', 'intel', 'alert'].includes(e.event), e.event);
        const data = JSON.parse(e.data);
        assert.equal(typeof data.ts, 'number');
        assert.ok(Math.abs(Date.now() - data.ts) < 5000);
      }
    });
  });

  test('publish API: single, batch, string data with newlines; the client gets exactly that', async () => {
    await withServer({}, async (server, open) => {
      const s = await open(server.feedUrl);
      const one = await (await post(server.publishUrl, { event: 'alert', data: { text: 'flood warning', ts: 42 } })).json();
      assert.equal(one.id, 1);
      const batch = await (await post(server.publishUrl, { events: [{ type: 'poll', data: { share: 31 } }, { event: 'intel', data: 'line one\nline two' }] })).json();
      assert.deepEqual(batch.events.map((e) => e.id), [2, 3]);
      const rec = server.publish('intel', { text: 'in-process' });
      assert.equal(rec.id, 4);
      await s.waitForEvents(4);
      assert.deepEqual(s.events.map((e) => [e.id, e.event]), [['1', 'alert'], ['2', 'poll'], ['3', 'intel'], ['4', 'intel']]);
      assert.deepEqual(JSON.parse(s.events[0].data), { text: 'flood warning', ts: 42 });
      assert.equal(typeof JSON.parse(s.events[1].data).ts, 'number');
      assert.equal(s.events[2].data, 'line one\nline two');
      assert.match(s.raw, /data: line one\ndata: line two\n\n/);
    });
  });

  test('a publish body over the size cap is answered 413, not reset, and publishes nothing', async () => {
    await withServer({}, async (server) => {
      const big = { events: Array.from({ length: 2000 }, (_, i) => ({ type: 'poll', data: 'x'.repeat(64) + i })) };
      const r = await post(server.publishUrl, big);
      assert.equal(r.status, 413);
      assert.match((await r.json()).error, /too large/);
      const ok = await (await post(server.publishUrl, { event: 'alert', data: 'after' })).json();
      assert.equal(ok.id, 1);
    });
  });

  test('replay from Last-Event-ID header and from the query parameter, recorded in /__status', async () => {
    await withServer({}, async (server, open) => {
      for (let i = 0; i < 5; i++) server.publish('poll', { i });
      const a = await open(server.feedUrl, { headers: { 'Last-Event-ID': '2' } });
      await a.waitForEvents(3);
      assert.deepEqual(ids(a), [3, 4, 5]);
      const b = await open(`${server.feedUrl}?lastEventId=3`);
      await b.waitForEvents(2);
      assert.deepEqual(ids(b), [4, 5]);
      const c = await open(server.feedUrl);
      server.publish('poll', { i: 5 });
      await c.waitForEvents(1);
      assert.deepEqual(ids(c), [6]);
      const st = await status(server);
      assert.deepEqual(st.connects.map((x) => [x.lastEventId, x.via, x.status]), [[2, 'header', 200], [3, 'query', 200], [null, null, 200]]);
      assert.equal(st.connectsTotal, 3);
    });
  });

  test('query parameter name is configurable; the header wins over the query', async () => {
    await withServer({ lastEventIdParam: 'since' }, async (server, open) => {
      for (let i = 0; i < 4; i++) server.publish('poll', { i });
      const a = await open(`${server.feedUrl}?since=2`);
      await a.waitForEvents(2);
      assert.deepEqual(ids(a), [3, 4]);
      const b = await open(`${server.feedUrl}?since=1`, { headers: { 'last-event-id': '3' } });
      await b.waitForEvents(1);
      assert.deepEqual(ids(b), [4]);
    });
  });

  test('bounded log: resuming from an id older than the log gets reset (trimmed), then live events', async () => {
    await withServer({ logSize: 5 }, async (server, open) => {
      for (let i = 0; i < 12; i++) server.publish('poll', { i });
      const st = await status(server);
      assert.equal(st.logSize, 5);
      assert.equal(st.oldestId, 8);
      const s = await open(server.feedUrl, { headers: { 'Last-Event-ID': '2' } });
      await s.waitForEvents(1);
      assert.equal(s.events[0].event, 'reset');
      assert.deepEqual(JSON.parse(s.events[0].data), { lastEventId: '2', reason: 'trimmed', lastId: '12' });
      assert.equal(s.events[0].id, '12', 'the reset moves the client to where it goes on');
      server.publish('poll', { i: 12 });
      await s.waitForEvents(2);
      assert.deepEqual(ids(s), [12, 13]);
      const inside = await open(server.feedUrl, { headers: { 'Last-Event-ID': '8' } }); // the log holds 9..13 now
      await inside.waitForEvents(5);
      assert.deepEqual(ids(inside), [9, 10, 11, 12, 13], 'the last trimmed id still resumes');
      const bad = await fetch(server.feedUrl, { headers: { 'Last-Event-ID': 'seven' } });
      assert.equal(bad.status, 400, 'an id that is not one of the log\'s');
    });
  });

  test('an id the server never issued gets a reset event and then live events', async () => {
    await withServer({}, async (server, open) => {
      server.publish('poll', {});
      const s = await open(server.feedUrl, { headers: { 'Last-Event-ID': '999' } });
      await s.waitForEvents(1);
      assert.equal(s.events[0].event, 'reset');
      assert.deepEqual(JSON.parse(s.events[0].data), { lastEventId: '999', reason: 'unknown-id', lastId: '1' });
      server.publish('poll', {});
      await s.waitForEvents(2);
      assert.equal(s.events[1].id, '2');
    });
  });

  test('heartbeat comments at the configured interval, and retry: on connect', async () => {
    await withServer({ heartbeatMs: 40, retryMs: 1234 }, async (server, open) => {
      const s = await open(server.feedUrl);
      await s.waitFor((x) => x.comments.length >= 3, 1000);
      assert.ok(s.comments.every((c) => c.startsWith('heartbeat')));
      assert.equal(s.retry, 1234);
      assert.ok(s.raw.startsWith('retry: 1234\n\n'));
      assert.ok((await status(server)).heartbeatsSent >= 3);
    });
  });

  test('raw publish writes bytes verbatim to open feed streams', async () => {
    await withServer({}, async (server, open) => {
      const s = await open(server.feedUrl);
      const r = await (await post(server.publishUrl, { raw: 'data: a\r\ndata: b\r\n\r\n' })).json();
      assert.equal(r.clients, 1);
      await s.waitForEvents(1);
      assert.equal(s.events[0].data, 'a\nb');
    });
  });

  test('CORS: preflight answered, origin echoed on streams and fault answers', async () => {
    await withServer({}, async (server) => {
      const pre = await fetch(server.feedUrl, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id, authorization' },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'http://127.0.0.1:5173');
      const allow = pre.headers.get('access-control-allow-headers');
      for (const h of ['Last-Event-ID', 'Authorization', 'Content-Type']) assert.ok(allow.includes(h), allow);
      assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
      server.fault('503', {});
      const r = await fetch(server.feedUrl, { headers: { origin: 'http://localhost:9999' } });
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('access-control-allow-origin'), 'http://localhost:9999');
      assert.match(r.headers.get('access-control-expose-headers'), /Retry-After/);
      await r.body.cancel();
    });
  });

  test('authToken option: 401 without the bearer token, stream with it', async () => {
    await withServer({ authToken: 's3cret' }, async (server, open) => {
      const r = await fetch(server.feedUrl);
      assert.equal(r.status, 401);
      await r.body.cancel();
      const s = await open(server.feedUrl, { headers: { authorization: 'Bearer s3cret' } });
      assert.equal(s.status, 200);
    });
  });
});

describe('analysis stream', T, () => {
  const STAGES = ['Initializing Analysis', 'Gathering Intelligence', 'Processing Data', 'Analyzing Patterns', 'Generating Insights', 'Finalizing Report'];

  test('GET runs the 6-stage protocol with ids, sections, complete, then ends', async () => {
    await withServer({ analysisStepMs: 10 }, async (server, open) => {
      const s = await open(`${server.analysisUrl}?ward=Old%20Town`);
      assert.equal(s.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      await s.done;
      assert.equal(s.ended, true);
      const names = s.events.map((e) => e.event);
      assert.equal(names[0], 'analysis:start');
      assert.equal(names.at(-1), 'analysis:complete');
      const progress = s.events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data));
      assert.deepEqual(progress.map((p) => p.stage), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(progress.map((p) => p.name), STAGES);
      assert.ok(progress.every((p) => p.total === 6 && typeof p.message === 'string'));
      const sections = s.events.filter((e) => e.event === 'analysis:section').map((e) => JSON.parse(e.data));
      assert.equal(sections.length, 4);
      assert.ok(sections.every((x) => x.title && x.content.includes('Old Town')));
      const got = ids(s);
      for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1]);
      assert.equal(JSON.parse(s.events[0].data).ward, 'Old Town');
    });
  });

  test('POST with a JSON body works too; stepMs sets the pace of one run', async () => {
    await withServer({ analysisStepMs: 200 }, async (server, open) => {
      const s = await open(`${server.analysisUrl}?stepMs=5`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ward: 'Kingsmead' }) });
      await s.done;
      const fast = await open(`${server.analysisUrl}?stepMs=1`);
      await fast.done;
      assert.equal(fast.events.at(-1).event, 'analysis:complete');
      assert.ok(JSON.parse(fast.events.at(-1).data).durationMs < 1000);
      assert.equal(JSON.parse(s.events[0].data).ward, 'Kingsmead');
      assert.equal(s.events.at(-1).event, 'analysis:complete');
    });
  });

  test('Last-Event-ID resumes the same run without duplicates; a finished run answers 204', async () => {
    await withServer({ analysisStepMs: 30 }, async (server, open) => {
      const first = await open(`${server.analysisUrl}?ward=Elm%20Hill`);
      await first.waitForEvents(3);
      await first.close();
      const lastId = first.events[2].id;
      const second = await open(`${server.analysisUrl}?ward=Elm%20Hill`, { headers: { 'Last-Event-ID': lastId } });
      await second.done;
      const all = [...first.events.slice(0, 3), ...second.events];
      assert.equal(all.filter((e) => e.event === 'analysis:start').length, 1);
      assert.deepEqual(all.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data).stage), [1, 2, 3, 4, 5, 6]);
      assert.equal(Number(second.events[0].id), Number(lastId) + 1);
      assert.equal(all.at(-1).event, 'analysis:complete');
      const again = await fetch(`${server.analysisUrl}?lastEventId=${all.at(-1).id}`);
      assert.equal(again.status, 204);
    });
  });

  test('analysis-error fault ends the next run with analysis:error at the given stage', async () => {
    await withServer({ analysisStepMs: 5 }, async (server, open) => {
      await post(`${server.url}/__fault/analysis-error`, { atStage: 2, message: 'model quota exceeded' });
      const s = await open(server.analysisUrl);
      await s.done;
      const last = s.events.at(-1);
      assert.equal(last.event, 'analysis:error');
      assert.equal(JSON.parse(last.data).stage, 2);
      assert.equal(JSON.parse(last.data).message, 'model quota exceeded');
      // The failing stage starts before it fails: a progress bar shows stage 2 failed, not stage 1.
      assert.deepEqual(s.events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data).stage), [1, 2]);
      const ok = await open(server.analysisUrl);
      await ok.done;
      assert.equal(ok.events.at(-1).event, 'analysis:complete');
    });
  });
});

describe('faults', T, () => {
  test('status answers for the next K connects: 500, 503+Retry-After, 204, 401, 404, html', async () => {
    await withServer({}, async (server) => {
      await post(`${server.url}/__fault/500`, { count: 2 });
      await post(`${server.url}/__fault/503`, { retryAfter: 7 });
      await post(`${server.url}/__fault/status`, { status: 204 });
      await post(`${server.url}/__fault/401`);
      await post(`${server.url}/__fault/404`);
      await post(`${server.url}/__fault/html`);
      const seen = [];
      for (let i = 0; i < 8; i++) {
        const r = await fetch(server.feedUrl);
        seen.push([r.status, r.headers.get('content-type')?.split(';')[0] ?? null, r.headers.get('retry-after')]);
        await r.body?.cancel();
      }
      assert.deepEqual(seen, [
        [500, 'application/json', null], [500, 'application/json', null], [503, 'application/json', '7'],
        [204, null, null], [401, 'application/json', null], [404, 'application/json', null],
        [200, 'text/html', null], [200, 'text/event-stream', null],
      ]);
      const st = await status(server);
      assert.deepEqual(st.connects.map((c) => c.status), [500, 500, 503, 204, 401, 404, 200, 200]);
      assert.equal(st.faultAnswers, 7);
      assert.deepEqual(st.faultsActive, []);
    });
  });

  test('a status window answers every connect during `ms`, then none', async () => {
    await withServer({}, async (server) => {
      const r = await (await post(`${server.url}/__fault/500`, { ms: 400 })).json();
      assert.ok(r.ms > 300 && r.ms <= 400, `window ${r.ms} ms`);
      const codes = async () => {
        const res = await fetch(server.feedUrl);
        await res.body?.cancel();
        return res.status;
      };
      assert.deepEqual([await codes(), await codes(), await codes()], [500, 500, 500]);
      assert.equal((await status(server)).faultsActive[0].name, '500');
      await new Promise((res) => setTimeout(res, 450));
      assert.equal(await codes(), 200);
      assert.deepEqual((await status(server)).faultsActive, []);
    });
  });

  test('target limits a fault to one endpoint', async () => {
    await withServer({ analysisStepMs: 5 }, async (server) => {
      server.fault('500', { target: 'analysis' });
      const feed = await fetch(server.feedUrl);
      assert.equal(feed.status, 200);
      await feed.body.cancel();
      const an = await fetch(server.analysisUrl);
      assert.equal(an.status, 500);
      await an.body.cancel();
    });
  });

  test('drop destroys every open stream', async () => {
    await withServer({}, async (server, open) => {
      const a = await open(server.feedUrl);
      const b = await open(server.feedUrl);
      const r = await (await post(`${server.url}/__fault/drop`)).json();
      assert.equal(r.dropped, 2);
      await Promise.all([a.done, b.done]);
      assert.ok(a.error && b.error, 'streams end with an error, not a clean end');
      const st = await status(server);
      assert.equal(st.connectionsOpen, 0);
      assert.equal(st.dropped, 2);
    });
  });

  test('stall sends nothing (no events, no heartbeats, no headers for new connects) until it ends', async () => {
    await withServer({ heartbeatMs: 30 }, async (server, open) => {
      const s = await open(server.feedUrl);
      server.publish('poll', { n: 1 });
      await s.waitForEvents(1);
      await post(`${server.url}/__fault/stall`, { ms: 400 });
      const before = s.chunks.length;
      server.publish('poll', { n: 2 });
      server.publish('poll', { n: 3 });
      let headersAt = 0;
      const held = fetch(server.feedUrl).then((r) => { headersAt = Date.now(); return r; });
      await sleep(250);
      assert.equal(s.chunks.length, before, 'no byte during the stall');
      assert.equal(headersAt, 0, 'a new connect gets no headers during the stall');
      const st = await status(server);
      assert.equal(st.connectionsHeld, 1);
      assert.equal(st.faultsActive[0].name, 'stall');
      await s.waitForEvents(3, 1000);
      assert.deepEqual(ids(s), [1, 2, 3]);
      const r = await held;
      assert.equal(r.status, 200);
      await r.body.cancel();
    });
  });

  test('stall with a long ms lasts until cleared; headers:true sends headers to new connects', async () => {
    await withServer({}, async (server, open) => {
      server.fault('stall', { ms: 60000, headers: true });
      const s = await open(server.feedUrl);
      assert.equal(s.status, 200);
      server.publish('poll', {});
      await sleep(100);
      assert.equal(s.events.length, 0);
      const r = await fetch(`${server.url}/__fault/stall`, { method: 'DELETE' });
      assert.equal(r.status, 200);
      await s.waitForEvents(1);
    });
  });

  test('truncate sends half an event then drops; the full event is replayed on resume', async () => {
    await withServer({}, async (server, open) => {
      const s = await open(server.feedUrl);
      server.publish('poll', { n: 1 });
      await s.waitForEvents(1);
      await post(`${server.url}/__fault/truncate`);
      server.publish('intel', { text: 'a fairly long opposition move to cut in half' });
      await s.done;
      assert.ok(s.error, 'the socket is destroyed');
      assert.equal(s.events.length, 1, 'the half event is not dispatched');
      assert.match(s.raw, /id: 2\nevent: intel\ndata: \{"text":"a fairly/);
      const again = await open(server.feedUrl, { headers: { 'Last-Event-ID': s.lastEventId } });
      await again.waitForEvents(1);
      assert.equal(JSON.parse(again.events[0].data).text, 'a fairly long opposition move to cut in half');
      assert.equal((await status(server)).truncated, 1);
    });
  });

  test('drip sends events byte by byte; multi-byte characters survive', async () => {
    await withServer({}, async (server, open) => {
      const s = await open(server.feedUrl);
      server.fault('drip', { ms: 5000, byteMs: 4 });
      const rec = server.publish('intel', { text: 'Café in Saint-Étienne' });
      await s.waitForEvents(1, 3000);
      const bytes = Buffer.byteLength(`id: ${rec.id}\nevent: intel\ndata: ${JSON.stringify(rec.data)}\n\n`);
      // Reads may merge bytes when this process is busy; most must still arrive alone.
      assert.ok(s.chunks.length >= bytes * 0.5, `${s.chunks.length} chunks for ${bytes} bytes`);
      assert.ok(s.chunks.filter((n) => n === 1).length >= bytes * 0.4);
      assert.equal(s.chunks.reduce((a, b) => a + b, 0), bytes);
      assert.equal(JSON.parse(s.events[0].data).text, 'Café in Saint-Étienne');
      server.fault('clear');
      server.publish('poll', { after: true });
      await s.waitForEvents(2);
    });
  });

  test('close-after-event: K connections get one event and a clean end, then normal', async () => {
    await withServer({}, async (server, open) => {
      server.publish('poll', { n: 1 });
      server.publish('poll', { n: 2 });
      await post(`${server.url}/__fault/close-after-event`, { count: 2 });
      const a = await open(server.feedUrl, { headers: { 'Last-Event-ID': '0' } });
      await a.done;
      assert.equal(a.ended, true);
      assert.deepEqual(ids(a), [1]);
      const b = await open(server.feedUrl, { headers: { 'Last-Event-ID': a.lastEventId } });
      await b.done;
      assert.deepEqual(ids(b), [2]);
      const c = await open(server.feedUrl);
      server.publish('poll', { n: 3 });
      server.publish('poll', { n: 4 });
      await c.waitForEvents(2);
      assert.equal(c.ended, false);
    });
  });

  test('close-after-event with publish:true answers each connect with a fresh event at once', async () => {
    await withServer({}, async (server, open) => {
      server.fault('close-after-event', { ms: 2000, publish: true });
      for (let i = 1; i <= 3; i++) {
        const s = await open(server.feedUrl);
        await s.done;
        assert.deepEqual(ids(s), [i]);
      }
      assert.equal((await status(server)).connectsTotal, 3);
    });
  });

  test('restart closes everything, refuses connects while down, returns on the same port with the log', async () => {
    await withServer({}, async (server, open) => {
      const port = server.port;
      for (let i = 0; i < 3; i++) server.publish('poll', { i });
      const s = await open(server.feedUrl);
      const r = await post(`${server.url}/__fault/restart`, { downMs: 300 });
      assert.equal(r.status, 202);
      await s.done;
      assert.ok(s.error);
      await sleep(100);
      await assert.rejects(fetch(server.feedUrl), (err) => err.cause?.code === 'ECONNREFUSED');
      await sleep(400);
      assert.equal(server.port, port);
      const again = await open(server.feedUrl, { headers: { 'Last-Event-ID': '1' } });
      await again.waitForEvents(2);
      assert.deepEqual(ids(again), [2, 3]);
      const st = await status(server);
      assert.equal(st.restarts, 1);
      assert.equal(st.lastId, 3);
      await server.restart({ downMs: 10 });
      assert.equal((await status(server)).restarts, 2);
    });
  });

  test('clear removes all faults; reset zeroes counters and history', async () => {
    await withServer({}, async (server) => {
      server.fault('500', { count: 3 });
      server.fault('stall', { ms: 5000 });
      server.fault('drip', { ms: 5000 });
      server.fault('truncate');
      server.fault('close-after-event', { count: 2 });
      server.fault('analysis-error');
      assert.equal((await status(server)).faultsActive.length, 6);
      await post(`${server.url}/__fault/clear`);
      assert.deepEqual((await status(server)).faultsActive, []);
      (await fetch(server.feedUrl)).body.cancel();
      await sleep(20);
      await post(`${server.url}/__reset`);
      const st = await status(server);
      assert.equal(st.connectsTotal, 0);
      assert.deepEqual(st.connects, []);
    });
  });

  test('unknown faults and bad options are rejected', async () => {
    await withServer({}, async (server) => {
      assert.equal((await post(`${server.url}/__fault/explode`)).status, 404);
      assert.equal((await post(`${server.url}/__fault/status`, { status: 418 })).status, 400);
      const bad = await fetch(`${server.url}/__fault/stall`, { method: 'POST', body: '{not json' });
      assert.equal(bad.status, 400);
      assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    });
  });

  test('connect history and log stay bounded', async () => {
    await withServer({ historySize: 5, logSize: 10 }, async (server) => {
      for (let i = 0; i < 8; i++) (await fetch(`${server.feedUrl}?lastEventId=${i}`)).body.cancel();
      for (let i = 0; i < 100; i++) server.publish('poll', { i });
      await sleep(20);
      const st = await status(server);
      assert.equal(st.connectsTotal, 8);
      assert.deepEqual(st.connects.map((c) => c.lastEventId), [3, 4, 5, 6, 7]);
      assert.equal(st.logSize, 10);
      assert.equal(st.lastId, 100);
    });
  });

  test('a client that stops reading costs no memory beyond the log, then gets reset', async () => {
    await withServer({ logSize: 50 }, async (server) => {
      const sock = connect(server.port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      sock.write(`GET /api/v1/strategist/feed HTTP/1.1\r\nHost: x\r\n\r\n`);
      let text = '';
      sock.once('data', (d) => { text += d; sock.pause(); });
      await sleep(50);
      const payload = 'x'.repeat(2000);
      for (let i = 0; i < 5000; i++) server.publish('poll', { payload });
      await sleep(50);
      const st = await status(server);
      assert.ok(st.bufferedBytes < 64 * 1024, `buffered ${st.bufferedBytes} bytes for a 10 MB burst`);
      assert.equal(st.logSize, 50);
      const gap = new Promise((resolve) => {
        sock.on('data', (d) => {
          text += d;
          if (/event: reset\r?\ndata: \{"lastEventId":"\d+","reason":"trimmed","lastId":"5000"\}/.test(text)) resolve();
        });
      });
      sock.resume();
      await gap;
      sock.destroy();
    });
  });
});
