// The router in Chromium over the Emscripten fetch transport, against the mock AI services:
// no request fails while the primary is killed (refused connections, 500s, hanging), failover
// adds < 2 s (p99 over >= 100 requests), a dead service is reported down within 30 s with the
// default probe settings, and traffic returns to a recovered primary. Prints the figures and
// writes them to build/router-e2e.json, or to ROUTER_E2E_OUT: the committed result file that
// docs/router.md and README's measured table quote is made by
//   ROUTER_E2E_OUT=bench/results/router-e2e.json npx playwright test e2e/router.spec.js
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';
import { startAIServices, SERVICE_SPECS } from '../demo/server/index.js';
import { machine, core, keepPrevious } from '../bench/result-file.js';

const OUT = process.env.ROUTER_E2E_OUT;
const FIGURES = OUT ? new URL(OUT, new URL('../', import.meta.url)) : new URL('../build/router-e2e.json', import.meta.url);

/** Merges one scenario's figures into the file (each test adds its own key, with its time). */
function record(key, value) {
  let all = {};
  try {
    all = JSON.parse(readFileSync(FIGURES, 'utf8'));
  } catch {}
  if (all.bench !== 'router-e2e') all = {}; // an older layout
  // Each test of one run adds its key; a file from an earlier run (another Playwright runner:
  // the workers' parent) goes to bench/results/history/ first, so no run mixes with another.
  if (OUT && all.bench && all.runnerPid !== process.ppid) {
    keepPrevious(FIGURES, 'router-e2e');
    all = {};
  }
  all.bench = 'router-e2e';
  all.runnerPid = process.ppid;
  all.command = `ROUTER_E2E_OUT=${OUT ?? 'build/router-e2e.json'} npx playwright test e2e/router.spec.js`;
  all.date = new Date().toISOString();
  all.machine = machine();
  all.core = core();
  all.params = {
    concurrency: 4, warmupRequests: 80, requestsWhilePrimaryDown: 110,
    services: 'mock AI services (demo/server), seed 7: gemini ~120 ms, perplexity ~180 ms, llama ~90 ms',
    failoverCost: 'elapsedMs - latencyMs of each answer that took more than one attempt',
  };
  all.figures = { ...all.figures, [key]: { ...value, at: new Date().toISOString() } };
  mkdirSync(new URL('.', FIGURES), { recursive: true });
  writeFileSync(FIGURES, JSON.stringify(all, null, 1) + '\n');
  console.log(`router e2e ${key}: ${JSON.stringify(value)}`);
}

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};

function servicesOf(ai) {
  return ['gemini', 'perplexity', 'llama'].map((name, i) => ({
    name, baseUrl: ai.urls[name], capabilities: SERVICE_SPECS[name].capabilities, priority: i + 1, healthPath: '/health',
  }));
}

const serviceOf = (ai, name) => servicesOf(ai).find((s) => s.name === name);

async function openWith(page, site, services, options) {
  await page.goto(`${site.url}/e2e/pages/router.html`);
  await expect(page.locator('#out')).toHaveText('ready');
  await page.evaluate(([s, o]) => window.harness.start(s, o), [services, options]);
}

async function until(cond, timeout) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeout) throw new Error(`not within ${timeout} ms: ${cond}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Records, in the page, the platform fetch's cancels and every callback from C to the router. */
async function spyPlatform(page) {
  await page.evaluate(async () => {
    const m = (await import('/js/wasm.js')).getRouterCore();
    const spy = { cancels: [], calls: [] };
    // The glue binds an export on its first call: bind it (an unknown id cancels nothing) first.
    m._lifeline_wasm_router_cancel(0, 0xffffffff);
    const cancel = m._lifeline_wasm_router_cancel;
    m._lifeline_wasm_router_cancel = (r, id) => {
      spy.cancels.push({ id, t: performance.now() });
      return cancel(r, id);
    };
    for (const [ptr, h] of m.lifelineRouters) {
      m.lifelineRouters.set(ptr, {
        onResponse: (id, ...rest) => { spy.calls.push({ id, t: performance.now() }); return h.onResponse(id, ...rest); },
        complete: (id, status) => { spy.calls.push({ id, status, t: performance.now() }); return h.complete(id, status); },
      });
    }
    window.platformFetches = () => m._lifeline_wasm_router_fetches(0);
    window.platformSpy = spy;
  });
}

/** Cancels, callbacks for an attempt after its cancel, and the fetch slots still held. */
const platformSpy = (page) => page.evaluate(() => {
  const { cancels, calls } = window.platformSpy;
  const lateCalls = calls.filter((c) => cancels.some((x) => x.id === c.id && c.t >= x.t));
  return { cancels, lateCalls, fetches: window.platformFetches() };
});

async function openHarness(page, site, ai, options = {}) {
  await page.goto(`${site.url}/e2e/pages/router.html`);
  await expect(page.locator('#out')).toHaveText('ready');
  await page.evaluate(([s, o]) => window.harness.start(s, o), [servicesOf(ai), options]);
}

const count = (page) => page.evaluate(() => window.harness.records.length);
const pageNow = (page) => page.evaluate(() => window.harness.now());

async function untilCount(page, n, timeout) {
  await page.waitForFunction((k) => window.harness.records.length >= k, n, { timeout, polling: 50 });
}

/** Steady traffic, the primary killed mid-traffic for >= 110 requests, then brought back. */
async function killPrimaryUnderLoad(page, site, key, mode, modeOpts, routerOpts = {}, bound = 2000) {
  const ai = await startAIServices({ seed: 7 });
  try {
    await openHarness(page, site, ai, routerOpts);
    await page.evaluate(() => window.harness.startLoad(4));
    // Steady state first: 80 calls rotate the cold ones (connection setup, CORS preflight) to
    // the top 5 % of the 64-call window, where p95 no longer sees them.
    await untilCount(page, 80, 30_000);
    const before = (await page.evaluate(() => window.harness.health()))[0];
    const tFault = await pageNow(page);
    await ai.setMode('gemini', mode, modeOpts);
    const atFault = await count(page);
    await untilCount(page, atFault + 110, 40_000);
    const tBack = await pageNow(page);
    await ai.setMode('gemini', 'normal');
    // Traffic returns to the primary without any user action (probe at the end of the break).
    await page.waitForFunction((t) => window.harness.records.some((r) => r.service === 'gemini' && r.t0 > t), tBack,
      { timeout: 40_000, polling: 50 });
    const recs = await page.evaluate(() => window.harness.stopLoad());
    const errors = recs.filter((r) => r.error);
    const ok = recs.filter((r) => !r.error);
    const added = ok.map((r) => r.elapsedMs - r.latencyMs);
    const failedOver = ok.filter((r) => r.attempts > 1).map((r) => r.elapsedMs - r.latencyMs);
    const faultWindow = ok.filter((r) => r.t0 >= tFault && r.t0 < tBack);
    const backAt = ok.filter((r) => r.service === 'gemini' && r.t0 > tBack).map((r) => r.t1);
    const events = await page.evaluate(() => window.harness.events);
    const down = events.find((e) => e.kind === 'health' && e.name === 'gemini' && e.state === 'down' && e.t >= tFault);
    const figures = {
      primaryP50Ms: before.p50Ms,
      primaryP95Ms: before.p95Ms,
      primaryAttemptTimeoutMs: before.attemptTimeoutMs,
      requests: recs.length,
      failed: errors.length,
      failedOver: failedOver.length,
      servedDuringFault: Object.fromEntries(['gemini', 'perplexity', 'llama'].map((n) => [n, faultWindow.filter((r) => r.service === n).length])),
      addedP50Ms: pct(added, 50),
      addedP99Ms: pct(added, 99),
      addedMaxMs: Math.max(...added),
      failoverP50Ms: pct(failedOver, 50),
      failoverP99Ms: pct(failedOver, 99),
      downAfterMs: down ? Math.round(down.t - tFault) : null,
      trafficBackAfterMs: backAt.length ? Math.round(Math.min(...backAt) - tBack) : null,
      degradedNotices: events.filter((e) => e.kind === 'degraded').length,
      recoveredNotices: events.filter((e) => e.kind === 'recovered').length,
    };
    record(key, figures);
    expect(errors.map((r) => r.error)).toEqual([]);
    expect(recs.length).toBeGreaterThanOrEqual(190);
    expect(ok.every((r) => r.service === r.bodyService && r.status === 200)).toBe(true);
    expect(failedOver.length).toBeGreaterThan(0);
    expect(figures.addedP99Ms).toBeLessThan(bound);
    expect(figures.failoverP99Ms).toBeLessThan(bound);
    expect(faultWindow.filter((r) => r.service === 'perplexity').length).toBeGreaterThan(50);
    expect(figures.downAfterMs).not.toBeNull();
    expect(figures.trafficBackAfterMs).not.toBeNull();
    expect(figures.degradedNotices).toBeGreaterThan(0);
    expect(figures.recoveredNotices).toBeGreaterThan(0);
  } finally {
    await page.evaluate(() => window.harness?.router?.close()).catch(() => {});
    await ai.close();
  }
}

test.describe('router in Chromium (Emscripten fetch)', () => {
  test.describe.configure({ timeout: 120_000 });

  test('primary refuses connections mid-traffic: no request fails, failover < 2 s, traffic returns', async ({ page, site }) => {
    await killPrimaryUnderLoad(page, site, 'refuse', 'refuse');
  });

  test('primary answers 500 mid-traffic: no request fails, failover < 2 s, traffic returns', async ({ page, site }) => {
    await killPrimaryUnderLoad(page, site, 'http500', 'fail', { status: 500 });
  });

  test('primary hangs mid-traffic: attempt timeouts drive failover < 2 s, traffic returns', async ({ page, site }) => {
    await killPrimaryUnderLoad(page, site, 'hang', 'hang');
  });

  test('primary hangs, hedging at 400 ms: failover < 1 s', async ({ page, site }) => {
    await killPrimaryUnderLoad(page, site, 'hang-hedged', 'hang', {}, { hedgeMs: 400 }, 1000);
  });

  test('a cancelled attempt aborts its XHR: the hanging server sees the connection close', async ({ page, site }) => {
    const ai = await startAIServices({ seed: 9 });
    try {
      await openHarness(page, site, ai, { hedgeMs: 100, probeIntervalMs: 0 });
      await ai.setMode('gemini', 'hang');
      const res = await page.evaluate(() => window.harness.router.request('analysis', { path: '/v1/analyze', body: {} })
        .then((r) => ({ service: r.service, attempts: r.attempts, elapsedMs: r.elapsedMs })));
      expect(res.service).toBe('perplexity');
      expect(res.attempts).toBe(2);
      // The loser was cancelled when perplexity answered; its XHR's own timeout (cold 3 s + 250 ms)
      // is far away, so only an abort closes the socket this soon.
      const t0 = Date.now();
      while (ai.services.gemini.status().hanging > 0 && Date.now() - t0 < 1000) await new Promise((r) => setTimeout(r, 20));
      const st = ai.services.gemini.status();
      expect(st.hangsTotal).toBe(1);
      expect(st.hanging).toBe(0);
    } finally {
      await page.evaluate(() => window.harness?.router?.close()).catch(() => {});
      await ai.close();
    }
  });

  // Abort semantics of the platform fetch (src/platform/wasm_router.c): a cancelled or timed-out
  // attempt never calls back, even when its server answers later; no fetch slot stays held.
  test('a request aborted by its signal aborts its XHR at once; its late answer never calls back', async ({ page, site }) => {
    const ai = await startAIServices({ seed: 11 });
    try {
      await openWith(page, site, [serviceOf(ai, 'gemini')], { probeIntervalMs: 0 });
      await spyPlatform(page);
      const gemini = ai.services.gemini;
      await ai.setMode('gemini', 'slow', { latencyMs: 1500 });
      await page.evaluate(() => {
        window.ctrl = new AbortController();
        window.outcome = window.harness.router.request('analysis', { path: '/v1/analyze', body: {}, signal: window.ctrl.signal })
          .then((r) => `answered by ${r.service}`, (e) => e.name);
      });
      await until(() => gemini.status().inFlight === 1, 2000);
      await page.evaluate(() => window.ctrl.abort());
      // The XHR's own timeout (cold 3 s + 250 ms) is far away: only an abort closes it this soon.
      const t0 = Date.now();
      await until(() => gemini.status().inFlight === 0, 1000);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(await page.evaluate(() => window.outcome)).toBe('AbortError');
      await page.waitForTimeout(1800); // past the moment the server would have answered
      const spy = await platformSpy(page);
      expect(spy.cancels.length).toBe(1);
      expect(spy.lateCalls).toEqual([]);
      expect(spy.fetches).toBe(0);
      expect(gemini.status().byStatus[200] ?? 0).toBe(0); // the answer was never sent
    } finally {
      await page.evaluate(() => window.harness?.router?.close()).catch(() => {});
      await ai.close();
    }
  });

  test('a timed-out attempt never calls back when its answer comes later; the request fails over', async ({ page, site }) => {
    const ai = await startAIServices({ seed: 12 });
    try {
      // Attempt timeout 400 ms (before any latency sample), the XHR's own 650 ms.
      await openWith(page, site, [serviceOf(ai, 'gemini'), serviceOf(ai, 'perplexity')], { probeIntervalMs: 0, coldTimeoutMs: 400 });
      await spyPlatform(page);
      await ai.setMode('gemini', 'slow', { latencyMs: 1500 });
      const res = await page.evaluate(() => window.harness.router.request('analysis', { path: '/v1/analyze', body: {} })
        .then((r) => ({ service: r.service, attempts: r.attempts })));
      expect(res).toEqual({ service: 'perplexity', attempts: 2 });
      await page.waitForTimeout(1800);
      const spy = await platformSpy(page);
      expect(spy.cancels.length).toBe(1); // gemini's attempt, at its 400 ms timeout
      expect(spy.lateCalls).toEqual([]);
      expect(spy.fetches).toBe(0);
      expect(ai.services.gemini.status().inFlight).toBe(0);
      expect(ai.services.gemini.status().byStatus[200] ?? 0).toBe(0);
    } finally {
      await page.evaluate(() => window.harness?.router?.close()).catch(() => {});
      await ai.close();
    }
  });

  test('closing the router aborts its calls in flight; nothing is left running or held', async ({ page, site }) => {
    const ai = await startAIServices({ seed: 13 });
    try {
      await openWith(page, site, [serviceOf(ai, 'gemini')], { probeIntervalMs: 0 });
      await spyPlatform(page);
      const gemini = ai.services.gemini;
      await ai.setMode('gemini', 'slow', { latencyMs: 1500 });
      await page.evaluate(() => {
        const ask = () => window.harness.router.request('analysis', { path: '/v1/analyze', body: {} }).then(() => 'answered', (e) => e.message);
        window.outcomes = Promise.all([ask(), ask(), ask()]);
      });
      await until(() => gemini.status().inFlight === 3, 2000);
      expect(await page.evaluate(() => window.platformFetches())).toBe(3);
      await page.evaluate(() => window.harness.router.close());
      expect(await page.evaluate(() => window.outcomes)).toEqual(['router closed', 'router closed', 'router closed']);
      await until(() => gemini.status().inFlight === 0, 1000); // aborted, not timed out (3.25 s)
      await page.waitForTimeout(1800);
      // close() cancels in C (lifeline_wasm_router_free): no call of the export, no callback.
      const spy = await page.evaluate(() => ({ calls: window.platformSpy.calls, fetches: window.platformFetches() }));
      expect(spy).toEqual({ calls: [], fetches: 0 });
      expect(gemini.status().byStatus[200] ?? 0).toBe(0);
    } finally {
      await ai.close();
    }
  });

  test('browser offline: requests fail fast as offline, services are not blamed, back online works', async ({ page, site, context }) => {
    const ai = await startAIServices({ seed: 5 });
    try {
      await openHarness(page, site, ai, { probeIntervalMs: 500 });
      const ask = () => page.evaluate(() => window.harness.router.request('analysis', { path: '/v1/analyze', body: { ward: 'x' } })
        .then((r) => `ok ${r.service}`, (e) => `${e.code}: ${e.message}`));
      expect(await ask()).toBe('ok gemini');
      await context.setOffline(true);
      await page.waitForFunction(() => !navigator.onLine);
      for (let i = 0; i < 6; i++) expect(await ask()).toMatch(/^LIFELINE_ERR_UNAVAILABLE: browser is offline; no answer for 'analysis': gemini network error/);
      await page.waitForTimeout(1500); // probes would have failed three times by now, were they sent
      const h = await page.evaluate(() => window.harness.health());
      expect(h.map((s) => [s.state, s.breaker, s.failures])).toEqual([['healthy', 'closed', 0], ['healthy', 'closed', 0], ['healthy', 'closed', 0]]);
      await context.setOffline(false);
      await page.waitForFunction(() => navigator.onLine);
      expect(await ask()).toBe('ok gemini');
    } finally {
      await page.evaluate(() => window.harness?.router?.close()).catch(() => {});
      await ai.close();
    }
  });

  test('default probes: an idle dead service is reported down within 30 s and taken back', async ({ page, site }) => {
    const ai = await startAIServices({ seed: 3 });
    try {
      await openHarness(page, site, ai); // default probe settings: every 10 s +/- 10 %, 2 s timeout
      await page.waitForTimeout(1500); // first probes (within 1 s of start) have answered
      let h = await page.evaluate(() => window.harness.health());
      expect(h.map((s) => s.state)).toEqual(['healthy', 'healthy', 'healthy']);
      await page.waitForTimeout(Math.floor(Math.random() * 9000)); // any phase of the schedule
      const tKill = await pageNow(page);
      await ai.setMode('llama', 'refuse');
      const downEvent = await page.waitForFunction(
        (t) => window.harness.events.find((e) => e.name === 'llama' && e.state === 'down' && e.t > t), tKill,
        { timeout: 30_000, polling: 50 });
      const down = await downEvent.jsonValue();
      const tBack = await pageNow(page);
      await ai.setMode('llama', 'normal');
      const upEvent = await page.waitForFunction(
        (t) => window.harness.events.find((e) => e.name === 'llama' && e.prev === 'down' && e.t > t), tBack,
        { timeout: 30_000, polling: 50 });
      const up = await upEvent.jsonValue();
      h = await page.evaluate(() => window.harness.health());
      const figures = {
        detectedDownAfterMs: Math.round(down.t - tKill),
        takenBackAfterMs: Math.round(up.t - tBack),
        stateAfterRecovery: h[2].state,
        lastError: h[2].lastError,
      };
      record('detection', figures);
      expect(figures.detectedDownAfterMs).toBeLessThan(30_000);
      expect(up.state).not.toBe('down');
      // A real request for the capability only llama and gemini share goes where it should.
      const res = await page.evaluate(() => window.harness.router.request('summary', { path: '/v1/summary', body: { topic: 'x' } })
        .then((r) => r.service));
      expect(res).toBe('gemini');
    } finally {
      await page.evaluate(() => window.harness?.router?.close()).catch(() => {});
      await ai.close();
    }
  });
});
