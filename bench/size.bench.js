// What lifeline-sse costs a page, in compressed bytes, next to the peers (issue 12's budgets):
//   sse-only     createManager + EventSource + SSEProvider, useSSE, useSSEStatus, SSEStatusIndicator
//   everything   every export of 'lifeline-sse' and 'lifeline-sse/react', and a router in use
//   react-only   the same React app without lifeline (React's own chunk, for reference)
//   peers        eventsource-parser, @microsoft/fetch-event-source, eventsource: the smallest app
//                reading the same stream with each
// Each app is built with `vite build` (bench/size-apps.js), opened in Chromium, and the .js/.wasm
// files the page fetched are summed, gzip level 9 (the budget) and brotli 11 (for information),
// each file compressed on its own as a server sends it. React's chunk is split out and not
// counted; the no-SIMD fallback (fetched only by engines without Wasm SIMD, in place of the SIMD
// files) is reported apart. "Whole package": every lifeline file the everything app emits
// (whether its page fetched it or not), the fallback excepted. The raw files the npm package
// ships (js/, dist/; unminified) are listed for information.
//   bash scripts/bench.sh size      (writes bench/results/size.json; BENCH_QUICK=1: quick/)
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { APPS, BUDGET, REPO, compressed, launchChromium, measureApp, workDir } from './size-apps.js';
import { startResult } from './result-file.js';

const PEERS = ['eventsource-parser', '@microsoft/fetch-event-source', 'eventsource'];

async function peerVersion(name) {
  return JSON.parse(await readFile(join(REPO, 'node_modules', name, 'package.json'), 'utf8')).version;
}

// The npm package's own .js/.mjs/.wasm files as shipped (package.json "files": js/ and dist/).
async function packageFiles() {
  const out = {};
  for (const dir of ['js', 'dist']) {
    for (const e of await readdir(join(REPO, dir), { withFileTypes: true, recursive: true })) {
      const path = relative(REPO, join(e.parentPath ?? e.path, e.name));
      if (e.isFile() && /\.(m?js|wasm)$/.test(path)) out[path] = compressed(await readFile(join(REPO, path)));
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const result = startResult('size', {
  compression: { gzip: 'zlib level 9, each file on its own', brotli: 'quality 11, each file on its own' },
  counted: 'the .js/.wasm files the page fetched until it had the stream\'s event, React\'s chunk (react, react-dom, scheduler) excepted',
  wholePackage: 'every .js/.wasm file the everything app emits except React\'s chunk and the no-SIMD fallback (which replaces, not adds to, the SIMD files)',
  builder: `vite ${await peerVersion('vite')}`,
  react: await peerVersion('react'),
  apps: Object.keys(APPS),
});
const browser = await launchChromium();
result.doc.machine.chromium = `Chromium ${browser.version()}`;
const work = await workDir();
try {
  const apps = {};
  for (const name of Object.keys(APPS)) {
    apps[name] = await measureApp(browser, work.dir, name);
    const a = apps[name];
    console.log(`${name.padEnd(30)} page ${kb(a.loaded.gzip).padStart(9)} gzip ${kb(a.loaded.brotli).padStart(9)} brotli`
      + `  emitted ${kb(a.emitted.gzip)} (share ${kb(a.share.gzip)})  react ${kb(a.react.gzip)}  fallback ${kb(a.fallback.gzip)}`);
  }
  const sse = apps['sse-only'].loaded;
  const whole = apps.everything.emitted;
  result.doc.figures = {
    budget: BUDGET,
    sseOnly: { gzip: sse.gzip, brotli: sse.brotli, bytes: sse.bytes, met: sse.gzip <= BUDGET.sseOnly },
    wholePackage: { gzip: whole.gzip, brotli: whole.brotli, bytes: whole.bytes, met: whole.gzip <= BUDGET.wholePackage },
    share: { ...apps.everything.share, what: "share: 'origin': the tab's chunk and the SharedWorker's bundle, part of the whole package" },
    apps,
    peers: Object.fromEntries(await Promise.all(PEERS.map(async (p) => [p, { version: await peerVersion(p), ...apps[p].loaded }]))),
    packageFiles: await packageFiles(),
  };
  console.log(`sse-only ${sse.gzip} B gzip (budget ${BUDGET.sseOnly}): ${sse.gzip <= BUDGET.sseOnly ? 'met' : 'NOT MET'}`);
  console.log(`whole package ${whole.gzip} B gzip (budget ${BUDGET.wholePackage}): ${whole.gzip <= BUDGET.wholePackage ? 'met' : 'NOT MET'}`);
  result.write();
} finally {
  await browser.close();
  await work.remove();
}
