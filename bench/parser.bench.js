// Parser throughput in headless Chromium: lifeline (C/Wasm) vs eventsource-parser 4 vs
// @microsoft/fetch-event-source's getLines/getMessages, same bytes in the same 16 KiB chunks,
// each decoding to strings with one JS callback per event. Median of interleaved rounds.
//   node bench/parser.bench.js          full run
//   BENCH_QUICK=1 node bench/...        short run (< ~20 s)
// Then the same workloads and contenders in Node (this process, figures.node): eventsource-parser
// and the Wasm core run on another V8 there, so the ratios differ from Chromium's.
// Writes every figure to bench/results/parser.json (BENCH_QUICK=1: bench/results/quick/).
import { chromium } from '@playwright/test';
import { createParser as createEsParser } from 'eventsource-parser';
import fesParse from '@microsoft/fetch-event-source/lib/cjs/parse.js';
import { init, createParser } from '../js/index.js';
import { getCore } from '../js/wasm.js';
import * as nodeBench from './pages/parser-bench.js';
import { startStaticServer } from '../demo/static-server.js';
import { startResult } from './result-file.js';

const quick = process.env.BENCH_QUICK === '1';
const totalBytes = quick ? 1 << 20 : 8 << 20;
const rounds = quick ? 3 : 9;
const chunkBytes = 16 << 10;
const workloads = ['small', 'large', 'multiline', 'comments'];
const minMs = quick ? 15 : 150; // each timed sample repeats the workload at least this long
// Pages other than the front one would get a lower process priority (renderer backgrounding):
// fetch-event-source has a page of its own here, so that is switched off and the page is brought to front.
const flags = ['--disable-renderer-backgrounding', '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };


/** Medians per workload and parser: figures for the result file and rows for the console. */
function summarize(times, info, names) {
  const rows = [];
  const out = {};
  for (const w of workloads) {
    const mb = info[w].bytes / 1e6;
    const m = Object.fromEntries(names.map((n) => [n, median(times[w][n])]));
    out[w] = {
      bytes: info[w].bytes, events: info[w].events,
      parsers: Object.fromEntries(names.map((n) => [n, {
        medianMs: Math.round(m[n] * 1000) / 1000, mbPerS: Math.round(mb / (m[n] / 1000)),
        eventsPerS: Math.round(info[w].events / (m[n] / 1000)),
        // how many times faster lifeline is than this parser (below 1: slower)
        lifelineX: n === 'lifeline' || n === 'core-only' ? null : Math.round((m[n] / m.lifeline) * 100) / 100,
      }])),
    };
    for (const n of names) {
      rows.push({
        workload: w, parser: n,
        'MB/s': (mb / (m[n] / 1000)).toFixed(0),
        'events/s': Math.round(info[w].events / (m[n] / 1000)).toLocaleString('en-US'),
        'lifeline x': n === 'lifeline' || n === 'core-only' ? '' : (m[n] / m.lifeline).toFixed(2),
      });
    }
  }
  return { workloads: out, rows };
}

function printRows(rows) {
  const cols = ['workload', 'parser', 'MB/s', 'events/s', 'lifeline x'];
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (r) => '| ' + cols.map((c, i) => String(r[c]).padEnd(width[i])).join(' | ') + ' |';
  console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
  console.log('|' + width.map((x) => '-'.repeat(x + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

/** The same rounds in this Node process (one heap: fetch-event-source's garbage is collected
 * between samples by running it last in each round). */
async function runNode(names) {
  await init();
  nodeBench.bind({ createParser, createEsParser, getLines: fesParse.getLines, getMessages: fesParse.getMessages, getCore });
  const info = nodeBench.prepare(totalBytes, chunkBytes);
  const times = {};
  for (const w of workloads) {
    times[w] = Object.fromEntries(names.map((n) => [n, []]));
    for (const n of names) {
      const r = nodeBench.run(n, w, quick ? 150 : 500);
      if (n !== 'core-only' && r.events !== info[w].events) throw new Error(`node: ${n} saw ${r.events} events in ${w}`);
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const w of workloads) {
      for (const n of names.map((_, i) => names[(i + round) % names.length])) times[w][n].push(nodeBench.run(n, w, minMs).ms);
    }
  }
  return summarize(times, info, names);
}

const server = await startStaticServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: flags });
const result = startResult('parser', {
  bytesPerWorkload: totalBytes, chunkBytes, rounds, minSampleMs: minMs, workloads,
  statistic: 'median of interleaved rounds', isolation: 'fetch-event-source in a page of its own',
}, { chromium: `Chromium ${browser.version()}` });
try {
  // fetch-event-source runs in a page (browser context, renderer, heap) of its own: its buffer
  // concatenation leaves so much garbage that whoever ran next in the same heap paid for it.
  // lifeline and eventsource-parser share one page, interleaved sample by sample.
  const openPage = async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/bench/pages/parser.html`);
    await page.waitForFunction(() => document.getElementById('out').textContent !== 'loading');
    const status = await page.textContent('#out');
    if (status !== 'ready') throw new Error(`bench page: ${status}`);
    return page;
  };
  const first = await openPage();
  const peers = await first.evaluate(async () => (await import('./parser-page.js')).contenderNames);
  // Full runs add the C core alone (copy in, parse, batch table; no strings, no callbacks) to
  // show how the time splits between Wasm and the JS side.
  const names = quick ? peers : [...peers, 'core-only'];
  const own = await openPage();
  const pages = Object.fromEntries(names.map((n) => [n, n === 'fetch-event-source' ? own : first]));
  let info;
  for (const page of [first, own]) {
    info = await page.evaluate(async ([t, c]) => (await import('./parser-page.js')).prepare(t, c), [totalBytes, chunkBytes]);
  }
  const times = {};
  const runOne = async (name, w, min = 0) => {
    const page = pages[name];
    await page.bringToFront();
    return page.evaluate(async ([n, wl, t]) => (await import('./parser-page.js')).run(n, wl, t), [name, w, min]);
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
      for (const n of order) times[w][n].push((await runOne(n, w, minMs)).ms);
    }
  }
  const { workloads: figs, rows } = summarize(times, info, names);
  result.doc.figures.workloads = figs;
  console.log(`parser throughput, Chromium ${browser.version()}, ${(totalBytes / 1048576).toFixed(0)} MiB per workload, ` +
    `${chunkBytes / 1024} KiB chunks, median of ${rounds} interleaved rounds, fetch-event-source in a page of its own${quick ? ' (BENCH_QUICK)' : ''}`);
  console.log('"lifeline x" = how many times faster lifeline is than that parser');
  printRows(rows);
  await browser.close();
  const node = await runNode(names);
  result.doc.figures.node = { node: process.version, workloads: node.workloads };
  console.log(`the same in Node ${process.version}`);
  printRows(node.rows);
  result.write();
} finally {
  await browser.close();
  await server.close();
}
