// The Wasm builds in Chromium (js/wasm.js): a page loads dist/lifeline-core.wasm (the SSE core
// with SIMD) and never its fallback; on an engine without Wasm SIMD (here: WebAssembly.validate
// says no to init()'s SIMD probe, patched in before any page script runs) it loads
// dist/lifeline-core-nosimd.wasm instead, and the parser works the same on it. The router module
// (dist/lifeline-router.wasm, no SIMD in it: one build for every engine) loads only with
// init({ router: true }), and its Emscripten fetch works next to the fallback core.
import { test, expect } from './fixtures.js';
import { startAIServices, SERVICE_SPECS } from '../demo/server/index.js';

const withoutSimd = () => {
  WebAssembly.validate = () => false;
};

/** The .wasm files `page` fetches from now on (an array that fills). */
function wasmRequests(page) {
  const wasm = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  return wasm;
}

/** 1 when the page's core is the SIMD build, 0 for the fallback (the C side says). */
const coreSimd = (page) => page.evaluate(async () => (await import('/js/wasm.js')).getCore()._lifeline_wasm_simd());

async function parserPage(page, site) {
  const wasm = wasmRequests(page);
  await page.goto(`${site.url}/e2e/pages/parser.html`);
  await expect(page.locator('#status')).toHaveText('done');
  return {
    wasm, simd: await coreSimd(page),
    events: await page.locator('#events li').allTextContents(), meta: await page.locator('#meta').textContent(),
  };
}

test('the parser page loads the SIMD build only; without SIMD, the fallback with the same results', async ({ browser, site }) => {
  const simdPage = await browser.newPage();
  const normal = await parserPage(simdPage, site);
  await simdPage.close();
  expect(normal.wasm).toEqual(['/dist/lifeline-core.wasm']);
  expect(normal.simd).toBe(1);
  expect(normal.events.length).toBeGreaterThan(5);

  const oldPage = await browser.newPage();
  await oldPage.addInitScript(withoutSimd);
  const fallback = await parserPage(oldPage, site);
  await oldPage.close();
  expect(fallback.wasm).toEqual(['/dist/lifeline-core-nosimd.wasm']);
  expect(fallback.simd).toBe(0);
  expect(fallback.events).toEqual(normal.events);
  expect(fallback.meta).toBe(normal.meta);
});

test('without SIMD, the router\'s Emscripten fetch works next to the fallback core', async ({ page, site }) => {
  const ai = await startAIServices({ seed: 4 });
  try {
    await page.addInitScript(withoutSimd);
    const wasm = wasmRequests(page);
    await page.goto(`${site.url}/e2e/pages/router.html`);
    await expect(page.locator('#out')).toHaveText('ready');
    const services = [{ name: 'gemini', baseUrl: ai.urls.gemini, capabilities: SERVICE_SPECS.gemini.capabilities, healthPath: '/health' }];
    await page.evaluate((s) => window.harness.start(s, { probeIntervalMs: 0 }), services);
    const res = await page.evaluate(() => window.harness.router.request('analysis', { path: '/v1/analyze', body: { ward: 'x' } })
      .then((r) => ({ service: r.service, status: r.status, body: JSON.parse(r.body).service })));
    expect(res).toEqual({ service: 'gemini', status: 200, body: 'gemini' });
    expect(wasm).toEqual(['/dist/lifeline-core-nosimd.wasm', '/dist/lifeline-router.wasm']);
    expect(await coreSimd(page)).toBe(0);
    expect(await page.evaluate(async () => (await import('/js/wasm.js')).getRouterCore()._lifeline_wasm_simd())).toBe(0);
  } finally {
    await page.evaluate(() => window.harness?.router?.close()).catch(() => {});
    await ai.close();
  }
});
