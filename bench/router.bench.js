// Per-request cost of the router from JS (decision in the Wasm core, action round trip, promise),
// with an in-memory transport that answers at once, against:
//   - the bare transport call (the floor: what any client pays),
//   - cockatiel: wrap(retry, circuitBreaker) around the same call (failover-ish policy stack),
//   - opossum: CircuitBreaker#fire around the same call.
// Also the failover path: primary answers 500, the second service answers.
// Median ns/op over rotating rounds; BENCH_QUICK=1: short run (well under 20 s).
// Writes every figure to bench/results/router.json (BENCH_QUICK=1: bench/results/quick/).
import { init, createRouter } from '../js/index.js';
import { startResult } from './result-file.js';
import CircuitBreaker from 'opossum';
import { circuitBreaker, handleAll, retry, wrap, ConsecutiveBreaker } from 'cockatiel';

const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 5 : 15;
const CALLS = quick ? 2000 : 20000;
const result = startResult('router', { rounds: ROUNDS, callsPerRound: CALLS, transport: 'in-memory, answers at once', statistic: 'median ns/op over rotating rounds' });

await init({ router: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let failPrimary = false;
const answer = { status: 200, headers: {}, body: '{"ok":true}' };
const transport = {
  fetch({ url }) {
    if (failPrimary && url.startsWith('http://gemini')) return Promise.resolve({ status: 500, headers: {}, body: '' });
    return Promise.resolve(answer);
  },
};

const router = createRouter({
  services: [
    { name: 'gemini', baseUrl: 'http://gemini.test', capabilities: ['analysis'], healthPath: '' },
    { name: 'perplexity', baseUrl: 'http://perplexity.test', capabilities: ['analysis'], healthPath: '' },
  ],
  transport,
  // The failover round sends every request to a failing primary first: keep its breaker shut
  // and the budget out of the way, so the bench measures the failover path itself.
  breakerConsecutiveFailures: 0,
  breakerMinCalls: 4294967295,
  retryBudgetReservePerSecond: 1000000,
});

const cockatiel = wrap(retry(handleAll, { maxAttempts: 1 }), circuitBreaker(handleAll, { halfOpenAfter: 5000, breaker: new ConsecutiveBreaker(5) }));
const opossum = new CircuitBreaker((u) => transport.fetch({ url: u }), { timeout: false, errorThresholdPercentage: 50, resetTimeout: 5000 });

const contenders = [
  { name: 'lifeline router.request (Wasm core)', run: async (n) => { for (let i = 0; i < n; i++) await router.request('analysis'); } },
  { name: 'bare transport call', run: async (n) => { for (let i = 0; i < n; i++) await transport.fetch({ url: 'http://gemini.test' }); } },
  { name: 'cockatiel wrap(retry, circuitBreaker)', run: async (n) => { for (let i = 0; i < n; i++) await cockatiel.execute(() => transport.fetch({ url: 'http://gemini.test' })); } },
  { name: 'opossum CircuitBreaker#fire', run: async (n) => { for (let i = 0; i < n; i++) await opossum.fire('http://gemini.test'); } },
];

async function rounds(list) {
  const results = new Map(list.map((c) => [c.name, []]));
  for (const c of list) await c.run(200);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < list.length; i++) {
      const c = list[(i + r) % list.length];
      const t0 = process.hrtime.bigint();
      await c.run(CALLS);
      results.get(c.name).push(Number(process.hrtime.bigint() - t0) / CALLS);
    }
  }
  return list.map((c) => ({ name: c.name, ns: median(results.get(c.name)) }));
}

function report(key, title, rows) {
  console.log(`\n${title}`);
  const base = rows[0].ns;
  for (const r of rows) console.log(`  ${r.name.padEnd(44)} ${r.ns.toFixed(0).padStart(9)} ns/op   x${(r.ns / base).toFixed(2)} vs first`);
  result.doc.figures[key] = { title, rows: rows.map((r) => ({ name: r.name, nsPerOp: Math.round(r.ns), xVsFirst: Math.round((r.ns / base) * 100) / 100 })) };
}

report('firstChoice', 'one request, answered at once by the first choice', await rounds(contenders));

failPrimary = true;
const res = await router.request('analysis');
if (res.service !== 'perplexity' || res.attempts !== 2) throw new Error(`failover bench is not failing over: ${JSON.stringify(res)}`);
report('failover', 'one request, primary answers 500, second service answers (2 attempts)', await rounds(contenders.slice(0, 1)));
router.close();
opossum.shutdown();
result.write();
