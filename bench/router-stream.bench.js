// router.stream (issue 16) in Node (the Wasm router, fetch + ReadableStream, the SSE core's
// parser) against the mock AI services on loopback:
//   - the 16 failoverbench scenarios (demo/server/stream-scenarios.js, as e2e/router-stream.spec.js
//     runs them in Chromium): outcome, time to the complete answer or to the error, attempts,
//     and the latency added against the healthy case (median over the runs);
//   - time-to-first-token overhead: router.stream's first text event against a bare fetch of
//     the same stream reading up to its first content chunk (alternating, p50/p99).
// BENCH_QUICK=1: 1 run per scenario and 30 TTFT pairs (bench/results/quick/).
import { init, createRouter } from '../js/index.js';
import { startAIServices, SERVICE_SPECS } from '../demo/server/index.js';
import { STREAM_SCENARIOS, STREAM_ROUTER_OPTIONS, STREAM_REQUEST } from '../demo/server/stream-scenarios.js';
import { startResult } from './result-file.js';

const quick = process.env.BENCH_QUICK === '1';
const RUNS = quick ? 1 : 3;
const PAIRS = quick ? 30 : 300;
const NAMES = ['gemini', 'perplexity', 'llama'];
const result = startResult('router-stream', {
  runsPerScenario: RUNS, ttftPairs: PAIRS, request: STREAM_REQUEST, router: STREAM_ROUTER_OPTIONS,
  services: 'mock AI services (demo/server), 60 words every 10 ms; gemini in Gemini format, perplexity and llama OpenAI-compatible',
  statistic: 'median over runs (scenarios); p50/p99 over pairs (TTFT)', environment: `Node ${process.version}`,
});

await init({ router: true });
const ai = await startAIServices({ seed: 7, control: false });
const services = NAMES.map((name, i) => ({
  name, baseUrl: ai.urls[name], capabilities: SERVICE_SPECS[name].capabilities, priority: i + 1, healthPath: '', format: SERVICE_SPECS[name].streamFormat ?? 'openai',
}));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]; };
const r1 = (x) => Math.round(x * 10) / 10;

async function one(router, request) {
  const t0 = performance.now();
  const s = router.stream('analysis', { path: '/v1/stream/analysis', body: { prompt: 'ward 7' }, ...STREAM_REQUEST, ...request });
  try {
    const r = await s.result;
    return { outcome: 'complete', ms: performance.now() - t0, service: r.service, attempts: r.attempts, continued: r.continued, restarted: r.restarted };
  } catch (e) {
    return { outcome: 'error', ms: performance.now() - t0, service: e.service, attempts: e.attempts, reason: e.reason, partialChars: (e.partial || '').length };
  }
}

async function scenario(sc) {
  for (const n of NAMES) ai.services[n].setStreamFault(sc.faults[n] ?? { kind: 'none' });
  const router = createRouter({ services, ...STREAM_ROUTER_OPTIONS });
  const calls = [];
  try {
    for (let i = 0; i < (sc.calls || 1); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, i === sc.calls - 1 && sc.lastGapMs ? sc.lastGapMs : sc.gapMs || 0));
      calls.push(await one(router, sc.request));
    }
  } finally {
    router.close();
  }
  return calls;
}

// A warm-up call (the Wasm's first runs, the first connections) is not measured.
await scenario(STREAM_SCENARIOS[0]);
const rows = [];
let healthyMs = null;
for (const sc of STREAM_SCENARIOS) {
  const runs = [];
  for (let k = 0; k < RUNS; k++) runs.push(await scenario(sc));
  const last = runs.map((c) => c[c.length - 1]);
  const ms = pct(last.map((c) => c.ms), 50);
  if (healthyMs === null) healthyMs = ms;
  const e = sc.expect;
  const ok = last.every((c) => c.outcome === e.outcome && (e.outcome === 'complete' ? c.service === e.service : c.reason === e.reason));
  const row = {
    scenario: sc.name, expected: e.outcome === 'complete' ? `complete from ${e.service}` : `error (${e.reason})`, ok,
    outcome: last[0].outcome === 'complete' ? `complete from ${last[0].service}${last[0].continued ? ', continued' : ''}${last[0].restarted ? ', restarted' : ''}` : `error (${last[0].reason}, ${last[0].partialChars} chars kept)`,
    msToEnd: r1(ms), attempts: last[0].attempts, addedMsVsHealthy: r1(ms - healthyMs),
    ...(sc.calls ? { calls: runs[0].map((c) => `${c.service}/${c.attempts}`) } : {}),
  };
  rows.push(row);
  console.log(`${sc.name.padEnd(30)} ${row.ok ? 'ok ' : 'BAD'} ${row.outcome.padEnd(40)} ${String(row.msToEnd).padStart(7)} ms  attempts ${row.attempts}  +${row.addedMsVsHealthy} ms`);
}
result.doc.figures.scenarios = rows;

// TTFT: the same healthy stream (llama, OpenAI format), bare fetch vs router.stream.
for (const n of NAMES) ai.services[n].setStreamFault({ kind: 'none' });
const url = `${ai.urls.llama}/v1/stream/analysis`;
async function bare() {
  const t0 = performance.now();
  const ctrl = new AbortController();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: '{"prompt":"ward 7"}', signal: ctrl.signal });
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('no content');
    buf += dec.decode(value, { stream: true });
    if (buf.includes('"content"')) break;
  }
  const t = performance.now() - t0;
  ctrl.abort();
  return t;
}
const router = createRouter({ services: [services[2]], ...STREAM_ROUTER_OPTIONS });
async function routed() {
  const t0 = performance.now();
  const s = router.stream('analysis', { path: '/v1/stream/analysis', body: { prompt: 'ward 7' }, ...STREAM_REQUEST });
  for await (const e of s) if (e.type === 'text') break; // leaving the loop aborts the call
  return performance.now() - t0;
}
const bareMs = [];
const routedMs = [];
for (let i = 0; i < PAIRS; i++) {
  if (i % 2) { routedMs.push(await routed()); bareMs.push(await bare()); } else { bareMs.push(await bare()); routedMs.push(await routed()); }
}
router.close();
const ttft = {
  what: 'ms from the call to the first content chunk, one service (llama, OpenAI format, first word after 10 ms)',
  bare: { p50: r1(pct(bareMs, 50)), p99: r1(pct(bareMs, 99)) },
  routerStream: { p50: r1(pct(routedMs, 50)), p99: r1(pct(routedMs, 99)) },
};
ttft.overhead = { p50: r1(ttft.routerStream.p50 - ttft.bare.p50), p99: r1(ttft.routerStream.p99 - ttft.bare.p99) };
result.doc.figures.ttft = ttft;
console.log(`TTFT bare p50 ${ttft.bare.p50} p99 ${ttft.bare.p99}; router.stream p50 ${ttft.routerStream.p50} p99 ${ttft.routerStream.p99}; overhead p50 ${ttft.overhead.p50} p99 ${ttft.overhead.p99} ms`);
await ai.close();
result.write();
