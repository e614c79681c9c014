import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getRouterCore } from '../../js/wasm.js';
import {
  init, LifelineError, createBackoff, createBreaker, createHistogram, createMetrics,
} from '../../js/index.js';

await init({ router: true });

function fakeClock(start = 0) {
  const c = { t: start };
  c.now = () => c.t;
  return c;
}

test('backoff: defaults, no-jitter growth to the cap, reset', () => {
  const b = createBackoff({ jitter: 'none', seed: 1, adaptive: false });
  const got = Array.from({ length: 10 }, () => b.next(0));
  assert.deepEqual(got, [1000, 1600, 2560, 4096, 6554, 10486, 16777, 26844, 30000, 30000]);
  assert.equal(b.attempt, 10);
  b.reset();
  assert.equal(b.next(0), 1000);
  b.free();
  b.free(); // idempotent
  assert.throws(() => b.next(0), LifelineError);
});

test('backoff: full jitter over 100k draws stays in bounds with mean half the ceiling', () => {
  const b = createBackoff({ seed: 42, adaptive: false });
  const ceil = [1000, 1600, 2560, 4096];
  const sums = [0, 0, 0, 0];
  const n = 25000;
  for (let r = 0; r < n; r++) {
    b.reset();
    for (let i = 0; i < 4; i++) {
      const d = b.next(0);
      assert.ok(d >= 0 && d <= ceil[i]);
      sums[i] += d;
    }
  }
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(sums[i] / n - ceil[i] / 2) < ceil[i] * 0.02, `step ${i}`);
  b.free();
});

test('backoff: same seed, same delays; server retry, Retry-After floor, max attempts', () => {
  const a = createBackoff({ seed: 7, jitter: 'decorrelated' });
  const b = createBackoff({ seed: 7, jitter: 'decorrelated' });
  for (let i = 0; i < 20; i++) assert.equal(a.next(0), b.next(0));
  const c = createBackoff({ jitter: 'none', seed: 1, multiplier: 2, maxAttempts: 3, adaptive: false });
  c.setServerRetry(3000); // a floor with up to a fifth added, not the base of the growth
  const first = c.next(0);
  assert.ok(first >= 3000 && first <= 3600, String(first));
  c.setRetryAfter(20000); // the server's time, up to a fifth added
  const ra = c.next(0);
  assert.ok(ra >= 20000 && ra <= 24000, String(ra));
  assert.equal(c.next(0), 4000);
  assert.equal(c.next(0), null);
  c.progress(); // the stream delivered something new: attempt 0 again
  const again = c.next(0);
  assert.ok(again >= 3000 && again <= 3600, String(again));
  for (const x of [a, b, c]) x.free();
});

test('backoff: reset only after a healthy connection; quality adaptation', () => {
  const clk = fakeClock();
  const b = createBackoff({ jitter: 'none', seed: 1, multiplier: 2, clock: clk.now, adaptive: false });
  assert.equal(b.next(), 1000);
  clk.t = 1000;
  b.connected();
  assert.equal(b.deadline(), 6000);
  clk.t = 1100; // dropped at once: no reset
  assert.equal(b.next(), 2000);
  assert.equal(b.deadline(), Infinity);
  b.connected();
  clk.t = 6100;
  assert.equal(b.healthyCheck(), true);
  assert.equal(b.attempt, 0);
  const q = createBackoff({ seed: 3 });
  assert.equal(q.quality, 'moderate');
  for (let i = 0; i < 8; i++) q.recordOutcome(false);
  assert.equal(q.quality, 'poor');
  for (let i = 0; i < 16; i++) q.recordOutcome(true);
  q.recordConnect(80);
  assert.equal(q.quality, 'good');
  b.free();
  q.free();
});

// The core judges values (lifeline_backoff_init); the error names the option it refuses.
const invalid = (re) => (err) => err instanceof LifelineError && err.code === 'LIFELINE_ERR_INVALID_ARGUMENT' && re.test(err.message);

test('backoff: argument errors', () => {
  assert.throws(() => createBackoff({ jitter: 'fulll' }), invalid(/^createBackoff: invalid argument: jitter = "fulll"$/));
  assert.throws(() => createBackoff({ jitter: 3 }), TypeError);
  assert.throws(() => createBackoff({ initialMs: -1 }), invalid(/: initialMs = -1$/));
  assert.throws(() => createBackoff({ initialMs: 1.5 }), invalid(/: initialMs = 1.5$/));
  assert.throws(() => createBackoff({ initialMs: 5000, maxMs: 100 }), invalid(/: maxMs = 100$/));
  assert.throws(() => createBackoff({ multiplier: 11 }), invalid(/: multiplier = 11$/));
  assert.throws(() => createBackoff({ multiplier: '2' }), TypeError);
  assert.throws(() => createBackoff({ multipler: 2 }), /unknown option "multipler"/);
  assert.throws(() => createBackoff({ clock: 5 }), TypeError);
  assert.throws(() => createBackoff(null), TypeError);
  const b = createBackoff({ seed: 1 });
  assert.throws(() => b.setServerRetry(-5), RangeError);
  assert.throws(() => b.setRetryAfter('x'), TypeError);
  b.free();
});

test('breaker: consecutive failures, change events, half-open probes, close', () => {
  const clk = fakeClock();
  const br = createBreaker({ openJitter: 0, seed: 1, clock: clk.now });
  const changes = [];
  const off = br.onStateChange((c) => changes.push(c));
  for (let i = 0; i < 5; i++) {
    assert.equal(br.allow(), true);
    br.onFailure();
  }
  assert.equal(br.state(), 'open');
  assert.equal(br.allow(), false);
  assert.equal(br.deadline(), 5000);
  assert.deepEqual(changes[0], {
    from: 'closed', to: 'open', reason: 'consecutive-failures', at: 0, failureRate: 1, calls: 5,
    failures: 5, consecutiveFailures: 5, breakMs: 5000,
  });
  clk.t = 5000;
  assert.equal(br.state(), 'half-open');
  assert.equal(changes[1].reason, 'break-elapsed');
  assert.deepEqual([br.allow(), br.allow(), br.allow(), br.allow()], [true, true, true, false]);
  br.onSuccess(5100, 20);
  br.onSuccess(5100, 20);
  assert.equal(br.state(), 'closed');
  assert.equal(changes[2].reason, 'probes-succeeded');
  const s = br.snapshot();
  assert.equal(s.state, 'closed');
  assert.equal(s.calls, 0);
  assert.equal(s.trips, 1);
  assert.equal(s.rejected, 2);
  off();
  br.forceOpen();
  assert.equal(changes.length, 3);
  assert.equal(br.allow(), false);
  assert.equal(br.snapshot().mode, 'forced-open');
  br.reset();
  assert.equal(br.allow(), true);
  br.free();
});

test('breaker: failure rate over the window, minimum calls, 60.001 s boundary', () => {
  const clk = fakeClock(10000);
  const br = createBreaker({ openJitter: 0, consecutiveFailures: 0, seed: 1, clock: clk.now });
  for (let i = 0; i < 9; i++) { br.allow(); br.onFailure(); }
  assert.equal(br.state(), 'closed'); // below the minimum of 10 calls
  assert.equal(br.snapshot().calls, 9);
  clk.t = 10000 + 59000;
  assert.equal(br.snapshot().failures, 9);
  clk.t = 10000 + 60001;
  assert.equal(br.snapshot().failures, 0);
  for (let i = 0; i < 10; i++) { br.allow(); br.record(i < 5); }
  assert.equal(br.state(), 'closed'); // exactly 50% does not trip
  br.allow();
  br.onFailure();
  assert.equal(br.state(), 'open');
  br.free();
});

test('breaker: half-open timeout and doubling break', () => {
  const clk = fakeClock();
  const br = createBreaker({ openJitter: 0, seed: 1, clock: clk.now, consecutiveFailures: 1 });
  br.allow();
  br.onFailure();
  clk.t = 5000;
  assert.equal(br.allow(), true); // probe that never returns
  clk.t = 15000;
  assert.equal(br.state(), 'open');
  assert.equal(br.deadline(), 25000);
  br.free();
});

// A breaker made through the raw exports: the core's defaults, then the fields of `opts`.
function rawBreaker(core, opts) {
  const fields = ['failureRateThreshold', 'windowMs', 'windowBuckets', 'minimumCalls', 'consecutiveFailures', 'openMs',
    'maxOpenMs', 'openJitter', 'halfOpenProbes', 'halfOpenSuccesses', 'halfOpenFailures', 'halfOpenTimeoutMs', 'slowCallMs', 'seed'];
  const cfg = core._malloc(fields.length * 8);
  core._lifeline_wasm_breaker_defaults(cfg);
  fields.forEach((f, i) => { if (opts[f] !== undefined) core.HEAPF64[(cfg >> 3) + i] = opts[f]; });
  const ptr = core._lifeline_wasm_breaker_new(cfg);
  core._free(cfg);
  assert.ok(ptr);
  return ptr;
}

test('breaker: the JS fast path (no Wasm allow() while closed) agrees with the core on random walks', () => {
  const core = getRouterCore();
  for (let seed = 1; seed <= 5; seed++) {
    const clk = fakeClock();
    const opts = { seed, clock: clk.now, consecutiveFailures: 3, minimumCalls: 4, openMs: 500, maxOpenMs: 4000, halfOpenTimeoutMs: 2000 };
    const a = createBreaker(opts);
    const b = { _ptr: rawBreaker(core, opts) }; // driven through the raw exports only
    let x = seed * 7919;
    const rand = (n) => ((x = (x * 1103515245 + 12345) % 2147483648) % n);
    let trips = 0;
    a.onStateChange((c) => { if (c.to === 'open') trips++; });
    for (let step = 0; step < 5000; step++) {
      const op = rand(10);
      if (op < 4) {
        assert.equal(a.allow(), (core._lifeline_wasm_breaker_allow(b._ptr, clk.t) & 1) === 1, `step ${step}`);
      } else if (op < 8) {
        const ok = rand(100) < (step % 1000 < 500 ? 30 : 90);
        a.record(ok, 1);
        core._lifeline_wasm_breaker_record(b._ptr, ok ? 1 : 0, 1, clk.t);
      } else {
        clk.t += rand(op === 8 ? 300 : 5000);
        if (rand(4) === 0) { // sometimes both apply time-driven transitions now
          assert.equal(a.state(), ['closed', 'open', 'half-open'][core._lifeline_wasm_breaker_tick(b._ptr, clk.t) & 3]);
        }
      }
      // The raw states must agree at every step (a's cached "closed" is not consulted here).
      // deadline() reads without ticking: it differs between the states (break end, half-open timeout, never)
      assert.equal(a.deadline(), core._lifeline_wasm_breaker_deadline(b._ptr), `step ${step}`);
    }
    assert.ok(trips > 5);
    a.free();
    core._lifeline_wasm_breaker_free(b._ptr);
  }
});

test('breaker: argument errors', () => {
  assert.throws(() => createBreaker({ failureRateThreshold: 0 }), invalid(/^createBreaker: invalid argument: failureRateThreshold = 0$/));
  assert.throws(() => createBreaker({ failureRateThreshold: 1.5 }), invalid(/: failureRateThreshold = 1.5$/));
  assert.throws(() => createBreaker({ failureRateThreshold: '0.5' }), TypeError);
  // No single default fixes it: both options are named.
  assert.throws(() => createBreaker({ halfOpenSuccesses: 3, halfOpenFailures: 3 }), invalid(/: halfOpenSuccesses = 3, halfOpenFailures = 3$/));
  assert.throws(() => createBreaker({ windowMs: 60000, windowBuckets: 7 }), invalid(/: windowBuckets = 7$/));
  assert.throws(() => createBreaker({ openMs: 10000, maxOpenMs: 5000 }), invalid(/: openMs = 10000, maxOpenMs = 5000$/));
  assert.throws(() => createBreaker({ openJitter: 0.95 }), invalid(/: openJitter = 0.95$/));
  assert.throws(() => createBreaker({ timeout: 5 }), /unknown option "timeout"/);
  assert.throws(() => createBreaker({ isFailure: 1 }), TypeError);
  const br = createBreaker({ seed: 1 });
  assert.throws(() => br.onStateChange('x'), TypeError);
  assert.throws(() => br.record(true, -1), RangeError);
  br.free();
});

test('breaker.fire: outcomes, latency, rejection with LIFELINE_ERR_REJECTED', async () => {
  const clk = fakeClock();
  const br = createBreaker({ openJitter: 0, seed: 1, clock: clk.now, consecutiveFailures: 2, slowCallMs: 100 });
  assert.equal(await br.fire(async (a, b) => a + b, 2, 3), 5);
  await assert.rejects(br.fire(() => { throw new Error('sync boom'); }), /sync boom/);
  // A slow success counts as a failure: the clock advances while the call runs.
  await br.fire(async () => { clk.t += 150; return 'slow'; });
  assert.equal(br.state(), 'open');
  const err = await br.fire(async () => 'never called').then(() => null, (e) => e);
  assert.ok(err instanceof LifelineError);
  assert.equal(err.code, 'LIFELINE_ERR_REJECTED');
  assert.equal(err.errno, -9);
  await assert.rejects(br.fire('not a function'), TypeError);
  // isFailure: ignored errors do not count.
  const br2 = createBreaker({ seed: 1, clock: clk.now, consecutiveFailures: 1, isFailure: (e) => e.code !== 'NOT_FOUND' });
  const notFound = Object.assign(new Error('404'), { code: 'NOT_FOUND' });
  await assert.rejects(br2.fire(async () => { throw notFound; }));
  assert.equal(br2.state(), 'closed');
  const wrapped = br2.wrap(async (x) => { throw new Error(x); });
  await assert.rejects(wrapped('down'), /down/);
  assert.equal(br2.state(), 'open');
  br.free();
  br2.free();
});

test('histogram: quantiles within 1% of exact sorted quantiles', () => {
  const h = createHistogram();
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const data = [];
  for (let i = 0; i < 50000; i++) {
    const v = Math.exp(rand() * 9) * 0.3;
    data.push(v);
    h.record(v);
  }
  data.sort((a, b) => a - b);
  for (const q of [0.5, 0.9, 0.95, 0.99]) {
    const exact = data[Math.ceil(q * data.length) - 1];
    assert.ok(Math.abs(h.quantile(q) - exact) / exact < 0.01, `q${q}`);
  }
  assert.equal(h.count, 50000);
  assert.equal(h.min, data[0]);
  assert.equal(h.max, data[data.length - 1]);
  const j = h.toJSON();
  assert.equal(j.count, 50000);
  assert.ok(Math.abs(j.mean - data.reduce((a, b) => a + b, 0) / data.length) < 1e-6);
  const g = createHistogram();
  g.record(1e6);
  h.merge(g);
  assert.equal(h.max, 1e6);
  assert.equal(h.count, 50001);
  h.reset();
  assert.equal(h.count, 0);
  assert.ok(Number.isNaN(h.min));
  assert.throws(() => h.record(-1), RangeError);
  assert.throws(() => h.record(NaN), RangeError);
  assert.throws(() => h.record('5'), TypeError);
  assert.throws(() => h.quantile(2), RangeError);
  assert.throws(() => h.merge({}), TypeError);
  h.free();
  g.free();
  assert.throws(() => h.record(1), LifelineError);
});

test('metrics: counters, gauges, histograms, SLO; JSON and Prometheus', () => {
  const clk = fakeClock(1000);
  const m = createMetrics({ clock: clk.now });
  const req = m.counter('requests_total', 'Requests');
  const open = m.gauge('sse_open');
  const lat = m.histogram('latency_ms', 'Latency');
  const slo = m.slo('api', { target: 0.99 });
  req.add(120);
  open.set(3);
  lat.observe(10);
  lat.observe(20);
  for (let i = 0; i < 99; i++) slo.record(true);
  slo.record(false);
  const snap = m.snapshot();
  assert.deepEqual(snap.counters.requests_total, { value: 120, rate1m: 2, rate5m: 0.4 });
  assert.equal(snap.gauges.sse_open, 3);
  assert.equal(snap.histograms.latency_ms.count, 2);
  assert.equal(snap.histograms.latency_ms.lastMinute.p99, 20);
  assert.equal(snap.slos.api.availability, 0.99);
  assert.equal(snap.slos.api.alerting, false);
  const r = slo.report();
  assert.ok(Math.abs(r.burnRateShort - 1) < 1e-9);
  const text = m.prometheus();
  assert.match(text, /^# HELP requests_total Requests\n# TYPE requests_total counter\nrequests_total 120\n/);
  assert.match(text, /latency_ms\{quantile="0.5"\} 10\n/);
  assert.match(text, /api_burn_rate\{window="3600s"\} 1\n/);
  // Many metrics: the JS side grows its buffer until the text fits.
  for (let i = 0; i < 40; i++) m.counter(`c${i}_total`, 'x'.repeat(100)).add(i);
  assert.ok(m.prometheus().length > 4096);
  assert.equal(JSON.parse(m.json()).counters.c39_total.value, 39);
  assert.throws(() => m.counter('bad-name'), LifelineError);
  assert.throws(() => m.counter('requests_total'), /requests_total/);
  assert.throws(() => m.slo('s2', { target: 1 }), RangeError);
  assert.throws(() => m.slo('s3', { shortWindowMs: 1001 }), RangeError);
  assert.throws(() => lat.observe(-1), RangeError);
  assert.throws(() => open.set('x'), TypeError);
  m.free();
  assert.throws(() => req.add(1), LifelineError);
});

test('type declarations compile under tsc --strict', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '--noEmit', '--strict',
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'false',
    `${root}tests/js/types/resilience-types.ts`], { stdio: 'pipe' });
});
