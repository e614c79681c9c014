// js/share/router-hub.js in Node, with real routers (the router module, global fetch) against the
// mock AI services: tabs with one configuration share one router, released by the last of them;
// health reaches every holder; a request's answer and error cross as plain objects; a tab that
// goes away has its requests aborted, and a closing hub tells the tabs still listening.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createRouter, LifelineError } from '../../js/index.js';
import { RouterHub } from '../../js/share/router-hub.js';
import { errorFromWire } from '../../js/share/wire-errors.js';
import { startAIServices } from '../../demo/server/index.js';

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
