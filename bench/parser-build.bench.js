// The parser's speed in the shipped SSE core against the same sources built the way they were
// before issue 12 (-O3 throughout; the shipped build is -Oz with the parser's files at -O3):
// both builds in one Chromium page, the C core alone (bench/pages/core-build-page.js), same
// workloads as bench/parser.bench.js, interleaved rounds, medians. What the build flags cost the
// parser, apart from changes to its sources or to the JS side.
//   bash scripts/bench.sh parser-build      (builds the reference first, about a minute)
// Writes bench/results/parser-build.json (BENCH_QUICK=1: bench/results/quick/).
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../demo/static-server.js';
import { startResult } from './result-file.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const totalBytes = quick ? 1 << 20 : 8 << 20;
const chunkBytes = 16 << 10;
const rounds = quick ? 3 : 15;
const minMs = quick ? 15 : 300;
const workloads = ['small', 'large', 'multiline', 'comments'];
const REFERENCE_OPT = '-O3';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

// The reference: this tree's sources, the SSE core at REFERENCE_OPT, into a directory of its own.
const work = mkdtempSync(join(tmpdir(), 'lifeline-parser-build-'));
const env = { ...process.env, NODE_PATH: `/usr/share/nodejs${process.env.NODE_PATH ? `:${process.env.NODE_PATH}` : ''}` };
const sh = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
sh('emcmake', ['cmake', '-S', '.', '-B', join(work, 'build'), '-DCMAKE_BUILD_TYPE=Release',
  `-DLIFELINE_SSE_OPT=${REFERENCE_OPT}`, `-DLIFELINE_DIST_DIR=${join(work, 'site/reference')}`]);
sh('cmake', ['--build', join(work, 'build'), '-j', '2', '--target', 'lifeline_wasm']);
// The page's site: bench/pages, the shipped dist/ and the reference, side by side.
mkdirSync(join(work, 'site/shipped'), { recursive: true });
symlinkSync(join(ROOT, 'bench'), join(work, 'site/bench'));
copyFileSync(join(ROOT, 'dist/lifeline-core.wasm'), join(work, 'site/shipped/lifeline-core.wasm'));

const flags = ['--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--headless', '--no-sandbox',
  '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const server = await startStaticServer({ dir: join(work, 'site') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: flags });
const result = startResult('parser-build', {
  bytesPerWorkload: totalBytes, chunkBytes, rounds, minSampleMs: minMs, workloads,
  builds: { shipped: 'dist/lifeline-core.wasm (compiled -Oz, parser.c, bytes.c, wasm_parser.c -O3 -finline-functions; linked -O3)', reference: `the same sources compiled ${REFERENCE_OPT} throughout (LIFELINE_SSE_OPT)` },
  statistic: 'MB/s: median of interleaved rounds; shipped / reference: median of each round\'s ratio (both builds back to back); the C core alone (core-only)',
}, { chromium: `Chromium ${browser.version()}` });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/bench/pages/core-build.html`);
  await page.waitForFunction(() => document.getElementById('out').textContent !== 'loading');
  const names = ['shipped', 'reference'];
  const info = await page.evaluate(async ([t, c]) => (await import('./core-build-page.js'))
    .load({ shipped: '/shipped/lifeline-core.wasm', reference: '/reference/lifeline-core.wasm' }, t, c), [totalBytes, chunkBytes]);
  const runOne = (n, w, min) => page.evaluate(async ([a, b, c]) => (await import('./core-build-page.js')).run(a, b, c), [n, w, min]);
  const times = {};
  for (const w of workloads) {
    times[w] = { shipped: [], reference: [] };
    // Warm-up (V8 tiers Wasm up), and a check that both builds see the same records (core-only
    // counts events and comments).
    const seen = [];
    for (const n of names) seen.push((await runOne(n, w, quick ? 150 : 500)).events);
    if (seen[0] !== seen[1] || seen[0] < info[w].events) throw new Error(`the builds saw ${seen.join(' and ')} records in ${w} (${info[w].events} events)`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const w of workloads) {
      for (const n of round % 2 ? names : [...names].reverse()) times[w][n].push((await runOne(n, w, minMs)).ms);
    }
  }
  result.doc.figures.workloads = {};
  console.log('| workload | shipped MB/s | reference MB/s | shipped / reference |\n|---|---|---|---|');
  for (const w of workloads) {
    const mb = info[w].bytes / 1e6;
    const s = median(times[w].shipped);
    const r = median(times[w].reference);
    // Each round times both builds back to back: the median of the rounds' ratios is steadier on
    // a loaded machine than the ratio of the medians.
    const ratio = median(times[w].shipped.map((t, i) => times[w].reference[i] / t));
    const x = { shippedMbPerS: Math.round(mb / (s / 1000)), referenceMbPerS: Math.round(mb / (r / 1000)), shippedOverReference: Math.round(ratio * 1000) / 1000, samplesMs: times[w] };
    result.doc.figures.workloads[w] = x;
    console.log(`| ${w} | ${x.shippedMbPerS} | ${x.referenceMbPerS} | ${x.shippedOverReference} |`);
  }
  result.doc.figures.bytes = Object.fromEntries(names.map((n) => [n, statSync(join(work, `site/${n}/lifeline-core.wasm`)).size]));
  result.write();
} finally {
  await browser.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
