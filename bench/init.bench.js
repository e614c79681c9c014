// init() in a fresh page, headless Chromium: each sample a new browser context (empty HTTP
// cache, no compiled-code cache) that loads bench/pages/init.html from a loopback server, which
// imports the package (js/index.js and what it imports) and awaits init() (the SSE core's Wasm
// fetched, compiled and instantiated). Medians and the slowest sample.
//   node bench/init.bench.js                 full run (15 pages)
//   BENCH_QUICK=1 node bench/init.bench.js   short run (3 pages)
// Writes bench/results/init.json (BENCH_QUICK=1: bench/results/quick/).
import { startBenchServer } from './user-cost/server.js';
import { launch, openPage, median, round3 } from './user-cost/browser.js';
import { startResult } from './result-file.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SAMPLES = QUICK ? 3 : 15;

const server = await startBenchServer();
const browser = await launch();
const result = startResult('init', {
  samples: SAMPLES, page: 'bench/pages/init.html', cache: 'none (a new browser context per sample)',
  statistic: 'median and max of the samples', served: 'loopback, no compression, one request per module',
}, { chromium: `Chromium ${browser.version()}` });
try {
  const times = [];
  for (let i = 0; i < SAMPLES; i++) {
    const { page, close } = await openPage(browser, `${server.url}/bench/pages/init.html`);
    times.push(await page.evaluate(() => window.__initTimes));
    await close();
  }
  const fig = {};
  for (const k of ['importMs', 'initMs', 'totalMs', 'sinceNavigationMs']) {
    const xs = times.map((t) => t[k]);
    fig[k] = { median: round3(median(xs)), max: round3(Math.max(...xs)) };
  }
  result.doc.figures = fig;
  console.log(`init() in a fresh page, Chromium ${browser.version()}, ${SAMPLES} pages${QUICK ? ' (BENCH_QUICK)' : ''}`);
  for (const [k, v] of Object.entries(fig)) console.log(`  ${k.padEnd(18)} median ${v.median.toFixed(1)} ms  max ${v.max.toFixed(1)} ms`);
  result.write();
} finally {
  await browser.close();
  await server.close();
}
