// router.stream() on the Wasm build in Node against real loopback HTTP servers that stream
// (demo/server/ai-stream.js): failover before commit, Retry-After, the first-token deadline,
// the after-commit policies, completion only on the end marker, a real abort, the adapters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { init, createRouter } from '../../js/index.js';
import { runInNewContext } from 'node:vm';
import { StreamAnswer, fullAnswer } from '../../demo/server/ai-stream.js';
import { adapterFor } from '../../js/stream-adapters.js';

const FULL = fullAnswer(60);

/** A streaming service on 127.0.0.1: POST /v1/stream answers with `answer` (a StreamAnswer). */
async function service(name, format = 'openai') {
  const svc = { name };
  const answer = new StreamAnswer(svc, { format, tokens: 60, tokenMs: 2 });
  const http = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      let body = {};
      try { body = data ? JSON.parse(data) : {}; } catch { /* not JSON */ }
      svc.lastBody = body;
      svc.lastHeaders = req.headers;
      answer.serve(req, res, body);
    });
  });
  const sockets = new Set();
  http.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  svc.url = `http://127.0.0.1:${http.address().port}`;
  svc.answer = answer;
  svc.close = () => { for (const s of sockets) s.destroy(); return new Promise((r) => http.close(r)); };
  return svc;
}

async function setup(formats = ['openai', 'openai'], extra = {}, svcExtra = []) {
  await init({ router: true });
  const names = ['primary', 'fallback', 'third'].slice(0, formats.length);
  const svcs = await Promise.all(names.map((n, i) => service(n, formats[i])));
  const router = createRouter({
    services: svcs.map((s, i) => ({ name: s.name, baseUrl: s.url, capabilities: ['chat'], priority: i + 1, healthPath: '', format: formats[i], ...(svcExtra[i] || {}) })),
    probeIntervalMs: 0, seed: 1, ...extra,
  });
  const done = async () => { router.close(); await Promise.all(svcs.map((s) => s.close())); };
  return { router, svcs, done };
}

const req = (o = {}) => ({ path: '/v1/stream', body: { prompt: 'hi' }, ttftMs: 500, idleMs: 400, ...o });

test('a healthy stream: events in order, complete on the end marker, result accounts for it', async () => {
  const { router, done } = await setup();
  try {
    const s = router.stream('chat', req());
    let text = '';
    for await (const e of s) {
      assert.equal(e.type, 'text');
      assert.equal(e.service, 'primary');
      text += e.data;
    }
    assert.equal(text, FULL);
    const r = await s.result;
    assert.equal(r.service, 'primary');
    assert.equal(r.complete, true);
    assert.equal(r.finishReason, 'stop');
    assert.equal(r.attempts, 1);
    assert.equal(r.degraded, false);
    assert.equal(r.text, FULL);
    assert.ok(r.ttftMs !== null && r.ttftMs < 500);
  } finally {
    await done();
  }
});

test('a Uint8Array body from another realm is sent as its bytes, not as JSON of its indices', async () => {
  const { router, svcs, done } = await setup();
  try {
    const foreign = runInNewContext('new Uint8Array([123, 34, 112, 34, 58, 49, 125])'); // {"p":1}
    assert.equal(foreign instanceof Uint8Array, false, 'the test makes a foreign Uint8Array');
    const r = await router.stream('chat', req({ body: foreign })).result;
    assert.equal(r.complete, true);
    assert.deepEqual(svcs[0].lastBody, { p: 1 });
  } finally {
    await done();
  }
});

test('5xx before commit fails over; the switch is reported; the fallback answers', async () => {
  const { router, svcs, done } = await setup();
  try {
    svcs[0].answer.setFault({ kind: 'status', status: 500, times: 1 });
    const switches = [];
    const s = router.stream('chat', req({ onSwitch: (n) => switches.push(n) }));
    const types = [];
    for await (const e of s) types.push(e.type);
    const r = await s.result;
    assert.equal(r.service, 'fallback');
    assert.equal(r.attempts, 2);
    assert.equal(r.degraded, true);
    assert.equal(r.text, FULL);
    assert.equal(types[0], 'switch');
    assert.deepEqual(switches.map((n) => [n.from, n.to, n.mode]), [['primary', 'fallback', 'failover']]);
    assert.match(switches[0].reason, /HTTP 500/);
    assert.equal(r.log[0].status, 500);
  } finally {
    await done();
  }
});

test("a stream's outcome reaches the health store's subscribers (useServiceHealth, a shared router's hub)", async () => {
  const { router, svcs, done } = await setup();
  try {
    svcs[0].answer.setFault({ kind: 'status', status: 503 });
    const before = router.getSnapshot();
    let told = 0;
    router.subscribe(() => { told++; });
    await router.stream('chat', req()).result;
    await new Promise((r) => setTimeout(r, 20));
    const after = router.getSnapshot();
    assert.notEqual(after, before, 'a new snapshot');
    assert.equal(after[0].failures, 1);
    assert.equal(after[0].lastError, 'HTTP 503');
    assert.ok(told >= 1, 'the store subscribers were told');
  } finally {
    await done();
  }
});

test('429 with Retry-After: fails over and keeps the service off until then', async () => {
  const { router, svcs, done } = await setup();
  try {
    svcs[0].answer.setFault({ kind: 'status', status: 429, retryAfter: 2 });
    const r1 = await router.stream('chat', req()).result;
    assert.equal(r1.service, 'fallback');
    assert.equal(svcs[0].answer.counters.requests, 1);
    svcs[0].answer.setFault({ kind: 'none' });
    const r2 = await router.stream('chat', req()).result; // within the 2 s: not tried
    assert.equal(r2.service, 'fallback');
    assert.equal(r2.attempts, 1);
    assert.equal(svcs[0].answer.counters.requests, 1);
    await new Promise((r) => setTimeout(r, 2100));
    const r3 = await router.stream('chat', req()).result;
    assert.equal(r3.service, 'primary');
  } finally {
    await done();
  }
});

test('no first token within ttftMs (keep-alives do not count): fails over within the deadline', async () => {
  const { router, svcs, done } = await setup();
  try {
    svcs[0].answer.setFault({ kind: 'slow-first', delayMs: 5000 });
    const t0 = performance.now();
    const r = await router.stream('chat', req({ ttftMs: 600 })).result;
    const ms = performance.now() - t0;
    assert.equal(r.service, 'fallback');
    assert.equal(r.log[0].why, 'first-token');
    assert.ok(ms >= 600 && ms < 2000, `took ${ms} ms`);
  } finally {
    await done();
  }
});

test("cut after commit with afterCommit 'fail': rejects with the partial text", async () => {
  const { router, svcs, done } = await setup();
  try {
    svcs[0].answer.setFault({ kind: 'cut', at: 40 });
    const s = router.stream('chat', req({ afterCommit: 'fail' }));
    await assert.rejects(s.result, (e) => {
      assert.equal(e.reason, 'broken');
      assert.equal(e.partial, fullAnswer(40));
      assert.equal(e.service, 'primary');
      assert.equal(e.result.complete, false);
      assert.match(e.message, /broke off/);
      return true;
    });
    assert.equal(svcs[1].answer.counters.requests, 0);
  } finally {
    await done();
  }
});

test("a stall after commit with 'restart': the UI is told, the fallback answers from the start", async () => {
  const { router, svcs, done } = await setup();
  try {
    svcs[0].answer.setFault({ kind: 'stall', at: 20, ms: 30000 });
    const s = router.stream('chat', req({ afterCommit: 'restart', idleMs: 300 }));
    let text = '';
    const types = [];
    for await (const e of s) {
      types.push(e.type);
      if (e.type === 'restart') text = '';
      if (e.type === 'text') text += e.data;
    }
    const r = await s.result;
    assert.ok(types.includes('restart'));
    assert.equal(text, FULL);
    assert.equal(r.restarted, true);
    assert.equal(r.service, 'fallback');
    assert.equal(r.log[0].why, 'idle');
  } finally {
    await done();
  }
});

test("cut with 'continue': the fallback gets the partial answer; one that refuses it is skipped", async () => {
  const { router, svcs, done } = await setup(['openai', 'openai', 'openai']);
  try {
    svcs[0].answer.setFault({ kind: 'cut', at: 40 });
    svcs[1].answer.setFault({ kind: 'reject-partial' });
    const s = router.stream('chat', req({ afterCommit: 'continue' }));
    let text = '';
    for await (const e of s) if (e.type === 'text') text += e.data;
    const r = await s.result;
    assert.equal(text, FULL);
    assert.equal(r.continued, true);
    assert.equal(r.service, 'third');
    assert.equal(svcs[1].lastBody.partial, fullAnswer(40));
    assert.equal(svcs[2].lastBody.partial, fullAnswer(40));
    assert.deepEqual(r.log.map((l) => l.outcome), ['broken', 'refused', 'complete']);
  } finally {
    await done();
  }
});

test('no end marker is not a success; a malformed chunk before commit fails over', async () => {
  const { router, svcs, done } = await setup(['openai']);
  try {
    svcs[0].answer.setFault({ kind: 'no-end', times: 1 });
    await assert.rejects(router.stream('chat', req()).result, (e) => e.reason === 'broken' && e.partial === FULL);
  } finally {
    await done();
  }
  const b = await setup();
  try {
    b.svcs[0].answer.setFault({ kind: 'malformed', at: 0 });
    const r = await b.router.stream('chat', req()).result;
    assert.equal(r.service, 'fallback');
    assert.equal(r.log[0].why, 'malformed');
  } finally {
    await b.done();
  }
});

test('context length (400) and a content filter are final errors, not failovers', async () => {
  const { router, svcs, done } = await setup();
  try {
    svcs[0].answer.setFault({ kind: 'context-length' });
    await assert.rejects(router.stream('chat', req()).result, (e) => e.reason === 'refused' && /context length/.test(e.message) && e.status === 400);
    svcs[0].answer.setFault({ kind: 'filter', at: 5 });
    await assert.rejects(router.stream('chat', req()).result, (e) => e.reason === 'content-filter' && e.partial === fullAnswer(5));
    assert.equal(svcs[1].answer.counters.requests, 0);
  } finally {
    await done();
  }
});

test('abort closes the socket: the server sees the close, result rejects with the reason', async () => {
  const { router, svcs, done } = await setup();
  let thrown = null;
  try {
    svcs[0].answer.tokenMs = 50;
    const ctrl = new AbortController();
    const s = router.stream('chat', req({ signal: ctrl.signal, idleMs: 2000 }));
    for await (const e of s) {
      if (e.type === 'text' && e.data === 'w2 ') ctrl.abort(new Error('user left'));
    }
  } catch (e) {
    thrown = e;
  }
  try {
    assert.equal(thrown?.message, 'user left');
    const until = performance.now() + 2000;
    while (svcs[0].answer.counters.closedEarly < 1 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.equal(svcs[0].answer.counters.closedEarly, 1);
    const h = router.getHealth()[0];
    assert.equal(h.failures, 0); // an abort is not the service's failure
  } finally {
    await done();
  }
});

test('Gemini and plain SSE formats; an in-band error under 200 fails over', async () => {
  const { router, svcs, done } = await setup(['gemini', 'sse']);
  try {
    let r = await router.stream('chat', req()).result;
    assert.equal(r.text, FULL);
    assert.equal(r.finishReason, 'STOP');
    svcs[0].answer.setFault({ kind: 'in-band', at: 0 });
    r = await router.stream('chat', req()).result;
    assert.equal(r.service, 'fallback');
    assert.equal(r.text, FULL);
    assert.equal(r.log[0].why, 'in-band-error');
  } finally {
    await done();
  }
});

test('the custom adapter and the built-in adapters classify chunks', () => {
  const custom = adapterFor({ text: (d) => JSON.parse(d).t, isEnd: (d) => JSON.parse(d).end, error: (d) => JSON.parse(d).err });
  assert.deepEqual(custom.classify({ data: '{"t":"hi"}' }).map((p) => p.kind), [1]);
  assert.deepEqual(custom.classify({ data: '{"end":"stop"}' }).map((p) => [p.kind, p.finishReason]), [[2, 'stop']]);
  assert.deepEqual(custom.classify({ data: '{"err":"boom"}' }).map((p) => [p.kind, p.message]), [[4, 'boom']]);
  assert.deepEqual(custom.classify({ data: 'not json' }).map((p) => p.kind), [3]);
  const oa = adapterFor('openai');
  assert.deepEqual(oa.classify({ data: '{"choices":[{"delta":{"role":"assistant"}}]}' }).map((p) => p.kind), [0]);
  assert.deepEqual(oa.classify({ data: '{"choices":[{"delta":{"content":"x"},"finish_reason":"stop"}]}' }).map((p) => p.kind), [1, 2]);
  assert.deepEqual(oa.classify({ data: '{"error":{"message":"overloaded"}}' }).map((p) => p.kind), [4]);
  assert.deepEqual(adapterFor('gemini').classify({ data: '{"candidates":[{"finishReason":"SAFETY"}]}' }).map((p) => p.kind), [5]);
  assert.throws(() => adapterFor('nope'), TypeError);
});

test('options are checked at once', async () => {
  const { router, done } = await setup(['openai']);
  try {
    assert.throws(() => router.stream('chat', { ttftMs: -1 }), /ttftMs/);
    assert.throws(() => router.stream('chat', { afterCommit: 'maybe' }), /afterCommit/);
    assert.throws(() => router.stream('chat', { nope: 1 }), /nope/);
  } finally {
    await done();
  }
});

test('a resumable service (plain SSE with ids) is resumed with Last-Event-ID after a cut, before any policy', async () => {
  const { router, svcs, done } = await setup(['sse', 'sse'], {}, [{ resumable: true }]);
  try {
    svcs[0].answer.setFault({ kind: 'cut', at: 40, times: 1 });
    const s = router.stream('chat', req({ afterCommit: 'fail' }));
    const types = [];
    let text = '';
    for await (const e of s) {
      types.push(e.type);
      if (e.type === 'text') text += e.data;
    }
    const r = await s.result;
    assert.equal(text, FULL);
    assert.equal(r.service, 'primary');
    assert.equal(r.resumed, true);
    assert.ok(types.includes('resume'));
    assert.equal(svcs[0].lastHeaders['last-event-id'], '39');
    assert.equal(svcs[1].answer.counters.requests, 0);
  } finally {
    await done();
  }
});
