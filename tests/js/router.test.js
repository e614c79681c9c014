// The router's decision logic through the JS API on the Wasm build, in Node, with an injected
// transport that plays the services (ok, 500, 400, refuse, hang, slow) in real (short) time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getEventListeners } from 'node:events';
import { runInNewContext } from 'node:vm';
import { init, createRouter, LifelineError } from '../../js/index.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Polls cond() every 10 ms; fails after timeoutMs (generous: the machine may be loaded). */
async function waitFor(cond, timeoutMs = 5000) {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`condition not met in ${timeoutMs} ms: ${cond}`);
    await sleep(10);
  }
}

function fakeServices() {
  const svc = {
    gemini: { mode: 'ok', latency: 5, calls: 0, probes: 0, aborted: 0 },
    perplexity: { mode: 'ok', latency: 5, calls: 0, probes: 0, aborted: 0 },
    llama: { mode: 'ok', latency: 5, calls: 0, probes: 0, aborted: 0 },
  };
  const transport = {
    seen: [],
    fetch({ url, method, headers, body, signal }) {
      const name = new URL(url).hostname.split('.')[0];
      const s = svc[name];
      const probe = url.endsWith('/health');
      if (probe) s.probes++;
      else {
        s.calls++;
        transport.seen.push({ name, method, headers, body });
      }
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          s.aborted++;
          reject(signal.reason ?? new Error('aborted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const mode = probe && s.probeMode ? s.probeMode : s.mode;
        if (mode === 'hang') return;
        if (mode === 'refuse') return setTimeout(() => reject(new TypeError('fetch failed')), 1);
        const status = { ok: 200, e500: 500, e400: 400, e429: 429 }[mode];
        setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve({ status, headers: { 'x-service': name }, body: JSON.stringify({ service: name, status }) });
        }, s.latency);
      });
    },
  };
  return { svc, transport };
}

function makeRouter(transport, extra = {}) {
  return createRouter({
    services: [
      { name: 'gemini', baseUrl: 'http://gemini.test', capabilities: ['analysis', 'summary'], priority: 1, headers: { 'x-key': 'g' } },
      { name: 'perplexity', baseUrl: 'http://perplexity.test/', capabilities: ['analysis', 'search'], priority: 2 },
      { name: 'llama', baseUrl: 'http://llama.test', capabilities: 'analysis', priority: 3 },
    ],
    probeIntervalMs: 0,
    coldTimeoutMs: 300,
    minAttemptTimeoutMs: 100,
    seed: 1,
    transport,
    ...extra,
  });
}

test('routes by priority and capability; answers carry service, status, headers, body', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  try {
    const res = await router.request('analysis', { path: '/v1/analyze', body: { text: 'poll' }, headers: { 'x-req': '1' } });
    assert.equal(res.service, 'gemini');
    assert.equal(res.status, 200);
    assert.equal(res.attempts, 1);
    assert.equal(res.degraded, false);
    assert.equal(res.headers['x-service'], 'gemini');
    assert.deepEqual(JSON.parse(res.body), { service: 'gemini', status: 200 });
    const sent = transport.seen[0];
    assert.equal(sent.method, 'POST');
    assert.equal(sent.headers['x-key'], 'g');
    assert.equal(sent.headers['x-req'], '1');
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.equal(sent.body, '{"text":"poll"}');
    const s = await router.request('search', { path: '/v1/analyze' });
    assert.equal(s.service, 'perplexity');
    assert.equal(s.degraded, false);
    assert.equal(svc.perplexity.calls, 1);
  } finally {
    router.close();
  }
});

test('a Uint8Array body from another realm is sent as those bytes, not as JSON', async () => {
  await init({ router: true });
  const { transport } = fakeServices();
  const router = makeRouter(transport);
  try {
    const foreign = runInNewContext('new Uint8Array([123, 125])');
    assert.equal(foreign instanceof Uint8Array, false, 'the test makes a foreign Uint8Array');
    await router.request('analysis', { path: '/v1/analyze', body: foreign });
    const sent = transport.seen[0];
    assert.equal(sent.headers['content-type'], undefined, 'no JSON content type for bytes');
    assert.deepEqual([...sent.body], [123, 125]);
  } finally {
    router.close();
  }
});

test('fails over on 500, network error and 429; notices degraded and recovered', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  const notices = [];
  router.onDegraded((n) => notices.push(['degraded', n.capability, n.service]));
  const off = router.onRecovered((n) => notices.push(['recovered', n.capability, n.service]));
  try {
    for (const mode of ['e500', 'refuse', 'e429']) {
      svc.gemini.mode = mode;
      const res = await router.request('analysis', { path: '/v1/analyze' });
      assert.equal(res.service, 'perplexity', mode);
      assert.equal(res.attempts, 2);
      assert.equal(res.degraded, true);
    }
    svc.gemini.mode = 'ok';
    const back = await router.request('analysis', { path: '/v1/analyze' });
    assert.equal(back.service, 'gemini');
    assert.deepEqual(notices, [['degraded', 'analysis', 'perplexity'], ['recovered', 'analysis', 'gemini']]);
    off();
  } finally {
    router.close();
  }
});

test("a caller's 4xx is returned, not retried", async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  try {
    svc.gemini.mode = 'e400';
    const res = await router.request('analysis', { path: '/v1/analyze' });
    assert.equal(res.status, 400);
    assert.equal(res.service, 'gemini');
    assert.equal(svc.perplexity.calls, 0);
  } finally {
    router.close();
  }
});

test('every service failing rejects with LIFELINE_ERR_UNAVAILABLE naming each', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  try {
    svc.gemini.mode = 'e500';
    svc.perplexity.mode = 'refuse';
    svc.llama.mode = 'e500';
    await assert.rejects(router.request('analysis', { path: '/x' }), (e) => {
      assert.ok(e instanceof LifelineError);
      assert.equal(e.code, 'LIFELINE_ERR_UNAVAILABLE');
      assert.equal(e.errno, -10);
      assert.equal(e.attempts, 3);
      assert.equal(e.message, "every service for 'analysis' failed: gemini HTTP 500, perplexity network error, llama HTTP 500");
      return true;
    });
    await assert.rejects(router.request('translation'), /^LifelineError: no service offers 'translation'$/);
  } finally {
    router.close();
  }
});

test('a hanging service is cut by the attempt timeout and the next one answers; breakers fail fast', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport, { breakerConsecutiveFailures: 2 });
  try {
    svc.gemini.mode = 'hang';
    const t0 = performance.now();
    const res = await router.request('analysis', { path: '/v1/analyze' });
    const took = performance.now() - t0;
    assert.equal(res.service, 'perplexity');
    assert.ok(took >= 295 && took < 1500, `took ${took}`); // the 300 ms cold timeout, then perplexity
    assert.equal(svc.gemini.aborted, 1); // the timed-out fetch is aborted
    await router.request('analysis', { path: '/v1/analyze' });
    // Two failures in a row opened gemini's breaker: the next call goes straight to perplexity.
    const calls = svc.gemini.calls;
    const r3 = await router.request('analysis', { path: '/v1/analyze' });
    assert.equal(r3.attempts, 1);
    assert.equal(r3.degraded, true);
    assert.equal(svc.gemini.calls, calls);
    const h = router.getHealth();
    assert.equal(h[0].state, 'down');
    assert.equal(h[0].breaker, 'open');
    assert.match(h[0].lastError, /^timeout after \d+ ms$/);
    assert.match(router.explain('analysis'), /^no service for 'analysis' is available: gemini open \(retry in \d+\.\d s\), perplexity not tried, llama not tried$/);
  } finally {
    router.close();
  }
});

test('the overall deadline rejects with LIFELINE_ERR_TIMEOUT', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  try {
    svc.gemini.mode = 'hang';
    await assert.rejects(router.request('analysis', { deadlineMs: 150 }), (e) => {
      assert.equal(e.code, 'LIFELINE_ERR_TIMEOUT');
      assert.match(e.message, /^deadline of 150 ms exceeded for 'analysis': gemini timeout after 1\d\d ms/);
      return true;
    });
  } finally {
    router.close();
  }
});

test('hedging: a slow first choice is raced by the next; the loser is aborted', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport, { hedgeMs: 40 });
  try {
    svc.gemini.latency = 400;
    const t0 = performance.now();
    const res = await router.request('analysis');
    assert.equal(res.service, 'perplexity');
    assert.equal(res.attempts, 2);
    assert.ok(performance.now() - t0 < 390); // before the primary's 400 ms answer
    assert.equal(svc.gemini.aborted, 1);
  } finally {
    router.close();
  }
});

test('probes: a refusing service goes down, comes back, and events fire', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport, { probeIntervalMs: 60, probeTimeoutMs: 50 });
  const changes = [];
  const off = router.onStatus((h, prev) => changes.push(`${h.name}:${prev}->${h.state}`));
  try {
    await waitFor(() => svc.llama.probes >= 1 && router.getHealth()[2].state === 'healthy');
    svc.llama.probeMode = 'refuse';
    await waitFor(() => router.getHealth()[2].state === 'down');
    assert.deepEqual(changes.slice(0, 2), ['llama:healthy->degraded', 'llama:degraded->down']);
    svc.llama.probeMode = undefined;
    // Back: recovering (degraded, "k of 3 checks ok") from its first good probe, healthy at the third.
    const seen = [];
    await waitFor(() => { const h = router.getHealth()[2]; if (h.recovering) seen.push(h.recovering.ok); return h.state === 'healthy'; });
    assert.deepEqual(changes.slice(-2), ['llama:down->degraded', 'llama:degraded->healthy']);
    assert.ok(seen.length && seen.every((k) => k >= 1 && k < 3), `recovering checks seen: ${seen}`);
    assert.equal(router.getHealth()[2].recovering, null);
    off();
    const n = changes.length;
    svc.llama.probeMode = 'refuse';
    await sleep(150);
    assert.equal(changes.length, n); // unsubscribed
  } finally {
    router.close();
  }
});

test('offline failures are not held against a service', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  try {
    router.setOnline(false);
    svc.gemini.mode = 'refuse';
    for (let i = 0; i < 6; i++)
      await assert.rejects(router.request('analysis'), /^LifelineError: browser is offline|browser is offline/);
    router.setOnline(true);
    const h = router.getHealth()[0];
    assert.equal(h.failures, 0);
    assert.equal(h.breaker, 'closed');
    assert.equal(h.state, 'healthy');
  } finally {
    router.close();
  }
});

test("online/offline come through the manager's environment abstraction (browserEnvironment by default)", async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const handlers = [];
  let online = false;
  const environment = { isOnline: () => online, subscribe(h) { handlers.push(h); return () => handlers.splice(handlers.indexOf(h), 1); } };
  const router = makeRouter(transport, { environment });
  try {
    assert.equal(handlers.length, 1);
    svc.gemini.mode = 'refuse';
    await assert.rejects(router.request('analysis'), /browser is offline/, 'offline at start: isOnline() was read');
    online = true;
    handlers[0].online();
    svc.gemini.mode = 'ok';
    assert.equal((await router.request('analysis')).service, 'gemini');
    handlers[0].offline();
    svc.gemini.mode = 'refuse';
    await assert.rejects(router.request('analysis'), /browser is offline/);
  } finally {
    router.close();
  }
  assert.equal(handlers.length, 0, 'close() unsubscribes');
});

test('abort signal, close, and bad options', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  svc.gemini.mode = 'hang';
  const ac = new AbortController();
  const p = router.request('analysis', { signal: ac.signal });
  await sleep(10);
  ac.abort();
  await assert.rejects(p, /abort/i);
  assert.equal(svc.gemini.aborted, 1);
  const pending = router.request('analysis');
  await sleep(5);
  router.close();
  await assert.rejects(pending, /router closed/);
  await assert.rejects(router.request('analysis'), /router is closed/);
  router.close(); // idempotent
  assert.throws(() => createRouter({ services: [] }), LifelineError);
  assert.throws(() => createRouter({ services: [{ name: 'a', baseUrl: 'http://a', capabilities: '' }] }), /invalid argument/);
  assert.throws(() => createRouter({ services: [{ name: 'a', baseUrl: 'http://a', capabilities: 'x' }], breakerFailurePercent: 150 }), /inconsistent/);
  assert.throws(() => createRouter({ services: [{ name: 'a', baseUrl: 'http://a', capabilities: 'x' }], probeIntervalMs: -1 }), LifelineError);
});


test('one name per concept: unknown option names are refused, not ignored (deadlineMs, maxAttemptTimeoutMs, clock)', async () => {
  await init({ router: true });
  const svc = { name: 'a', baseUrl: 'http://a', capabilities: 'x' };
  assert.throws(() => createRouter({ services: [svc], timeoutMs: 5000 }), /createRouter: unknown option "timeoutMs"/);
  assert.throws(() => createRouter({ services: [svc], now: () => 0 }), /unknown option "now"/);
  assert.throws(() => createRouter({ services: [{ ...svc, timeoutMs: 100 }] }), /service 'a': unknown option "timeoutMs"/);
  assert.throws(() => createRouter({ services: [svc], clock: 5 }), /clock must be a function/);
  const { transport } = fakeServices();
  const router = makeRouter(transport, { deadlineMs: 20000, clock: () => performance.now() });
  try {
    await assert.rejects(router.request('analysis', { timeoutMs: 10 }), /request 'analysis': unknown option "timeoutMs"/);
    assert.equal(typeof router.on, 'undefined', 'one way to listen: onStatus / onDegraded / onRecovered');
    assert.throws(() => router.onStatus('nope'), /onStatus: callback must be a function/);
    assert.equal((await router.request('analysis', { deadlineMs: 5000 })).service, 'gemini');
  } finally {
    router.close();
  }
});
test('store protocol: getSnapshot is cached until a figure changes; subscribers hear changes', async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  try {
    const a = router.getSnapshot();
    assert.equal(router.getSnapshot(), a);
    await sleep(20);
    assert.equal(router.getSnapshot(), a); // time passing alone changes nothing here
    let heard = 0;
    const off = router.subscribe(() => heard++);
    await router.request('analysis');
    await sleep(0);
    assert.ok(heard >= 1);
    const b = router.getSnapshot();
    assert.notEqual(b, a);
    assert.equal(b[0].calls, 1);
    assert.equal(router.getSnapshot(), b);
    svc.gemini.mode = 'e500';
    await router.request('analysis');
    const c = router.getSnapshot();
    assert.equal(c[0].failures, 1);
    assert.equal(c[0].lastError, 'HTTP 500');
    assert.ok(Math.abs(c[0].lastErrorAt - Date.now()) < 1000);
    off();
    const n = heard;
    await router.request('analysis');
    await sleep(0);
    assert.equal(heard, n);
  } finally {
    router.close();
  }
});

test("a request's abort listener is removed when it ends (a component's long-lived signal does not collect them)", async () => {
  await init({ router: true });
  const { svc, transport } = fakeServices();
  const router = makeRouter(transport);
  const ac = new AbortController();
  try {
    for (let i = 0; i < 3; i++) assert.equal((await router.request('analysis', { signal: ac.signal })).service, 'gemini');
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    svc.gemini.mode = 'e500';
    await router.request('analysis', { signal: ac.signal }); // answered by the fallback
    svc.perplexity.mode = 'e500';
    svc.llama.mode = 'e500';
    await assert.rejects(router.request('analysis', { signal: ac.signal }), LifelineError);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    svc.gemini.mode = 'hang';
    const p = router.request('analysis', { signal: ac.signal });
    await sleep(5);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    router.close();
    await assert.rejects(p, /router closed/);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  } finally {
    router.close();
  }
});

test('getSnapshot is a pure read: no listener runs and nothing is queued during it (React render)', async () => {
  await init({ router: true });
  const { transport } = fakeServices();
  let t = 1000;
  const router = makeRouter(transport, { clock: () => t });
  try {
    const seen = [];
    router.onStatus((h) => seen.push(`${h.name} ${h.state}`));
    assert.equal(router.hint('gemini', { state: 'down', ttlMs: 1000 }), true);
    assert.deepEqual(seen, ['gemini down']);
    t += 5000; // the hint has lapsed; the core's timer has not run yet (real time barely moved)
    const snap = router.getSnapshot();
    assert.equal(snap[0].state, 'healthy'); // the figures are as of now
    assert.equal(router.getHealth()[0].state, 'healthy');
    assert.deepEqual(seen, ['gemini down'], 'reading called a status listener');
    await waitFor(() => seen.length === 2, 5000); // the tick announces it
    assert.deepEqual(seen, ['gemini down', 'gemini healthy']);
  } finally {
    router.close();
  }
});

test('router type declarations compile under tsc --strict', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '--noEmit', '--strict',
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'false',
    `${root}tests/js/types/router-types.ts`], { stdio: 'pipe' });
});
