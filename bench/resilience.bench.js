// Per-call cost of the resilience layer from JS, against peers in the same Node process:
//   1. one call through a circuit breaker on an immediately-resolving async function:
//      lifeline breaker.fire  vs  opossum CircuitBreaker#fire  vs  cockatiel circuitBreaker.execute
//   2. one histogram record():  lifeline (Wasm)  vs  hdr-histogram-js build() (JS)  and its
//      WebAssembly variant
// Each round runs every contender once, in rotating order; the report is the median ns/op over
// rounds and the ratio to lifeline. BENCH_QUICK=1: fewer, shorter rounds (well under 20 s).
// Writes every figure to bench/results/resilience.json (BENCH_QUICK=1: bench/results/quick/).
import { init, createBreaker, createHistogram } from '../js/index.js';
import CircuitBreaker from 'opossum';
import { circuitBreaker, handleAll, ConsecutiveBreaker, SamplingBreaker } from 'cockatiel';
import * as hdr from 'hdr-histogram-js';
import { startResult } from './result-file.js';

const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 5 : 15;
const CALLS = quick ? 20000 : 100000; // breaker calls per contender per round
const RECORDS = quick ? 200000 : 2000000; // histogram records per contender per round
const result = startResult('resilience', { rounds: ROUNDS, breakerCallsPerRound: CALLS, histogramRecordsPerRound: RECORDS, statistic: 'median ns/op over rotating rounds' });

await init({ router: true });
await hdr.initWebAssembly();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function runRounds(contenders, perRound) {
  const results = new Map(contenders.map((c) => [c.name, []]));
  for (const c of contenders) await c.run(Math.min(perRound, 5000)); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
    for (const c of order) {
      const t0 = process.hrtime.bigint();
      await c.run(perRound);
      const ns = Number(process.hrtime.bigint() - t0);
      results.get(c.name).push(ns / perRound);
    }
  }
  return contenders.map((c) => ({ name: c.name, ns: median(results.get(c.name)) }));
}

function report(key, title, rows) {
  const base = rows[0].ns;
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(44)} ${r.ns.toFixed(1).padStart(9)} ns/op   x${(r.ns / base).toFixed(2)} vs lifeline`);
  }
  // xVsLifeline: this contender's time over lifeline's (above 1: lifeline is faster)
  result.doc.figures[key] = { title, rows: rows.map((r) => ({ name: r.name, nsPerOp: Math.round(r.ns * 10) / 10, xVsLifeline: Math.round((r.ns / base) * 100) / 100 })) };
}

// ---- 1. breaker around an immediately-resolving function ----
const work = async () => 1;

const lifelineBreaker = createBreaker({ seed: 1 });
const opossum = new CircuitBreaker(work, { timeout: false, resetTimeout: 5000, errorThresholdPercentage: 50, rollingCountTimeout: 60000, rollingCountBuckets: 60 });
const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: 5000, breaker: new ConsecutiveBreaker(5) });
// The peer closest to lifeline's rule (failure rate over a time window, minimum volume).
const cockatielSampling = circuitBreaker(handleAll, { halfOpenAfter: 5000, breaker: new SamplingBreaker({ threshold: 0.5, duration: 60000, minimumRps: 1 }) });
// Same breaker with a free clock: shows how much of the cost is the clock read (performance.now).
const lifelineNoClock = createBreaker({ seed: 1, clock: () => 0 });

const breakerRows = await runRounds([
  { name: 'lifeline breaker.fire(fn)', run: async (n) => { for (let i = 0; i < n; i++) await lifelineBreaker.fire(work); } },
  { name: 'opossum breaker.fire()', run: async (n) => { for (let i = 0; i < n; i++) await opossum.fire(); } },
  { name: 'cockatiel execute(fn), ConsecutiveBreaker', run: async (n) => { for (let i = 0; i < n; i++) await cockatiel.execute(work); } },
  { name: 'cockatiel execute(fn), SamplingBreaker 60 s', run: async (n) => { for (let i = 0; i < n; i++) await cockatielSampling.execute(work); } },
  { name: '(lifeline fire, clock () => 0)', run: async (n) => { for (let i = 0; i < n; i++) await lifelineNoClock.fire(work); } },
  { name: '(no breaker: await fn())', run: async (n) => { for (let i = 0; i < n; i++) await work(); } },
], CALLS);
report('breaker', `breaker: one call on an immediately-resolving async function (median of ${ROUNDS} rounds x ${CALLS} calls)`, breakerRows);
opossum.shutdown();
lifelineBreaker.free();
lifelineNoClock.free();

// ---- 2. histogram record ----
const values = new Float64Array(1 << 16);
let seed = 7;
for (let i = 0; i < values.length; i++) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  values[i] = 1 + Math.floor(Math.exp((seed / 2147483648) * 11)); // 1 .. ~60000, integers
}
const mask = values.length - 1;
const lh = createHistogram();
const hjs = hdr.build();
const hwasm = hdr.build({ useWebAssembly: true });
const histRows = await runRounds([
  { name: 'lifeline histogram.record(v)', run: (n) => { for (let i = 0; i < n; i++) lh.record(values[i & mask]); } },
  { name: 'hdr-histogram-js build().recordValue(v)', run: (n) => { for (let i = 0; i < n; i++) hjs.recordValue(values[i & mask]); } },
  { name: 'hdr-histogram-js wasm recordValue(v)', run: (n) => { for (let i = 0; i < n; i++) hwasm.recordValue(values[i & mask]); } },
], RECORDS);
report('histogram', `histogram: one record() from JS (median of ${ROUNDS} rounds x ${RECORDS} records)`, histRows);

// Same data, same answers? (a sanity line, not a benchmark)
const q = (h, p) => h.getValueAtPercentile(p);
console.log(`\n  p99 check: lifeline ${lh.quantile(0.99).toFixed(1)}, hdr js ${q(hjs, 99)}, hdr wasm ${q(hwasm, 99)}; count ${lh.count} / ${hjs.totalCount} / ${hwasm.totalCount}`);
result.doc.figures.p99Check = { lifeline: Math.round(lh.quantile(0.99) * 10) / 10, hdrJs: q(hjs, 99), hdrWasm: q(hwasm, 99), counts: [lh.count, hjs.totalCount, hwasm.totalCount] };
lh.free();
hwasm.destroy();
result.write();
