// AI-service health from the server to every client's router, over real loopback HTTP: the
// server's monitor probes the mock AI services, publishes `service-health` on the health topic,
// the client's manager receives it and followHealthHints hands it to the router, which shows
// the service down within a second of the server noticing and keeps requests off it; a success
// of the router's own overrides a hint; a hint lapses when the server stops refreshing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createManager, createRouter, followHealthHints } from '../../js/index.js';
import { createHealthMonitor, memoryLog } from '../../server/index.js';
import { startAIServices } from '../../demo/server/ai-services.js';
import { instance, sleep } from './server-module-helpers.js';
import { fakeEnvironment, until } from './manager-helpers.js';

async function setup(t, { ttlMs = 30000, routerProbeMs = 60000 } = {}) {
  await init({ router: true });
  const ai = await startAIServices({ latencyMs: 5, jitterMs: 0 });
  t.after(() => ai.close());
  const server = await instance(t, memoryLog(), { topics: ['feed', 'health'] });
  const monitor = createHealthMonitor({ sse: server.sse, services: ai.urls, probeIntervalMs: 100, probeTimeoutMs: 200, ttlMs }).start();
  t.after(() => monitor.stop());
  const m = createManager({ environment: fakeEnvironment(), lingerMs: 0, storage: null });
  t.after(() => m.destroy());
  const router = createRouter({
    services: Object.entries(ai.urls).map(([name, url], i) => ({ name, baseUrl: url, capabilities: ['analysis'], priority: i + 1, healthPath: '/health' })),
    probeIntervalMs: routerProbeMs, // the router's own probes: rare by default, so the hints are what it learns from
    environment: fakeEnvironment(),
  });
  t.after(() => router.close());
  m.connect('health', `${server.url}/events?topic=health`);
  const hints = [];
  followHealthHints(m, router, 'health', { onHint: (h) => hints.push({ ...h, at: Date.now() }) });
  return { ai, server, monitor, m, router, hints };
}

const stateOf = (router, name) => router.getHealth().find((h) => h.name === name);

test('a dead service is down in the router within a second of the server noticing; requests avoid it', async (t) => {
  const { ai, monitor, router, hints } = await setup(t);
  await until(() => hints.some((h) => h.service === 'gemini'), 'the snapshot or the first states');
  await ai.setMode('gemini', 'refuse');
  await until(() => monitor.changes.some((c) => c.service === 'gemini' && c.state === 'down'), 'the server sees gemini down', 5000);
  const detected = monitor.changes.find((c) => c.service === 'gemini' && c.state === 'down').detectedAt;
  await until(() => stateOf(router, 'gemini').state === 'down', 'the router shows gemini down', 2000);
  const shown = Date.now();
  assert.ok(shown - detected < 1000, `${shown - detected} ms from detection to the router`);
  const h = stateOf(router, 'gemini');
  assert.equal(h.hint.state, 'down');
  assert.ok(h.hint.until > Date.now() + 20000);
  assert.equal(ai.services.gemini.status().byPath['/v1/analyze'] ?? 0, 0);
  const r = await router.request('analysis', { path: '/v1/analyze', method: 'POST', body: { ward: 'x' } });
  assert.notEqual(r.service, 'gemini', 'the request went elsewhere without trying gemini');
  assert.equal(ai.services.gemini.status().byPath['/v1/analyze'] ?? 0, 0);
  // recovery: the server sees it healthy again and says so; the hint ends
  await ai.setMode('gemini', 'normal');
  await until(() => stateOf(router, 'gemini').hint === null, 'the hint ended', 5000);
  assert.notEqual(stateOf(router, 'gemini').state, 'down');
});

test('a stale hint lapses: the server stops refreshing, the router goes back to its own view', async (t) => {
  const { ai, monitor, router } = await setup(t, { ttlMs: 600 });
  await ai.setMode('llama', 'refuse');
  await until(() => stateOf(router, 'llama').state === 'down', 'down by hint', 5000);
  monitor.stop(); // the fleet is gone: no refresh
  await ai.setMode('llama', 'normal');
  await sleep(700);
  await until(() => stateOf(router, 'llama').state !== 'down', 'the hint lapsed', 2000);
  assert.equal(stateOf(router, 'llama').hint, null);
});

test('the router\'s own success overrides a hint; unknown services and bad data are ignored', async (t) => {
  const { m, router, server, hints } = await setup(t, { routerProbeMs: 300 });
  await until(() => hints.length >= 3, 'the first states');
  const ids = await server.sse.publish('health', [
    { event: 'service-health', data: { service: 'perplexity', state: 'down', ttlMs: 30000 } },
    { event: 'service-health', data: { service: 'nobody', state: 'down', ttlMs: 30000 } },
    { event: 'service-health', data: 'not json' },
  ]);
  assert.equal(ids.length, 3);
  await until(() => stateOf(router, 'perplexity').state === 'down', 'hinted down');
  assert.equal(hints.find((h) => h.service === 'nobody').applied, false);
  // the router's own probe of perplexity (which answers) comes after the hint: it decides
  await until(() => stateOf(router, 'perplexity').state !== 'down', 'overridden by its own probe', 3000);
  assert.equal(stateOf(router, 'perplexity').hint, null);
  assert.ok(m.getConnectionStatus('health').state === 'open');
});
