// The fleet: three instances of `REDIS_URL=... node demo/server/cli.js` (real processes) over a
// real redis-server on loopback, and CLIENTS Lifeline managers in this process (fetch transport,
// the Wasm core), each holding the instance list (`endpoints`, no balancer), a feed channel and a
// health channel whose hints go to its router. While events are published (one at a time, round
// robin over the live instances):
//   1. failover after kill -9: the instance with the most client streams is killed; for each
//      client that was on it, the time from the kill to its stream open on another instance, and
//      to its first event after it; the instance comes back (ROUNDS times);
//   2. failover after a drain: SIGTERM to the busiest instance; the same times (the drain's
//      spread is part of them);
//   3. events lost: every client's ids against the Redis log (XRANGE), with duplicates;
//   4. replay from Redis: REPLAY events published first, then a client resumes from the start of
//      the topic (100,000 behind): events/s until the last arrived, through the Lifeline manager
//      and through a bare socket reader (the server's and the network's share alone);
//   5. AI health: a mock service stops answering; the time from the first instance's detection
//      (its probe judgement) to every client's router showing it down (each service in turn).
// Writes bench/results/fleet.json (BENCH_QUICK=1: bench/results/quick/fleet.json, fewer clients
// and rounds, 20,000 replay events).
import { createClient } from '@redis/client';
import { init, createManager, createRouter, followHealthHints } from '../js/index.js';
import { startRedis, freePort, redisServerVersion } from '../demo/server/redis-process.js';
import { startFleetProcess, waitForStatus } from '../demo/server/fleet-launcher.js';
import { startAIServices } from '../demo/server/ai-services.js';
import { startResult } from './result-file.js';

const QUICK = process.env.BENCH_QUICK === '1';
const CLIENTS = QUICK ? 15 : 60;
const ROUNDS = QUICK ? 1 : 3;
const REPLAY = QUICK ? 20000 : 100000;
const PUBLISH_GAP_MS = 10;
const DRAIN_SPREAD_MS = 1000;
const PROBE_MS = 200;
const FEED = '/api/v1/strategist/feed';
const result = startResult('fleet', {
  instances: 3, clients: CLIENTS, rounds: ROUNDS, replayEvents: REPLAY, publishGapMs: PUBLISH_GAP_MS,
  drainSpreadMs: DRAIN_SPREAD_MS, serverProbeIntervalMs: PROBE_MS, transport: 'fetch', redis: redisServerVersion(),
  command: `REDIS_URL=redis://127.0.0.1:P node demo/server/cli.js --port N --interval 0 --no-ai --probe ... --probe-interval 200 --topics feed,replay --max-len ${REPLAY * 2}`,
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(cond, what, ms = 20000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(5);
  }
}
function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : NaN;
}
const round = (v) => Math.round(v * 10) / 10;
const stats = (v) => ({ n: v.length, p50Ms: round(pct(v, 0.5)), p99Ms: round(pct(v, 0.99)), maxMs: round(Math.max(...v)) });
const quiet = { isOnline: () => true, subscribe: () => () => {} };

await init({ router: true });
const redisServer = await startRedis();
const redis = createClient({ url: redisServer.url });
redis.on('error', () => {});
await redis.connect();
const ai = await startAIServices({ latencyMs: 5, jitterMs: 0 });
const probeArg = Object.entries(ai.urls).map(([n, u]) => `${n}=${u}`).join(',');
const ports = [await freePort(), await freePort(), await freePort()];
const args = ['--no-ai', '--probe', probeArg, '--probe-interval', String(PROBE_MS), '--topics', 'feed,replay', '--max-len', String(REPLAY * 2),
  '--drain-spread', String(DRAIN_SPREAD_MS), '--drain-timeout', '5000', '--heartbeat', '2000'];
const start = (i) => startFleetProcess({ redisUrl: redisServer.url, port: ports[i], args: [...args, '--name', `i${i}`] });
const inst = await Promise.all([0, 1, 2].map(start));
for (const x of inst) await waitForStatus(x.urls.ready);
const base = (i) => `http://127.0.0.1:${ports[i]}`;
const live = new Set([0, 1, 2]);

// ---- clients ----
const clients = [];
for (let k = 0; k < CLIENTS; k++) {
  const first = k % 3;
  const order = [0, 1, 2].map((j) => (first + j) % 3);
  const m = createManager({ environment: quiet, storage: null, seed: 100 + k, lingerMs: 0 });
  const c = { k, m, ids: [], times: [], status: [], lastEventAt: 0 };
  m.connect('feed', `${base(order[0])}${FEED}`, { endpoints: order.slice(1).map((i) => `${base(i)}${FEED}`), initialLastEventId: '0-0', heartbeatTimeoutMs: 6000 });
  m.subscribe('feed', (e) => { c.ids.push(e.id); c.times.push(c.lastEventAt = Date.now()); });
  m.onStatus('feed', (s) => c.status.push({ t: Date.now(), state: s.state, endpoint: order[s.endpoint] }));
  c.router = createRouter({
    services: Object.entries(ai.urls).map(([name, url], i) => ({ name, baseUrl: url, capabilities: ['analysis'], priority: i + 1, healthPath: '/health' })),
    probeIntervalMs: 600000, environment: quiet,
  });
  c.downAt = {};
  c.router.onStatus((h) => { if (h.state === 'down' && !c.downAt[h.name]) c.downAt[h.name] = Date.now(); });
  m.connect('health', `${base(order[0])}${FEED}?topic=health`, { endpoints: order.slice(1).map((i) => `${base(i)}${FEED}?topic=health`), heartbeatTimeoutMs: 6000 });
  followHealthHints(m, c.router, 'health');
  clients.push(c);
}
const onInstance = (c) => c.status.at(-1)?.endpoint;
await until(() => clients.every((c) => c.m.getConnectionStatus('feed').state === 'open' && c.m.getConnectionStatus('health').state === 'open'), 'every client open');

// ---- publisher ----
const pub = { stop: false, sent: 0, refused: 0 };
pub.done = (async () => {
  let n = 0;
  while (!pub.stop) {
    const i = [...live][n++ % live.size];
    try {
      const r = await fetch(`${base(i)}/api/v1/strategist/publish`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'tick', data: { n } }),
        signal: AbortSignal.timeout(2000),
      });
      await r.arrayBuffer();
      if (r.ok) pub.sent++;
      else pub.refused++;
    } catch {
      pub.refused++;
    }
    await sleep(PUBLISH_GAP_MS);
  }
})();

/** For the clients on instance i at t0: times to open elsewhere and to the first event after. */
async function failover(i, t0, act) {
  const on = clients.filter((c) => onInstance(c) === i);
  await act();
  await until(() => on.every((c) => c.status.some((s) => s.t >= t0 && s.state === 'open' && s.endpoint !== i) && c.lastEventAt > t0), 'failover');
  return {
    clients: on.length,
    toOpen: on.map((c) => c.status.find((s) => s.t >= t0 && s.state === 'open' && s.endpoint !== i).t - t0),
    toEvent: on.map((c) => c.times.find((t) => t > t0) - t0),
  };
}

await sleep(2000);
const kills = { toOpen: [], toEvent: [], clients: 0 };
const drains = { toOpen: [], toEvent: [], clients: 0 };
/** The live instance with the most client streams on it. */
const busiest = () => [...live].map((i) => [i, clients.filter((c) => onInstance(c) === i).length]).sort((a, b) => b[1] - a[1])[0][0];
for (let r = 0; r < ROUNDS; r++) {
  const i = busiest();
  let t0 = Date.now();
  const k = await failover(i, t0, async () => { live.delete(i); await inst[i].kill('SIGKILL'); });
  kills.toOpen.push(...k.toOpen); kills.toEvent.push(...k.toEvent); kills.clients += k.clients;
  inst[i] = await start(i);
  await waitForStatus(inst[i].urls.ready);
  live.add(i);
  await sleep(1500);
  const j = busiest();
  t0 = Date.now();
  live.delete(j);
  const d = await failover(j, t0, async () => { inst[j].kill('SIGTERM'); });
  drains.toOpen.push(...d.toOpen); drains.toEvent.push(...d.toEvent); drains.clients += d.clients;
  await inst[j].exited;
  inst[j] = await start(j);
  await waitForStatus(inst[j].urls.ready);
  live.add(j);
  await sleep(1500);
}

// ---- AI health: each service in turn stops answering ----
const health = [];
for (const name of Object.keys(ai.urls)) {
  const t0 = Date.now();
  await ai.setMode(name, 'refuse');
  let detectedAt = null;
  await until(async () => {
    const st = await Promise.all(inst.map((x) => fetch(x.urls.status).then((r) => r.json()).catch(() => null)));
    const seen = st.flatMap((s) => s?.changes ?? []).filter((c) => c.service === name && c.state === 'down' && c.detectedAt >= t0).map((c) => c.detectedAt);
    detectedAt = seen.length ? Math.min(...seen) : null;
    return detectedAt !== null;
  }, `${name} detected down`);
  await until(() => clients.every((c) => c.downAt[name]), `every router shows ${name} down`);
  const delays = clients.map((c) => c.downAt[name] - detectedAt);
  health.push({ service: name, detectedAfterKillMs: detectedAt - t0, toEveryRouterMs: Math.max(...delays), ...stats(delays) });
  await ai.setMode(name, 'normal');
  await sleep(500);
}

// ---- events lost ----
pub.stop = true;
await pub.done;
const log = (await redis.sendCommand(['XRANGE', 'lifeline:sse:feed', '-', '+'])).map(([id]) => id);
await until(() => clients.every((c) => c.ids.at(-1) === log.at(-1)), 'every client has the last event');
let lost = 0;
let duplicated = 0;
let misordered = 0;
for (const c of clients) {
  const got = new Set(c.ids);
  duplicated += c.ids.length - got.size;
  lost += log.filter((id) => !got.has(id)).length;
  if (c.ids.join() !== log.join()) misordered += c.ids.length === log.length ? 1 : 0;
}

// ---- replay from Redis ----
const batch = Array.from({ length: 1000 }, (_, n) => ({ event: 'replay', data: { n, text: 'an event of about a hundred bytes, as a feed update would be' } }));
for (let done = 0; done < REPLAY; done += 1000) {
  const r = await fetch(`${base(0)}/api/v1/strategist/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'replay', events: batch }) });
  if (!r.ok) throw new Error(`replay publish: ${r.status}`);
  await r.arrayBuffer();
}
const replayLast = (await redis.sendCommand(['XREVRANGE', 'lifeline:sse:replay', '+', '-', 'COUNT', '1']))[0][0];
async function replayManager() {
  const m = createManager({ environment: quiet, storage: null, lingerMs: 0 });
  let n = 0;
  let last = null;
  const t0 = performance.now();
  m.connect('replay', `${base(1)}${FEED}?topic=replay`, { initialLastEventId: '0-0' });
  m.subscribe('replay', (e) => { n++; last = e.id; });
  await until(() => last === replayLast, 'the replay', 60000);
  const ms = performance.now() - t0;
  m.destroy();
  return { events: n, ms: round(ms), eventsPerS: Math.round(n / (ms / 1000)) };
}
// A reader that only looks for the last id in the bytes: what the server and loopback deliver.
async function replayRaw() {
  const t0 = performance.now();
  const res = await fetch(`${base(2)}${FEED}?topic=replay`, { headers: { 'last-event-id': '0-0' } });
  const reader = res.body.getReader();
  const needle = Buffer.from(`id: ${replayLast}\n`);
  let tail = Buffer.alloc(0);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('replay ended early');
    const buf = Buffer.concat([tail, Buffer.from(value.buffer, value.byteOffset, value.byteLength)]);
    if (buf.indexOf(needle) >= 0) break;
    tail = buf.subarray(Math.max(0, buf.length - needle.length));
  }
  const ms = performance.now() - t0;
  await reader.cancel();
  return { events: REPLAY, ms: round(ms), eventsPerS: Math.round(REPLAY / (ms / 1000)) };
}
const replay = { manager: [], raw: [] };
for (let r = 0; r < 3; r++) {
  replay.manager.push(await replayManager());
  replay.raw.push(await replayRaw());
}
const median = (xs) => [...xs].sort((a, b) => a.eventsPerS - b.eventsPerS)[Math.floor(xs.length / 2)];

result.doc.figures = {
  killFailover: { clients: kills.clients, rounds: ROUNDS, toOpen: stats(kills.toOpen), toFirstEvent: stats(kills.toEvent.filter(Number.isFinite)) },
  drainFailover: { clients: drains.clients, rounds: ROUNDS, spreadMs: DRAIN_SPREAD_MS, toOpen: stats(drains.toOpen), toFirstEvent: stats(drains.toEvent.filter(Number.isFinite)) },
  delivery: { published: pub.sent, refusedWhileDown: pub.refused, logged: log.length, clients: CLIENTS, lost, duplicated, misordered },
  replay: { behind: REPLAY, manager: median(replay.manager), raw: median(replay.raw), runs: replay },
  aiHealth: { serverProbeIntervalMs: PROBE_MS, clients: CLIENTS, services: health, worstToEveryRouterMs: Math.max(...health.map((h) => h.toEveryRouterMs)) },
};
const f = result.doc.figures;
console.log(`kill -9 failover (${f.killFailover.clients} client streams): open elsewhere p50 ${f.killFailover.toOpen.p50Ms} ms, p99 ${f.killFailover.toOpen.p99Ms} ms; first event p50 ${f.killFailover.toFirstEvent.p50Ms} ms, p99 ${f.killFailover.toFirstEvent.p99Ms} ms`);
console.log(`drain failover (${f.drainFailover.clients}, spread ${DRAIN_SPREAD_MS} ms): open elsewhere p50 ${f.drainFailover.toOpen.p50Ms} ms, p99 ${f.drainFailover.toOpen.p99Ms} ms`);
console.log(`delivery: ${pub.sent} published, ${log.length} logged, ${CLIENTS} clients: lost ${lost}, duplicated ${duplicated}, out of order ${misordered}`);
console.log(`replay of ${REPLAY} from Redis: Lifeline manager ${f.replay.manager.eventsPerS} events/s, bare reader ${f.replay.raw.eventsPerS} events/s`);
console.log(`AI health: first instance's detection -> every router down: ${health.map((h) => `${h.service} ${h.toEveryRouterMs} ms`).join(', ')}`);
result.write();

for (const c of clients) { c.m.destroy(); c.router.close(); }
await Promise.all(inst.map((x) => x.kill('SIGKILL')));
await redis.close().catch(() => {});
await ai.close();
await redisServer.close();
process.exit(0);
