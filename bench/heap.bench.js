// Heap after 1,000 and after 100,000 delivered events, in headless Chromium: a fresh page per
// client, one connection to a loopback server that sends ~110-byte events as fast as the socket
// takes them, held after the first 1,000 until the page was measured. Each measure runs a full
// garbage collection (CDP HeapProfiler.collectGarbage) and reads the JS heap's used size
// (Runtime.getHeapUsage), and for Lifeline the size of its Wasm memory (outside the JS heap).
// The app keeps no event (it counts them). Baseline: the same page before any stream opened.
//   node bench/heap.bench.js                 full run (100,000 events per client)
//   BENCH_QUICK=1 node bench/heap.bench.js   short run (10,000)
// Writes bench/results/heap.json (BENCH_QUICK=1: bench/results/quick/).
import { startBenchServer } from './user-cost/server.js';
import { launch, openPage } from './user-cost/browser.js';
import { startResult } from './result-file.js';

const QUICK = process.env.BENCH_QUICK === '1';
const FIRST = 1000;
const TOTAL = QUICK ? 10000 : 100000;
const GOAL_BYTES = 50 * 1024 * 1024; // the origin's target for 1,000 events
const CLIENTS = ['native EventSource', 'eventsource v4', 'fetch-event-source', 'lifeline manager (fetch)', 'lifeline manager (eventsource)', 'lifeline EventSource'];

const server = await startBenchServer();
const browser = await launch();
const result = startResult('heap', {
  firstEvents: FIRST, totalEvents: TOTAL, eventBytes: 110, perWrite: 100,
  measure: 'CDP HeapProfiler.collectGarbage, then Runtime.getHeapUsage usedSize; Lifeline also its Wasm memory',
  goal: 'under 50 MB after 1,000 events (JS heap + Wasm memory)',
}, { chromium: `Chromium ${browser.version()}` });
const mb = (b) => (b / 1048576).toFixed(2);
try {
  const fig = {};
  for (const [i, name] of CLIENTS.entries()) {
    const { page, close } = await openPage(browser, `${server.url}/bench/pages/user-cost.html`);
    const cdp = await page.context().newCDPSession(page);
    const measure = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const wasm = name.startsWith('lifeline') ? await page.evaluate(async () => (await import('./user-cost-page.js')).wasmBytes()) : 0;
      return { jsHeapBytes: usedSize, wasmBytes: wasm, totalBytes: usedSize + wasm };
    };
    const base = await measure();
    const key = `k${i}`;
    await page.evaluate(async ([n, u, f]) => (await import('./user-cost-page.js')).openCounting(n, u, f),
      [name, `/sse/burst?n=${TOTAL}&per=100&pauseAt=${FIRST}&key=${key}`, FIRST]);
    const first = await measure();
    await fetch(`${server.url}/release?key=${key}`);
    await page.evaluate(async (n) => (await import('./user-cost-page.js')).untilCount(n), TOTAL);
    const all = await measure();
    await page.evaluate(async () => (await import('./user-cost-page.js')).closeCounting());
    await close();
    fig[name] = { baseline: base, [`after${FIRST}`]: first, [`after${TOTAL}`]: all };
    if (name.startsWith('lifeline')) fig[name].goalMet = first.totalBytes < GOAL_BYTES;
    console.log(`  ${name.padEnd(32)} baseline ${mb(base.totalBytes)} MB  after ${FIRST}: ${mb(first.totalBytes)} MB  after ${TOTAL}: ${mb(all.totalBytes)} MB` +
      (first.wasmBytes ? `  (Wasm memory ${mb(first.wasmBytes)} / ${mb(all.wasmBytes)} MB)` : ''));
  }
  result.doc.figures = { clients: fig };
  result.write();
} finally {
  await browser.close();
  await server.close();
}
