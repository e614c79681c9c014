// js/share/router-hub.js in Node, with real routers (the router module, global fetch) against the
// mock AI services: tabs with one configuration share one router, released by the last of them;
// health reaches every holder; a request's answer and error cross as plain objects; a tab that
// goes away has its requests aborted, and a closing hub tells the tabs still listening.
// router.stream() through the hub: a SharedRouter (the tab's side) linked to the RouterHub, every
// message structured-cloned and delivered a turn later, as postMessage does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createRouter, LifelineError } from '../../js/index.js';
import { RouterHub } from '../../js/share/router-hub.js';
import { SharedRouter } from '../../js/share/router-client.js';
import { errorFromWire } from '../../js/share/wire-errors.js';
import { startAIServices, SERVICE_SPECS } from '../../demo/server/index.js';
import { fullAnswer } from '../../demo/server/ai-stream.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tabOf(hub, id) {
  const heard = [];
  const tab = { id, heard, send: (msg) => hub.receive({ ...msg, tab: id }, (m) => heard.push(m)) };
  tab.send({ t: 'r:hello' });
  return tab;
}

const until = async (cond, ms = 3000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${cond}`);
    await sleep(10);
  }
};

test('router hub: one router per configuration, refcounted; health to every holder; answers and errors as plain objects', async () => {
  await init({ router: true });
  const ai = await startAIServices({ seed: 3, names: ['gemini'] });
  const hub = new RouterHub('e1', async () => createRouter);
  try {
    const cfg = { services: [{ name: 'gemini', baseUrl: ai.urls.gemini, capabilities: ['analysis'] }], probeIntervalMs: 0 };
    const [a, b, c] = ['a', 'b', 'c'].map((id) => tabOf(hub, id));
    for (const t of [a, b, c]) assert.deepEqual(t.heard.shift(), { t: 'r:welcome', epoch: 'e1' });
    a.send({ t: 'r:open', rid: 1, cfg });
    b.send({ t: 'r:open', rid: 1, cfg });
    c.send({ t: 'r:open', rid: 1, cfg: { ...cfg, coldTimeoutMs: 900 } });
    await until(() => c.heard.length > 0);
    assert.equal(hub.routerCount, 2);
    for (const t of [a, b, c]) assert.equal(t.heard[0].t, 'r:health');
    assert.equal(a.heard[0].h[0].name, 'gemini');

    a.send({ t: 'r:req', rid: 1, q: 7, cap: 'analysis', opts: { path: '/v1/analyze', body: { ward: 'x' } } });
    a.send({ t: 'r:req', rid: 1, q: 8, cap: 'nothing', opts: {} });
    await until(() => a.heard.filter((m) => m.q === 7 || m.q === 8).length === 2);
    const ok = a.heard.find((m) => m.q === 7);
    assert.equal(ok.t, 'r:res');
    assert.equal(ok.v.service, 'gemini');
    assert.equal(JSON.parse(ok.v.body).service, 'gemini');
    const err = errorFromWire(a.heard.find((m) => m.q === 8).e);
    assert.ok(err instanceof LifelineError);
    assert.equal(err.code, 'LIFELINE_ERR_UNAVAILABLE');
    assert.equal(err.capability, 'nothing');
    // The request's call changed the shared router's health: b, which holds it too, hears it.
    await until(() => b.heard.some((m) => m.t === 'r:health' && m.h[0].calls === 1));
    assert.ok(!c.heard.some((m) => m.t === 'r:health' && m.h[0].calls === 1), 'c holds another router');

    a.send({ t: 'r:close', rid: 1 });
    await sleep(20);
    assert.equal(hub.routerCount, 2, 'b still holds it');
    hub.dropTab('b');
    assert.equal(hub.routerCount, 1, 'the last holder went: closed');
  } finally {
    hub.destroy();
    await ai.close();
  }
});

test('router hub: a closing hub rejects the requests it held as unavailable, not as aborted', async () => {
  await init({ router: true });
  const ai = await startAIServices({ seed: 4, names: ['gemini'] });
  const hub = new RouterHub('e2', async () => createRouter);
  try {
    await ai.setMode('gemini', 'hang');
    const a = tabOf(hub, 'a');
    a.send({ t: 'r:open', rid: 1, cfg: { services: [{ name: 'gemini', baseUrl: ai.urls.gemini, capabilities: ['analysis'] }], probeIntervalMs: 0 } });
    a.send({ t: 'r:req', rid: 1, q: 1, cap: 'analysis', opts: { path: '/v1/analyze', body: { ward: 'x' } } });
    await until(() => a.heard.some((m) => m.t === 'r:health'));
    await sleep(100);
    hub.destroy();
    await until(() => a.heard.some((m) => m.q === 1));
    const answer = a.heard.find((m) => m.q === 1);
    assert.equal(answer.t, 'r:err', JSON.stringify(answer));
    const e = errorFromWire(answer.e);
    assert.equal(e.code, 'LIFELINE_ERR_UNAVAILABLE');
    assert.match(e.message, /hub holding the router closed/, e.message);
    assert.equal(hub.routerCount, 0);
  } finally {
    await ai.setMode('gemini', 'normal');
    await ai.close();
  }
});

test('router hub: a configuration the router refuses comes back as the open\'s error', async () => {
  await init({ router: true });
  const hub = new RouterHub('e3', async () => createRouter);
  const a = tabOf(hub, 'a');
  a.send({ t: 'r:open', rid: 1, cfg: { services: [{ name: 'x', baseUrl: 'http://127.0.0.1:9', capabilities: 'c' }], probeIntervalMs: 0, nosuchOption: 1 } });
  await until(() => a.heard.some((m) => m.t === 'r:err'));
  const m = a.heard.find((x) => x.t === 'r:err');
  assert.equal(m.open, true);
  assert.equal(errorFromWire(m.e).name, 'TypeError');
  assert.equal(hub.routerCount, 0);
  hub.destroy();
});

// ---- router.stream() through the hub ----

/** A SharedRouter whose link reaches the hub as a port would; tabIds gets its tab id. */
function sharedRouter(hub, cfg, tabIds = []) {
  const connectHub = (onMessage) => ({
    post: (msg) => {
      if (!tabIds.includes(msg.tab)) tabIds.push(msg.tab);
      const m = structuredClone(msg);
      setImmediate(() => hub.receive(m, (out) => { const o = structuredClone(out); setImmediate(() => onMessage(o)); }));
    },
    close: () => {},
  });
  return new SharedRouter({ ...cfg, connectHub, onError: (e) => { throw e; } });
}

const streamCfg = (ai) => ({
  services: ['gemini', 'perplexity', 'llama'].map((name, i) => ({
    name, baseUrl: ai.urls[name], capabilities: SERVICE_SPECS[name].capabilities, priority: i + 1, healthPath: '',
    format: SERVICE_SPECS[name].streamFormat ?? 'openai',
  })),
  probeIntervalMs: 0,
  seed: 7,
});
const STREAM = { path: '/v1/stream/analysis', body: { prompt: 'x' }, ttftMs: 2000, idleMs: 2000 };

/** Runs one stream to its end: its events, statuses, notices, text and result (or error). */
async function drain(router, opts = STREAM) {
  const statuses = [];
  const notices = [];
  const st = router.stream('analysis', { ...opts, onStatus: (s) => statuses.push(s), onSwitch: (n) => notices.push(n) });
  const events = [];
  let error = null;
  try {
    for await (const e of st) events.push(e);
  } catch (e) {
    error = e;
  }
  const result = await st.result.catch((e) => ({ error: e }));
  return { events, statuses, notices, text: st.text, result, error };
}

// What does not depend on time: elapsed ms and each attempt's ms differ run to run.
const timeless = (r) => ({ ...r, elapsedMs: 0, ttftMs: r.ttftMs === null ? null : 0, log: r.log.map((a) => ({ ...a, ms: 0 })) });

test('router hub: a streamed answer through the hub is the local one (events, statuses, text, result)', async () => {
  await init({ router: true });
  const ai = await startAIServices({ seed: 20 });
  const hub = new RouterHub('s1', async () => createRouter);
  const local = createRouter(streamCfg(ai));
  const shared = sharedRouter(hub, streamCfg(ai));
  try {
    await shared.ready;
    const a = await drain(local);
    const b = await drain(shared);
    assert.equal(a.error, null);
    assert.equal(b.error, null, String(b.error));
    assert.equal(b.text, fullAnswer(60));
    assert.equal(b.events.length, 60);
    assert.deepEqual(b.events, a.events);
    assert.deepEqual(b.statuses, a.statuses);
    assert.deepEqual(b.notices, []);
    assert.equal(b.result.service, 'gemini');
    assert.equal(b.result.complete, true);
    assert.deepEqual(timeless(b.result), timeless(a.result));
  } finally {
    shared.close();
    local.close();
    hub.destroy();
    await ai.close();
  }
});

test('router hub: a failover before the first token happens in the hub: one notice in the tab, the shared health records it', async () => {
  await init({ router: true });
  const ai = await startAIServices({ seed: 21 });
  const hub = new RouterHub('s2', async () => createRouter);
  const shared = sharedRouter(hub, streamCfg(ai));
  const other = sharedRouter(hub, streamCfg(ai)); // another tab holding the same router
  try {
    await Promise.all([shared.ready, other.ready]);
    ai.services.gemini.setStreamFault({ kind: 'status', status: 503 });
    const r = await drain(shared);
    assert.equal(r.error, null, String(r.error));
    assert.equal(r.text, fullAnswer(60));
    assert.equal(r.result.service, 'perplexity');
    assert.equal(r.result.attempts, 2);
    assert.equal(r.notices.length, 1);
    assert.deepEqual({ ...r.notices[0], reason: r.notices[0].reason.slice(0, 8) }, { from: 'gemini', to: 'perplexity', mode: 'failover', reason: 'HTTP 503' });
    assert.deepEqual(r.events.filter((e) => e.type !== 'text').map((e) => [e.type, e.service]), [['switch', 'perplexity']]);
    assert.equal(ai.services.gemini.streamAnswer.counters.requests, 1, 'one attempt on gemini, made by the hub');
    // The hub's router took the failure: the other tab sees it in the shared health.
    await until(() => other.getHealth().find((h) => h.name === 'gemini')?.failures === 1);
  } finally {
    shared.close();
    other.close();
    hub.destroy();
    await ai.close();
  }
});

test('router hub: an abort in the tab aborts the hub\'s fetch (the service sees the socket close)', async () => {
  await init({ router: true });
  const ai = await startAIServices({ seed: 22 });
  const hub = new RouterHub('s3', async () => createRouter);
  const shared = sharedRouter(hub, streamCfg(ai));
  try {
    await shared.ready;
    ai.services.gemini.setStreamFault({ kind: 'none', tokenMs: 50 }); // 60 words in 3 s
    const counters = () => ai.services.gemini.streamAnswer.counters;
    const ctrl = new AbortController();
    const statuses = [];
    const st = shared.stream('analysis', { ...STREAM, signal: ctrl.signal, onStatus: (s) => statuses.push(s.state) });
    await until(() => st.text.length >= 10);
    const t0 = Date.now();
    ctrl.abort();
    await assert.rejects(st.result, { name: 'AbortError' });
    assert.ok(Date.now() - t0 < 50, 'the tab hears its abort at once');
    assert.deepEqual(statuses, ['connecting', 'streaming', 'aborted']);
    await until(() => counters().closedEarly === 1);
    assert.equal(counters().complete, 0);
  } finally {
    shared.close();
    hub.destroy();
    await ai.close();
  }
});

test('router hub: a tab dropped mid-stream (closed or crashed) has its stream aborted in the hub', async () => {
  await init({ router: true });
  const ai = await startAIServices({ seed: 23 });
  const hub = new RouterHub('s4', async () => createRouter);
  const ids = [];
  const shared = sharedRouter(hub, streamCfg(ai), ids);
  try {
    await shared.ready;
    ai.services.gemini.setStreamFault({ kind: 'none', tokenMs: 50 });
    const counters = () => ai.services.gemini.streamAnswer.counters;
    const statuses = [];
    const st = shared.stream('analysis', { ...STREAM, onStatus: (x) => statuses.push(x.state) });
    await until(() => st.text.length >= 10);
    hub.dropTab(ids[0]);
    await until(() => counters().closedEarly === 1);
    assert.equal(counters().complete, 0);
    // A tab still listening (here: the test's) hears why: the hub's, not an abort of its own.
    await assert.rejects(st.result, (e) => e instanceof LifelineError && e.code === 'LIFELINE_ERR_UNAVAILABLE');
    assert.deepEqual(statuses, ['connecting', 'streaming', 'failed'], 'the tab did not abort it');
  } finally {
    shared.close();
    hub.destroy();
    await ai.close();
  }
});

test('router hub: stream options that are functions are refused in the tab, synchronously, naming them', async () => {
  const hub = new RouterHub('s5', async () => createRouter);
  const shared = sharedRouter(hub, { services: [{ name: 'a', baseUrl: 'http://127.0.0.1:9', capabilities: 'analysis' }], probeIntervalMs: 0 });
  try {
    assert.throws(() => shared.stream('analysis', { path: () => '/x' }), { name: 'TypeError', message: /cannot be functions \(path\)/ });
    assert.throws(() => shared.stream('analysis', { body: () => ({}) }), { name: 'TypeError', message: /cannot be functions \(body\)/ });
    assert.throws(() => shared.stream('analysis', { format: { text: (d) => d, isEnd: () => false, error: () => null } }),
      { name: 'TypeError', message: /cannot be functions \(format\.text, format\.isEnd, format\.error\)/ });
    // The local router's own checks, at once too.
    assert.throws(() => shared.stream('analysis', { nope: 1 }), { name: 'TypeError', message: /unknown option "nope"/ });
    assert.throws(() => shared.stream('analysis', { ttftMs: 0 }), (e) => e.code === 'LIFELINE_ERR_INVALID_ARGUMENT');
    // Listeners and the signal stay in the tab: accepted.
    const st = shared.stream('analysis', { onStatus: () => {}, onSwitch: () => {}, signal: AbortSignal.abort() });
    await assert.rejects(st.result, { name: 'AbortError' });
  } finally {
    shared.close();
    hub.destroy();
  }
});

test('a router tab pings its hub: a hub that came back with a fresh state (a new epoch) behind the same link is noticed, and the router is opened on it', async () => {
  await init({ router: true });
  const ai = await startAIServices({ seed: 21, names: ['gemini'] });
  const hubs = [new RouterHub('p1', async () => createRouter)];
  const heard = [];
  // A port whose other end is the current hub; pings every 50 ms.
  const connectHub = (onMessage) => ({
    pingMs: 50,
    post: (msg) => {
      const m = structuredClone(msg);
      setImmediate(() => hubs.at(-1).receive(m, (out) => { heard.push(out.t); setImmediate(() => onMessage(structuredClone(out))); }));
    },
    close: () => {},
  });
  const cfg = { services: [{ name: 'gemini', baseUrl: ai.urls.gemini, capabilities: ['analysis'] }], probeIntervalMs: 0 };
  const router = new SharedRouter({ ...cfg, connectHub, onError: (e) => { throw e; } });
  try {
    await router.ready;
    assert.equal(hubs[0].routerCount, 1);
    await until(() => heard.includes('pong'));
    hubs.push(new RouterHub('p2', async () => createRouter)); // the first forgot everything
    await until(() => hubs[1].routerCount === 1); // it never pinged before: it never noticed
    const res = await router.request('analysis', { path: '/v1/analyze', body: { q: 1 } });
    assert.equal(res.service, 'gemini');
  } finally {
    router.close();
    for (const h of hubs) h.destroy();
    await ai.close();
  }
});
