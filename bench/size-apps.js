// What a page ships: small apps built with `vite build` in a temporary directory, served on
// 127.0.0.1 and opened in Chromium, with the bytes of every .js and .wasm the page fetched,
// compressed as a server would send them (gzip level 9, brotli quality 11). Shared by
// bench/size.js (the result file) and tests/js/size-budget.test.js (the budget).
//
// The apps import 'lifeline-sse' as a user does, through its package.json "exports" and
// "sideEffects": node_modules/lifeline-sse in the app is a symbolic link to this repository (as
// are react, react-dom and the peers, so every app resolves one copy of each). React's own bytes
// are split into a chunk of their own (an output.codeSplitting group for react, react-dom and
// scheduler) and counted apart: what remains is lifeline's, plus the app's few lines and Vite's
// preload helper, which are counted against lifeline (they are there because of it).
import { chromium } from '@playwright/test';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { createServer } from 'node:http';
import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
/** The budgets of issue 12, in gzip bytes (level 9). */
export const BUDGET = { sseOnly: 20 * 1024, wholePackage: 40 * 1024 };

const REACT_TEST = /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/;
// An .mjs/.js/.wasm file of the no-SIMD fallback: fetched only by engines without Wasm SIMD,
// instead of (not besides) the SIMD build, so it is reported apart from the page's bytes.
export const isFallback = (name) => /nosimd/.test(name);
// The chunks of share: 'origin' (the tab's side and the SharedWorker's own bundle, which carries a
// second copy of the manager driver and the core's loader): emitted by every app that can share,
// fetched only by pages that do, and counted in the whole package.
export const isShare = (name) => /share-(tab|worker)/.test(name);

// The event stream every app reads (and the page's proof that it works): one event, then quiet.
const STREAM = 'retry: 60000\nid: 1\nevent: hello\ndata: {"n":1}\n\n';

const sseOnlyApp = `import { createRoot } from 'react-dom/client';
import { createManager, EventSource } from 'lifeline-sse';
import { SSEProvider, useSSE, useSSEStatus, SSEStatusIndicator } from 'lifeline-sse/react';

// The drop-in EventSource and a manager of the app's own, besides the provider's.
window.__lifeline = { createManager, EventSource };
function Feed() {
  const status = useSSEStatus('feed');
  useSSE('feed', (e) => { document.body.dataset.event = e.data; }, { events: ['hello'] });
  return <p id="state">{status.state}</p>;
}
createRoot(document.getElementById('root')).render(
  <SSEProvider channels={{ feed: { url: '/events' } }}>
    <SSEStatusIndicator channel="feed" label="Feed" />
    <Feed />
  </SSEProvider>,
);
`;

// Every export of both entry points kept (a namespace stored on window), a router created by the
// provider (so its module loads), the same feed.
const everythingApp = `import { createRoot } from 'react-dom/client';
import * as lifeline from 'lifeline-sse';
import * as lifelineReact from 'lifeline-sse/react';

const { SSEProvider, useSSE, SSEStatusIndicator, ServiceHealthPanel } = lifelineReact;
window.__lifeline = { lifeline, lifelineReact };
function Feed() {
  useSSE('feed', (e) => { document.body.dataset.event = e.data; }, { events: ['hello'] });
  return null;
}
const routerOptions = { services: [{ name: 'ai', baseUrl: location.origin + '/ai', capabilities: ['chat'] }] };
createRoot(document.getElementById('root')).render(
  <SSEProvider channels={{ feed: { url: '/events' } }} routerOptions={routerOptions}>
    <SSEStatusIndicator channel="feed" label="Feed" />
    <ServiceHealthPanel />
    <Feed />
  </SSEProvider>,
);
`;

const reactOnlyApp = `import { createRoot } from 'react-dom/client';
import { useState, useEffect } from 'react';
function Feed() {
  const [state, setState] = useState('connecting');
  useEffect(() => { document.body.dataset.event = '{"n":1}'; setState('open'); }, []);
  return <p id="state">{state}</p>;
}
createRoot(document.getElementById('root')).render(<Feed />);
`;

// The peers, each in the smallest app that reads the same stream with it.
const peerApps = {
  'eventsource-parser': `import { createParser } from 'eventsource-parser';
const parser = createParser({ onEvent: (e) => { document.body.dataset.event = e.data; } });
const res = await fetch('/events');
const decoder = new TextDecoder();
for (const reader = res.body.getReader(); ;) {
  const { value, done } = await reader.read();
  if (done) break;
  parser.feed(decoder.decode(value, { stream: true }));
}
`,
  '@microsoft/fetch-event-source': `import { fetchEventSource } from '@microsoft/fetch-event-source';
fetchEventSource('/events', { onmessage: (e) => { document.body.dataset.event = e.data; } });
`,
  eventsource: `import { EventSource } from 'eventsource';
const es = new EventSource('/events');
es.addEventListener('hello', (e) => { document.body.dataset.event = e.data; });
`,
};

/** The apps by name: { entry source, whether it is JSX, packages it links, who counts }. */
export const APPS = {
  'sse-only': { source: sseOnlyApp, jsx: true, links: ['lifeline-sse', 'react', 'react-dom'] },
  everything: { source: everythingApp, jsx: true, links: ['lifeline-sse', 'react', 'react-dom'] },
  'react-only': { source: reactOnlyApp, jsx: true, links: ['react', 'react-dom'] },
  ...Object.fromEntries(Object.entries(peerApps).map(([name, source]) => [name, { source, jsx: false, links: [name] }])),
};

async function linkPackage(appDir, name) {
  const target = name === 'lifeline-sse' ? REPO : join(REPO, 'node_modules', name);
  const at = join(appDir, 'node_modules', name);
  await mkdir(join(at, '..'), { recursive: true });
  await symlink(target, at, 'dir');
}

/** Writes app `name` under `work` and builds it with Vite; resolves to its output directory. */
export async function buildApp(work, name) {
  const app = APPS[name];
  const dir = join(work, name.replace(/[^a-z0-9-]/gi, '_'));
  await mkdir(join(dir, 'src'), { recursive: true });
  for (const pkg of app.links) await linkPackage(dir, pkg);
  const main = `src/main.${app.jsx ? 'jsx' : 'js'}`;
  await writeFile(join(dir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title></head>
<body><div id="root"></div><script type="module" src="/${main}"></script></body></html>\n`);
  await writeFile(join(dir, main), app.source);
  await build({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    plugins: app.jsx ? [react()] : [],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      modulePreload: { polyfill: false }, // the app's choice, not lifeline's: left out everywhere
      reportCompressedSize: false,
      sourcemap: 'hidden', // .map files beside the chunks (not counted), no comment in them
      rolldownOptions: { output: { codeSplitting: { groups: [{ name: 'react-vendor', test: REACT_TEST }] } } },
    },
  });
  return join(dir, 'dist');
}

async function listFiles(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath ?? e.path, e.name)));
  }
  return out.sort();
}

/** { bytes, gzip, brotli } of a buffer: gzip level 9 and brotli quality 11, as a server would send it. */
export function compressed(buf) {
  return {
    bytes: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
  };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

// A static server over a build, with /events (the stream) and /ai/health (the router's probe).
async function serve(dir) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(STREAM); // then held open: the page sees one event and stays "open"
      return;
    }
    if (path.startsWith('/ai/')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

/**
 * Opens a build in `browser`, waits until the page has received the stream's event (so that
 * everything it needs has loaded) and a moment more, and returns the paths of the .js/.mjs/.wasm
 * files it fetched. `simd: false`: as an engine without Wasm SIMD (WebAssembly.validate says no
 * to init()'s probe), which fetches the fallback.
 */
export async function loadedFiles(browser, dir, { simd = true } = {}) {
  const server = await serve(dir);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    if (!simd) await page.addInitScript(() => { WebAssembly.validate = () => false; });
    const fetched = new Set();
    const errors = [];
    page.on('response', (r) => {
      const p = new URL(r.url()).pathname.slice(1);
      if (/\.(m?js|wasm)$/.test(p)) fetched.add(decodeURIComponent(p));
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.event === '{"n":1}', null, { timeout: 20_000 })
      .catch((e) => { throw new Error(`the app in ${dir} did not receive the event: ${errors.join('; ') || e.message}`); });
    await page.waitForTimeout(300); // a late chunk (a router probe's module) still counts
    return [...fetched].sort();
  } finally {
    await context.close();
    await server.close();
  }
}

/**
 * Builds app `name`, loads it in Chromium and measures it. Returns
 * { files: { path: { bytes, gzip, brotli, loaded, kind } }, loaded: totals, emitted: totals,
 *   react: totals, fallback: totals, share: totals, withoutSimd: totals } where every total is
 * { bytes, gzip, brotli, files }, kind is 'react' (React's chunk), 'fallback' (the no-SIMD build)
 * or 'own', share (of emitted) is what share: 'origin' adds, and withoutSimd is what a page on an engine without SIMD fetched (React excepted).
 */
export async function measureApp(browser, work, name) {
  const dir = await buildApp(work, name);
  const loaded = new Set(await loadedFiles(browser, dir));
  const loadedNoSimd = APPS[name].jsx && name !== 'react-only' ? new Set(await loadedFiles(browser, dir, { simd: false })) : loaded;
  const files = {};
  const zero = () => ({ bytes: 0, gzip: 0, brotli: 0, files: 0 });
  const totals = { loaded: zero(), emitted: zero(), react: zero(), fallback: zero(), share: zero(), withoutSimd: zero() };
  const add = (t, c) => { t.bytes += c.bytes; t.gzip += c.gzip; t.brotli += c.brotli; t.files++; };
  for (const path of await listFiles(dir)) {
    if (!/\.(m?js|wasm)$/.test(path)) continue;
    const c = compressed(await readFile(join(dir, path)));
    const kind = /react-vendor/.test(path) ? 'react' : isFallback(path) ? 'fallback' : 'own';
    files[path] = { ...c, loaded: loaded.has(path), kind };
    if (kind === 'own' && path.endsWith('.js')) files[path].sources = await bySource(dir, path);
    if (kind !== 'react' && loadedNoSimd.has(path)) add(totals.withoutSimd, c);
    if (kind === 'react') { if (loaded.has(path)) add(totals.react, c); continue; }
    if (kind === 'fallback') { add(totals.fallback, c); continue; }
    add(totals.emitted, c);
    if (isShare(path)) add(totals.share, c);
    if (loaded.has(path)) add(totals.loaded, c);
  }
  return { files, ...totals };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A source map's `mappings` as lines of [column, source index] (the fields this file uses). */
function mappingsOf(text) {
  let source = 0;
  return text.split(';').map((line) => {
    let column = 0;
    return line.split(',').filter(Boolean).map((seg) => {
      const v = [];
      for (let i = 0, n = 0, shift = 0; i < seg.length; i++) {
        const d = B64.indexOf(seg[i]);
        n += (d & 31) << shift;
        if (d & 32) { shift += 5; continue; }
        v.push(n & 1 ? -(n >>> 1) : n >>> 1);
        n = 0;
        shift = 0;
      }
      column += v[0];
      if (v.length > 1) source += v[1];
      return v.length > 1 ? [column, source] : [column];
    });
  });
}

/**
 * A chunk's minified bytes by the source file they came from (its source map): { source: { bytes,
 * gzip } }, gzip of each source's bytes alone (their sum exceeds the chunk's: gzip shares context
 * across a file). Sources are named from the repository ('js/manager.js', 'dist/...'); '?' is
 * code without a source (the bundler's runtime and helpers).
 */
async function bySource(dir, path) {
  let map;
  try {
    map = JSON.parse(await readFile(join(dir, `${path}.map`), 'utf8'));
  } catch {
    return null;
  }
  const lines = (await readFile(join(dir, path), 'utf8')).split('\n');
  const text = {};
  mappingsOf(map.mappings).forEach((segments, i) => {
    const line = lines[i] ?? '';
    segments.forEach((s, k) => {
      const end = k + 1 < segments.length ? segments[k + 1][0] : line.length;
      const src = s.length > 1 ? map.sources[s[1]].replace(/^.*?\/(js|dist|src|node_modules)\//, '$1/') : '?';
      text[src] = (text[src] ?? '') + line.slice(s[0], end);
    });
  });
  return Object.fromEntries(Object.entries(text).sort(([, a], [, b]) => b.length - a.length)
    .map(([src, t]) => [src, { bytes: Buffer.byteLength(t), gzip: gzipSync(t, { level: 9 }).length }]));
}

/** A temporary directory for the apps, and its removal. */
export async function workDir() {
  const dir = await mkdtemp(join(tmpdir(), 'lifeline-size-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
