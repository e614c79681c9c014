// Recovery measurements for the SSE manager over loopback against the reference server.
//   1. drop -> first reconnect attempt (seen by the server) and drop -> first resumed event
//      (seen by the subscriber), p50/p99 over many drops, with the default backoff (full jitter,
//      first retry uniform over 0..1 s). Targets: recovery starts within 2 s, self-heals in 5 s.
//      Each drop comes after 350 ms of streaming (events every 10 ms): the backoff is
//      progress-aware, so a stream that delivered new events starts the next delay over.
//      A second run drops every ~0.5 s (a flapping link) with the same defaults.
//   2. stall detection: with a short heartbeat timeout (500 ms), the delay between the
//      configured timeout and the detection; the same overhead adds to the default 45 s.
//   3. the same drops with @microsoft/fetch-event-source (fixed 1 s retry) for comparison.
// Writes every figure to bench/results/recovery.json (BENCH_QUICK=1: bench/results/quick/).
// BENCH_QUICK=1: 10 drops and 3 stalls (a few seconds); otherwise 60 drops, 30 flapping drops
// and 10 stalls.
import { init, createManager } from '../js/index.js';
import { startSSEServer } from '../demo/server/sse-server.js';
import { startResult } from './result-file.js';

const QUICK = process.env.BENCH_QUICK === '1';
const DROPS = QUICK ? 10 : 60;
const STALLS = QUICK ? 3 : 10;
const FLAPS = 30;
const STALL_TIMEOUT_MS = 500;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 45000;
const HEALTHY_MS = 350;
const FLAP_MS = 500;
const result = startResult('recovery', {
  drops: DROPS, streamingBeforeEachDropMs: HEALTHY_MS, serverEventIntervalMs: 10,
  flappingDrops: QUICK ? 0 : FLAPS, flappingStreamingMs: FLAP_MS, stalls: STALLS, stallHeartbeatTimeoutMs: STALL_TIMEOUT_MS,
  transport: 'fetch', backoff: 'defaults',
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(cond, ms = 10000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('bench: timed out');
    await sleep(2);
  }
}
const quiet = { isOnline: () => true, subscribe: () => () => {} };

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : NaN;
}
const fmt = (v) => `${Math.round(v)} ms`;
const round = (v) => Math.round(v * 10) / 10;
/** The figures a line prints, plus the samples they come from. */
const stats = (values) => ({
  n: values.length, p50Ms: round(pct(values, 0.5)), p99Ms: round(pct(values, 0.99)), maxMs: round(Math.max(...values)),
  samplesMs: values.map(round),
});
function line(name, values) {
  console.log(`  ${name.padEnd(34)} p50 ${fmt(pct(values, 0.5)).padStart(8)}  p99 ${fmt(pct(values, 0.99)).padStart(8)}  max ${fmt(Math.max(...values)).padStart(8)}  (n=${values.length})`);
}

/** Runs `drops` drops against a subscriber; `subscribe(url, onEvent)` returns a stop function. */
async function measureDrops(label, subscribe, { drops = DROPS, healthyMs = HEALTHY_MS } = {}) {
  const server = await startSSEServer({ intervalMs: 10, heartbeatMs: 1000 });
  let lastId = 0;
  let lastAt = 0;
  const stop = await subscribe(server.feedUrl, (id) => { lastId = id; lastAt = performance.now(); });
  const toAttempt = [];
  const toEvent = [];
  let ids = 0;
  try {
    await until(() => lastId > 0);
    for (let i = 0; i < drops; i++) {
      await until(() => performance.now() - lastAt < 15 && lastId > 0); // streaming again
      await sleep(healthyMs);
      const before = server.log.lastId; // later ids can only come over a new connection
      const connects = server.counters.connectsTotal;
      const t0 = performance.now();
      const wall0 = Date.now();
      server.fault('drop');
      await until(() => server.counters.connectsTotal > connects);
      const entry = server.history.at(-1);
      toAttempt.push(entry.t - wall0);
      await until(() => lastId > before);
      toEvent.push(lastAt - t0);
      ids = lastId;
    }
  } finally {
    await stop();
    await server.close();
  }
  console.log(`${label}: ${drops} drops, each after ${healthyMs} ms of streaming (events every 10 ms), last id ${ids}`);
  line('drop -> first reconnect attempt', toAttempt);
  line('drop -> first resumed event', toEvent);
  return { label, drops, streamingBeforeEachDropMs: healthyMs, lastId: ids, toAttempt, toEvent };
}

const lifelineSubscribe = async (url, onEvent) => {
  const m = createManager({ environment: quiet, storage: null, lingerMs: 0 });
  m.connect('feed', url);
  m.subscribe('feed', (e) => onEvent(Number(e.id)));
  return () => m.destroy();
};

async function fetchEventSourceSubscribe(url, onEvent) {
  let mod;
  try {
    globalThis.window ??= globalThis; // the library calls window.setTimeout and document.*
    globalThis.document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };
    mod = await import('@microsoft/fetch-event-source');
  } catch {
    return null;
  }
  const ctrl = new AbortController();
  mod.fetchEventSource(url, {
    signal: ctrl.signal, openWhenHidden: true,
    onmessage: (ev) => onEvent(Number(ev.id)),
    onclose: () => { throw new Error('closed'); }, // make it retry (its documented pattern)
    onerror: () => undefined, // undefined: retry after its interval (1 s default)
  }).catch(() => {});
  return () => ctrl.abort();
}

async function measureStalls() {
  const server = await startSSEServer({ intervalMs: 10, heartbeatMs: 60000 });
  const m = createManager({ environment: quiet, storage: null, lingerMs: 0 });
  let lastAt = 0;
  let stallAt = 0;
  let stalls = 0;
  m.connect('feed', server.feedUrl, { heartbeatTimeoutMs: STALL_TIMEOUT_MS });
  m.subscribe('feed', () => { lastAt = performance.now(); });
  m.onStatus('feed', (s) => {
    if (s.reason === 'stall' && s.state === 'connecting') {
      stalls++;
      stallAt = performance.now();
    }
  });
  const over = [];
  try {
    for (let i = 0; i < STALLS; i++) {
      await until(() => m.getConnectionStatus('feed').state === 'open' && performance.now() - lastAt < 15);
      const before = stalls;
      server.fault('stall', { ms: STALL_TIMEOUT_MS + 400 });
      await until(() => stalls > before);
      over.push(stallAt - lastAt - STALL_TIMEOUT_MS); // detection beyond the configured silence
      server.clearFaults('stall');
    }
  } finally {
    m.destroy();
    await server.close();
  }
  console.log(`stall detection: heartbeatTimeoutMs ${STALL_TIMEOUT_MS}, ${STALLS} stalls`);
  line('detected after timeout + ...', over);
  const p99 = pct(over, 0.99);
  const d = DEFAULT_HEARTBEAT_TIMEOUT_MS / 1000;
  console.log(`  at the default ${d} s the same overhead applies: detection ${d} s + ${Math.round(p99)} ms (p99) after the last byte;`);
  console.log(`  with a server heartbeat every 15 s a stall begins 0-15 s after the last byte, so it is detected ${d - 15}-${d} s after it begins.`);
  return over;
}

await init();
const fig = result.doc.figures;
const dropFigures = (r) => ({
  label: r.label, drops: r.drops, streamingBeforeEachDropMs: r.streamingBeforeEachDropMs, lastId: r.lastId,
  dropToAttempt: stats(r.toAttempt), dropToEvent: stats(r.toEvent),
});
const lifeline = await measureDrops('lifeline (fetch transport, default backoff)', lifelineSubscribe);
fig.isolatedDrops = dropFigures(lifeline);
if (!QUICK) {
  fig.flappingLink = dropFigures(await measureDrops(`lifeline, flapping link (a drop after every ${FLAP_MS} ms of streaming)`, lifelineSubscribe, { drops: FLAPS, healthyMs: FLAP_MS }));
  const peer = await measureDrops('@microsoft/fetch-event-source (for comparison)', fetchEventSourceSubscribe).catch((e) => {
    console.log(`@microsoft/fetch-event-source: not measured (${e.message})`);
    fig.fetchEventSource = { notMeasured: e.message };
    return null;
  });
  if (peer) {
    fig.fetchEventSource = { ...dropFigures(peer), retry: 'fixed 1 s retry, its default' };
    const ratio = pct(lifeline.toEvent, 0.5) / pct(peer.toEvent, 0.5);
    fig.fetchEventSource.ratioP50DropToEvent = Math.round(ratio * 100) / 100;
    console.log(`  ratio p50 drop->event: lifeline / fetch-event-source = ${ratio.toFixed(2)}`);
  }
}
const over = await measureStalls();
fig.stall = {
  heartbeatTimeoutMs: STALL_TIMEOUT_MS, stalls: STALLS, stallLengthMs: STALL_TIMEOUT_MS + 400,
  detectedAfterTimeout: stats(over),
  atDefault: {
    heartbeatTimeoutMs: DEFAULT_HEARTBEAT_TIMEOUT_MS, serverHeartbeatMs: 15000,
    detectedAfterLastByteP99Ms: Math.round(DEFAULT_HEARTBEAT_TIMEOUT_MS + pct(over, 0.99)),
    detectedAfterStallBeginsMs: [DEFAULT_HEARTBEAT_TIMEOUT_MS - 15000, Math.round(DEFAULT_HEARTBEAT_TIMEOUT_MS + pct(over, 0.99))],
    derivation: 'arithmetic: the default timeout plus the overhead measured at 500 ms; a stall begins 0-15 s after the last byte',
  },
};
const p99a = pct(lifeline.toAttempt, 0.99);
const p99e = pct(lifeline.toEvent, 0.99);
fig.targets = {
  recoveryStartsWithin2s: { met: p99a <= 2000, p99Ms: round(p99a) },
  selfHealsWithin5s: { met: p99e <= 5000, p99Ms: round(p99e) },
};
console.log(`targets: recovery starts within 2 s: ${p99a <= 2000 ? 'met' : 'MISSED'} (p99 ${fmt(p99a)}); self-heals within 5 s: ${p99e <= 5000 ? 'met' : 'MISSED'} (p99 ${fmt(p99e)})`);
result.write();
