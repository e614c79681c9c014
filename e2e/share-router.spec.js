// createRouter({ share: 'origin' }) in Chromium (issue 15): three tabs of one browser context
// share one router, held by the SharedWorker (or the Web Locks leader), against the mock AI
// services. The services count the health probes they are sent: one router probes each service
// once per interval, so three tabs must cost what one does, a killed service is found down once,
// and every tab shows it down, and back up after its restart. Streams (router.stream) run in
// the hub's router too: each tab gets the whole answer, a failover happens once per call in the
// hub, and a hub that dies mid-stream fails the tabs' streams as unavailable.
import { test, expect } from './fixtures.js';
import { startAIServices, SERVICE_SPECS } from '../demo/server/index.js';
import { fullAnswer } from '../demo/server/ai-stream.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PROBE_MS = 500;

function configOf(ai) {
  return {
    services: ['gemini', 'perplexity', 'llama'].map((name, i) => ({
      name, baseUrl: ai.urls[name], capabilities: SERVICE_SPECS[name].capabilities, priority: i + 1, healthPath: '/health',
      format: SERVICE_SPECS[name].streamFormat ?? 'openai',
    })),
    probeIntervalMs: PROBE_MS,
    probeTimeoutMs: 300,
    coldTimeoutMs: 600,
  };
}

async function openTabs(context, site, ai, n, via, share = 'origin') {
  const url = `${site.url}/e2e/pages/share-router.html?share=${share}&via=${via}&cfg=${encodeURIComponent(JSON.stringify(configOf(ai)))}`;
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    await page.goto(url);
    await expect(page.locator('#out')).toHaveText('ready', { timeout: 15000 });
    pages.push(page);
  }
  return pages;
}

const probes = (ai, name) => ai.services[name].counters.byPath['/health'] ?? 0;

async function probesIn4s(ai) {
  const before = probes(ai, 'llama');
  await sleep(4000);
  return probes(ai, 'llama') - before;
}

// The control: what the shared test's bound tells apart. Each tab with a router of its own.
test('control: three tabs with routers of their own probe each service three times as often', async ({ context, site }) => {
  const ai = await startAIServices({ seed: 10 });
  try {
    await openTabs(context, site, ai, 3, 'auto', 'tab');
    const perWindow = await probesIn4s(ai);
    console.log(`share-router control (share: 'tab'): llama probes in 4 s with 3 tabs: ${perWindow} (interval ${PROBE_MS} ms)`);
    expect(perWindow).toBeGreaterThanOrEqual(18);
  } finally {
    await ai.close();
  }
});

for (const via of ['worker', 'locks']) {
  test(`three tabs, one router (${via}): requests work in each; a killed service is probed once per interval, found down once, shown down and back in every tab`, async ({ context, site }) => {
    const ai = await startAIServices({ seed: 11 });
    try {
      const pages = await openTabs(context, site, ai, 3, via);
      for (const page of pages) {
        await expect.poll(() => page.evaluate(() => window.states()), { timeout: 5000 })
          .toEqual({ gemini: 'healthy', perplexity: 'healthy', llama: 'healthy' });
        expect(await page.evaluate(() => window.ask('analysis', { path: '/v1/analyze', body: { ward: 'x' } })))
          .toEqual({ service: 'gemini', status: 200, body: 'gemini' });
      }
      expect(await pages[0].evaluate(() => window.router.sharing ?? null)).toBe(null);

      // One router for the origin: each service gets one probe per interval (+/- 10 % jitter),
      // not one per tab. Over 4 s a single router sends ~8; three routers send ~24 (the control test).
      const perWindow = await probesIn4s(ai);
      console.log(`share-router ${via}: llama probes in 4 s with 3 tabs: ${perWindow} (interval ${PROBE_MS} ms)`);
      expect(perWindow).toBeGreaterThanOrEqual(5);
      expect(perWindow).toBeLessThanOrEqual(10);

      // Kill llama (it fails every call and probe with 500, so the probes it is sent are counted).
      const tKill = Date.now();
      const atKill = probes(ai, 'llama');
      await ai.setMode('llama', 'fail', { status: 500 });
      for (const page of pages) {
        await expect.poll(() => page.evaluate(() => window.states().llama), { timeout: 10000 }).toBe('down');
      }
      const downMs = Date.now() - tKill;
      await sleep(1500);
      const failedProbes = probes(ai, 'llama') - atKill;
      const secondsDown = (Date.now() - tKill) / 1000;
      console.log(`share-router ${via}: llama down in every tab within ${downMs} ms; ${failedProbes} probes in ${secondsDown.toFixed(1)} s`);
      // After a failed probe one router probes again after half an interval (include/lifeline/
      // router.h): at most one every 225 ms here; three routers would send three times as many.
      expect(failedProbes).toBeLessThanOrEqual(Math.ceil((secondsDown * 1000) / (PROBE_MS * 0.45)) + 1);
      for (const page of pages) {
        const downs = await page.evaluate(() => window.events.filter((e) => e.kind === 'health' && e.name === 'llama' && e.state === 'down'));
        expect(downs.length).toBe(1); // detected once, the notice reaching every tab once
      }
      // The others still answer, in every tab.
      for (const page of pages) {
        expect((await page.evaluate(() => window.ask('summary', { path: '/v1/summary', body: { topic: 'x' } }))).service).toBe('gemini');
      }

      await ai.setMode('llama', 'normal');
      for (const page of pages) {
        await expect.poll(() => page.evaluate(() => window.states().llama), { timeout: 20000 }).not.toBe('down');
      }
      for (const page of pages) expect(await page.evaluate(() => window.errors)).toEqual([]);
    } finally {
      await ai.close();
    }
  });
}

test('shared router: errors cross as the same classes; an aborted request rejects at once; functions are refused', async ({ context, site }) => {
  const ai = await startAIServices({ seed: 12 });
  try {
    const [page] = await openTabs(context, site, ai, 1, 'worker');
    const err = await page.evaluate(() => window.ask('no-such-capability', {}));
    expect(err).toMatchObject({ error: 'LifelineError', code: 'LIFELINE_ERR_UNAVAILABLE', capability: 'no-such-capability', isLifeline: 'LifelineError' });
    await ai.setMode('gemini', 'hang');
    const aborted = await page.evaluate(async () => {
      const ctrl = new AbortController();
      const p = window.router.request('summary', { path: '/v1/summary', body: {}, signal: ctrl.signal });
      setTimeout(() => ctrl.abort(), 100);
      const t0 = performance.now();
      return p.then(() => 'answered', (e) => ({ name: e.name, ms: performance.now() - t0 }));
    });
    expect(aborted.name).toBe('AbortError');
    expect(aborted.ms).toBeLessThan(1000);
    const refused = await page.evaluate(() => window.router.request('summary', { body: { f: () => 1 } }).then(() => 'sent', (e) => `${e.name}: ${e.message}`));
    expect(refused).toMatch(/^TypeError: .*cannot be functions \(body\.f\)/);
    const refusedOption = await page.evaluate(async () => {
      const { createRouter } = await import('/js/index.js');
      try { createRouter({ share: 'origin', services: [{ name: 'a', baseUrl: 'http://x', capabilities: 'c' }], clock: () => 1 }); return 'made'; } catch (e) { return `${e.name}: ${e.message}`; }
    });
    expect(refusedOption).toMatch(/^TypeError: createRouter: "clock" cannot be used with share: 'origin'/);
  } finally {
    await ai.close();
  }
});

test('the worker dies: every tab opens its router on the new one, one router again; a request in flight rejects as unavailable', async ({ context, site }) => {
  const ai = await startAIServices({ seed: 13 });
  try {
    const pages = await openTabs(context, site, ai, 3, 'worker');
    await ai.setMode('gemini', 'hang');
    const inFlight = pages[0].evaluate(() => window.ask('summary', { path: '/v1/summary', body: {} }));
    await sleep(200);
    // The worker's test hook, sent on a port of its own (same script and name: the same worker).
    await pages[1].evaluate(() => new SharedWorker('/js/share/share-worker.js', { type: 'module', name: 'lifeline-sse' }).port.postMessage({ t: 'test:die' }));
    expect(await inFlight).toMatchObject({ error: 'LifelineError', code: 'LIFELINE_ERR_UNAVAILABLE' });
    await ai.setMode('gemini', 'normal');
    for (const page of pages) {
      await expect.poll(() => page.evaluate(() => window.ask('analysis', { path: '/v1/analyze', body: {} })), { timeout: 10000 })
        .toEqual({ service: 'gemini', status: 200, body: 'gemini' });
    }
    const perWindow = await probesIn4s(ai);
    console.log(`share-router after the worker died: llama probes in 4 s with 3 tabs: ${perWindow}`);
    expect(perWindow).toBeGreaterThanOrEqual(5);
    expect(perWindow).toBeLessThanOrEqual(10);
    for (const page of pages) expect(await page.evaluate(() => window.errors)).toEqual([]);
  } finally {
    await ai.close();
  }
});

// A streamed answer: 60 words, a word every 10 ms (demo/server/ai-stream.js). The deadlines leave
// room for a loaded 2-core machine (a healthy stream is not judged stalled).
const STREAM = { path: '/v1/stream/analysis', body: { prompt: 'x' }, ttftMs: 3000, idleMs: 1500 };
const streamIn = (pages, opts = STREAM) => Promise.all(pages.map((p) => p.evaluate((o) => window.streamIt('analysis', o), opts)));

for (const via of ['worker', 'locks']) {
  test(`three tabs stream at once through one router (${via}): the whole answer in each; gemini's 503 fails over to perplexity in the hub, one notice in each tab`, async ({ context, site }) => {
    const ai = await startAIServices({ seed: 14 });
    try {
      const pages = await openTabs(context, site, ai, 3, via);
      const counters = (name) => ai.services[name].streamAnswer.counters;
      const answers = await streamIn(pages);
      for (const a of answers) {
        expect(a).toMatchObject({ text: fullAnswer(60), textProp: fullAnswer(60), service: 'gemini', complete: true, attempts: 1, notices: [] });
        expect(a.statuses).toEqual(['connecting', 'streaming', 'done']);
      }
      // At the same time: each started before any had ended.
      expect(Math.max(...answers.map((a) => a.t0))).toBeLessThan(Math.min(...answers.map((a) => a.t1)));
      expect(counters('gemini')).toMatchObject({ requests: 3, complete: 3 });

      ai.services.gemini.setStreamFault({ kind: 'status', status: 503 });
      const failed = await streamIn(pages);
      for (const a of failed) {
        expect(a, JSON.stringify(a)).toMatchObject({ text: fullAnswer(60), service: 'perplexity', complete: true, attempts: 2 });
        expect(a.notices.map((n) => [n.from, n.to, n.mode])).toEqual([['gemini', 'perplexity', 'failover']]);
        expect(a.notices[0].reason).toMatch(/HTTP 503/);
        expect(a.types.filter((t) => t !== 'text')).toEqual(['switch']);
      }
      // The failovers were the hub's: gemini was tried once per call, no more (not once per tab and per router).
      expect(counters('gemini').requests - 3).toBeLessThanOrEqual(3);
      expect(counters('perplexity')).toMatchObject({ requests: 3, complete: 3 });
      console.log(`share-router stream ${via}: 3 tabs x 60 words, ${answers.map((a) => a.t1 - a.t0).join('/')} ms; failover ${failed.map((a) => a.t1 - a.t0).join('/')} ms`);
      for (const page of pages) expect(await page.evaluate(() => window.errors)).toEqual([]);
    } finally {
      await ai.close();
    }
  });
}

test('the worker dies mid-stream: each tab\'s stream rejects as unavailable, the service sees the sockets close, the next stream runs on the new worker', async ({ context, site }) => {
  const ai = await startAIServices({ seed: 15 });
  try {
    const pages = await openTabs(context, site, ai, 3, 'worker');
    ai.services.gemini.setStreamFault({ kind: 'none', tokenMs: 100 }); // 60 words in 6 s
    const counters = () => ai.services.gemini.streamAnswer.counters;
    const inFlight = streamIn(pages, { ...STREAM, idleMs: 3000 });
    await expect.poll(() => counters().requests, { timeout: 5000 }).toBe(3);
    await sleep(800);
    await pages[1].evaluate(() => new SharedWorker('/js/share/share-worker.js', { type: 'module', name: 'lifeline-sse' }).port.postMessage({ t: 'test:die' }));
    const ends = await inFlight;
    for (const a of ends) {
      expect(a, JSON.stringify(a)).toMatchObject({ error: 'LifelineError', code: 'LIFELINE_ERR_UNAVAILABLE', isLifeline: 'LifelineError' });
      expect(a.text.length).toBeGreaterThan(0); // it was mid-stream
      expect(a.statuses.at(-1)).toBe('failed');
    }
    await expect.poll(() => counters().closedEarly, { timeout: 5000 }).toBe(3);
    expect(counters().complete).toBe(0);
    ai.services.gemini.setStreamFault({ kind: 'none', tokenMs: 10 });
    // Each tab on the new worker (a stream sent before the tab noticed the loss would fail as unavailable too).
    for (const page of pages) {
      await expect.poll(() => page.evaluate(() => window.ask('analysis', { path: '/v1/analyze', body: {} })), { timeout: 10000 })
        .toEqual({ service: 'gemini', status: 200, body: 'gemini' });
    }
    const again = await streamIn(pages);
    for (const a of again) expect(a, JSON.stringify(a)).toMatchObject({ text: fullAnswer(60), service: 'gemini', complete: true });
    for (const page of pages) expect(await page.evaluate(() => window.errors)).toEqual([]);
  } finally {
    await ai.close();
  }
});

test('a sandboxed iframe (an opaque origin): the router runs in the tab\'s own hub; a request, and a stream that fails over', async ({ page, site }) => {
  const ai = await startAIServices({ seed: 13 });
  const uncaught = [];
  page.on('pageerror', (e) => uncaught.push(e.message));
  try {
    await page.goto(`${site.url}/e2e/pages/share-sandboxed.html?page=share-router.html&share=origin&via=auto&cfg=${encodeURIComponent(JSON.stringify(configOf(ai)))}`);
    await expect(page.frameLocator('#f').locator('#out')).toHaveText('ready', { timeout: 15000 });
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(await frame.evaluate(() => self.origin)).toBe('null');
    await expect.poll(() => frame.evaluate(() => window.states()), { timeout: 5000 })
      .toEqual({ gemini: 'healthy', perplexity: 'healthy', llama: 'healthy' });
    expect(await frame.evaluate(() => window.ask('analysis', { path: '/v1/analyze', body: { ward: 'x' } })))
      .toEqual({ service: 'gemini', status: 200, body: 'gemini' });
    ai.services.gemini.setStreamFault({ kind: 'status', status: 503 });
    const a = await frame.evaluate((o) => window.streamIt('analysis', o), STREAM);
    expect(a, JSON.stringify(a)).toMatchObject({ text: fullAnswer(60), service: 'perplexity', complete: true, attempts: 2 });
    expect(await frame.evaluate(() => window.errors)).toEqual([]);
    expect(uncaught).toEqual([]);
  } finally {
    await ai.close();
  }
});
