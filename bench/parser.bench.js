// Parser throughput in headless Chromium: lifeline (C/Wasm) vs eventsource-parser 4 vs
// @microsoft/fetch-event-source's getLines/getMessages, same bytes in the same 16 KiB chunks,
// each decoding to strings with one JS callback per event. Median of interleaved rounds.
//   node bench/parser.bench.js          full run
//   BENCH_QUICK=1 node bench/...        short run (< ~20 s)
import { chromium } from '@playwright/test';
import { startStaticServer } from '../demo/static-server.js';

const quick = process.env.BENCH_QUICK === '1';
const totalBytes = quick ? 1 << 20 : 8 << 20;
const rounds = quick ? 3 : 9;
const chunkBytes = 16 << 10;
const workloads = ['small', 'large', 'multiline', 'comments'];
const minMs = quick ? 15 : 150; // each timed sample repeats the workload at least this long
const flags = [...(process.env.BENCH_NO_GC ? [] : ['--js-flags=--expose-gc']), '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

const server = await startStaticServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: flags });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/bench/pages/parser.html`);
  await page.waitForFunction(() => document.getElementById('out').textContent !== 'loading');
  const status = await page.textContent('#out');
  if (status !== 'ready') throw new Error(`bench page: ${status}`);
  const info = await page.evaluate(async ([t, c]) => (await import('./parser-page.js')).prepare(t, c), [totalBytes, chunkBytes]);
  const peers = await page.evaluate(async () => (await import('./parser-page.js')).contenderNames);
  // Full runs add the C core alone (copy in, parse, batch table; no strings, no callbacks) to
  // show how the time splits between Wasm and the JS side.
  const names = quick ? peers : [...peers, 'core-only'];
  const times = {};
  // Samples are main-thread CPU time (CDP ThreadTime) per pass: on a machine shared with other
  // processes, wall time mostly measures the scheduler.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const threadTime = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'ThreadTime').value;
  const runOne = async (name, w, min = 0) => {
    await page.evaluate(async () => (await import('./parser-page.js')).collect());
    const t0 = await threadTime();
    const r = await page.evaluate(async ([n, wl, t]) => (await import('./parser-page.js')).run(n, wl, t), [name, w, min]);
    r.cpuMs = ((await threadTime()) - t0) * 1000 / r.passes;
    return r;
  };
  for (const w of workloads) {
    times[w] = Object.fromEntries(names.map((n) => [n, []]));
    for (const n of names) {
      // Warm-up long enough for V8 to tier up (Wasm starts in its baseline compiler), and a
      // check that every parser sees the same number of events.
      const r = await runOne(n, w, quick ? 150 : 500);
      if (n !== 'core-only' && r.events !== info[w].events) throw new Error(`${n} saw ${r.events} events in ${w}, expected ${info[w].events}`);
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const w of workloads) {
      const order = names.map((_, i) => names[(i + round) % names.length]); // peers alternate
      for (const n of order) times[w][n].push((await runOne(n, w, minMs)).cpuMs);
    }
  }
  const rows = [];
  for (const w of workloads) {
    const mb = info[w].bytes / 1e6;
    const m = Object.fromEntries(names.map((n) => [n, median(times[w][n])]));
    for (const n of names) {
      rows.push({
        workload: w, parser: n,
        'MB/s': (mb / (m[n] / 1000)).toFixed(0),
        'events/s': Math.round(info[w].events / (m[n] / 1000)).toLocaleString('en-US'),
        'lifeline x': n === 'lifeline' || n === 'core-only' ? '' : (m[n] / m.lifeline).toFixed(2),
      });
    }
  }
  console.log(`parser throughput, Chromium ${browser.version()}, ${(totalBytes / 1048576).toFixed(0)} MiB per workload, ` +
    `${chunkBytes / 1024} KiB chunks, median of ${rounds} interleaved rounds (main-thread CPU time), GC before each${quick ? ' (BENCH_QUICK)' : ''}`);
  console.log('"lifeline x" = how many times faster lifeline is than that parser');
  const cols = ['workload', 'parser', 'MB/s', 'events/s', 'lifeline x'];
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (r) => '| ' + cols.map((c, i) => String(r[c]).padEnd(width[i])).join(' | ') + ' |';
  console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
  console.log('|' + width.map((x) => '-'.repeat(x + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
} finally {
  await browser.close();
  await server.close();
}
