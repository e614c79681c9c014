// The package as a user gets it: `npm pack` the repository, install the tarball into two fresh
// Vite + React apps created outside the repository (React 18 with @types/react 18, React 19 with
// @types/react 19), type-check each app's TSX with tsc, `vite build` it, serve the build and check
// in Chromium that the page loads the Wasm, shows the status indicator "open" and receives events
// from the reference SSE server (cross-origin, CORS), with the manager made by the provider and
// by the app; and two tabs of it with <SSEProvider share="origin">, whose SharedWorker the app's
// Vite bundles with no configuration, in the build and under the dev server (pre-bundling).
import { test, expect } from '@playwright/test';
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSSEServer } from '../demo/server/index.js';
import { startStaticServer } from '../demo/static-server.js';

const execFile = promisify(execFileCb);
const repo = fileURLToPath(new URL('..', import.meta.url));

// What the tarball must hold, and path prefixes it must not.
const REQUIRED = [
  'package.json', 'README.md', 'dist/lifeline-core.wasm', 'dist/lifeline-core-nosimd.wasm',
  'dist/lifeline-router.wasm', 'dist/lifeline-router.mjs',
  'js/index.js', 'js/index.d.ts', 'js/wasm.js', 'js/wasm.d.ts', 'js/manager.d.ts', 'js/router.d.ts',
  'js/react/index.js', 'js/react/index.d.ts', 'js/react/lifeline.css',
];
const FORBIDDEN = ['tests/', 'demo/', 'build/', 'node_modules/', 'e2e/', 'src/', 'fuzz/', 'bench/', 'scripts/'];

// The apps pin the versions the repository itself installed, so the installs are served from the
// npm cache that the repository's `npm ci` filled (no network needed): React 19 from the top-level
// node_modules, React 18 from tests/react-18's.
function installed(name, modules = 'node_modules') {
  return JSON.parse(readFileSync(join(repo, modules, name, 'package.json'), 'utf8')).version;
}
function reactDeps(modules) {
  return Object.fromEntries(['react', 'react-dom', '@types/react', '@types/react-dom'].map((n) => [n, installed(n, modules)]));
}
const VARIANTS = [
  { major: '19', deps: reactDeps('node_modules') },
  { major: '18', deps: reactDeps('tests/react-18/node_modules') },
];

async function run(cmd, args, cwd, timeout = 180_000) {
  try {
    return await execFile(cmd, args, { cwd, timeout, maxBuffer: 32 << 20, env: { ...process.env, NO_COLOR: '1' } });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}\n${err.stderr ?? ''}\n${err.message}`);
  }
}

// The app, in TSX: type-checked by tsc against the app's own @types/react (18 or 19), then built
// by Vite and run in Chromium. ?mode=app creates the manager itself after `await init()` and
// passes it to the provider; otherwise the provider creates it. #manager records whether
// useSSEManager() had it on the first render.
const MAIN_TSX = `import { StrictMode, useEffect, useState, version } from 'react';
import { createRoot } from 'react-dom/client';
import { init, createManager, type ConnectionStatus, type SSEEvent, type SSEManager, type SharedManager } from 'lifeline-sse';
import {
  SSEProvider, useSSE, useSSEManager, useSSEStatus, SSEStatusIndicator, ReconnectionAlert, ServiceHealthPanel,
  SSEErrorBoundary,
} from 'lifeline-sse/react';
import 'lifeline-sse/react/lifeline.css';

const params = new URLSearchParams(location.search);
const channels = { feed: { url: params.get('feed') ?? '' } };

function Events() {
  const [events, setEvents] = useState<SSEEvent[]>([]);
  useSSE('feed', (e: SSEEvent) => setEvents((list) => [...list, e].slice(-50)), { events: ['pkg'] });
  return (
    <ul id="events">
      {events.map((e) => <li key={e.id} data-id={e.id}>{(JSON.parse(e.data) as { n: number }).n}</li>)}
    </ul>
  );
}

function ManagerProbe() {
  const manager: SSEManager | SharedManager | null = useSSEManager();
  const status: ConnectionStatus = useSSEStatus('feed');
  const [onFirstRender] = useState(manager !== null);
  // For the test: the manager, to ask where its streams are held (a shared one's \`sharing\`).
  useEffect(() => { (window as unknown as { manager: unknown }).manager = manager; }, [manager]);
  return <p id="manager" data-first-render={String(onFirstRender)} data-reason={status.reason} data-react={version} />;
}

function Page() {
  return (
    <>
      <SSEStatusIndicator channel="feed" label="Feed" />
      <ReconnectionAlert channel="feed" title={(s) => (s.state === 'failed' ? 'Stopped' : undefined)} />
      <SSEErrorBoundary fallback={({ retry }) => <button type="button" onClick={retry}>Retry</button>}>
        <Events />
      </SSEErrorBoundary>
      <ServiceHealthPanel />
      <ManagerProbe />
    </>
  );
}

// ?share=origin: the streams are held once for all the app's tabs, in the package's SharedWorker.
function App({ manager }: { manager?: SSEManager }) {
  if (params.get('share') === 'origin') return <SSEProvider share="origin" channels={channels}><Page /></SSEProvider>;
  return <SSEProvider manager={manager} channels={channels}><Page /></SSEProvider>;
}

const root = createRoot(document.getElementById('root')!);
if (params.get('mode') === 'app') {
  void init().then(() => root.render(<StrictMode><App manager={createManager()} /></StrictMode>));
} else {
  root.render(<StrictMode><App /></StrictMode>);
}
`;

// A Vite app's tsconfig, strict, with the library's declarations checked too (skipLibCheck off).
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', jsx: 'react-jsx', strict: true, noEmit: true,
    skipLibCheck: false, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [],
  },
  files: ['src/main.tsx'],
};

// Opens the app with the feed URL as a query parameter: the indicator must reach "open" and the
// events published afterwards must show, in order, with their ids; no failed request, no error.
// The page fetches one .wasm: the SIMD build, or the fallback (`simd: false`) on an engine whose
// WebAssembly.validate says no to init()'s SIMD probe. `mode: 'app'`: the app made the manager,
// so the first render had it. `react`: the version the page runs.
async function checkPage(page, base, sse, { react, simd = true, mode = 'provider' } = {}) {
  const errors = [];
  const onError = (e) => errors.push(String(e));
  // Chromium asks for /favicon.ico by itself; every other request must succeed.
  const onResponse = (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); };
  const onConsole = (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); };
  page.on('pageerror', onError);
  page.on('response', onResponse);
  page.on('console', onConsole);
  try {
    const wasmResponse = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('.wasm'));
    await page.goto(`${base}/?mode=${mode}&feed=${encodeURIComponent(sse.feedUrl)}`);
    const response = await wasmResponse;
    expect(response.status()).toBe(200);
    expect(response.url().startsWith(base)).toBe(true);
    expect(new URL(response.url()).pathname.includes('lifeline-core-nosimd')).toBe(!simd);

    const indicator = page.locator('.lifeline-status');
    await expect(indicator).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
    await expect(indicator.getByRole('status')).toHaveText('Feed: Live');
    await expect(page.locator('#manager')).toHaveAttribute('data-first-render', String(mode === 'app'));
    await expect(page.locator('#manager')).toHaveAttribute('data-react', react);

    const sent = [];
    for (let n = 1; n <= 3; n++) sent.push(sse.publish('pkg', { n }));
    sse.publish('other', { n: 99 }); // not subscribed: must not show
    sent.push(sse.publish('pkg', { n: 4 }));
    const items = page.locator('#events li');
    await expect(items).toHaveCount(4);
    expect(await items.evaluateAll((els) => els.map((e) => [e.dataset.id, e.textContent])))
      .toEqual(sent.map((e) => [String(e.id), String(e.data.n)]));
    expect(errors).toEqual([]);
  } finally {
    page.off('pageerror', onError);
    page.off('response', onResponse);
    page.off('console', onConsole);
    await page.goto('about:blank');
  }
}

// Two tabs of the app with <SSEProvider share="origin">: the package's SharedWorker, bundled by
// the app's Vite with no configuration, holds one stream for both; both show every event.
async function checkShared(context, base, sse) {
  const errors = [];
  const tabs = [];
  const streams = () => sse.clients.size + sse.sse.streams().length;
  await expect.poll(streams, { timeout: 10_000 }).toBe(0); // the earlier pages' streams are gone
  try {
    for (let i = 0; i < 2; i++) {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`${base}/?share=origin&feed=${encodeURIComponent(sse.feedUrl)}`);
      tabs.push(page);
    }
    for (const page of tabs) {
      await expect(page.locator('.lifeline-status')).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
      await expect.poll(() => page.evaluate(() => window.manager?.sharing)).toBe('worker');
    }
    await expect.poll(streams).toBe(1);
    const sent = [];
    for (let n = 1; n <= 3; n++) sent.push(sse.publish('pkg', { n }));
    for (const page of tabs) {
      await expect(page.locator('#events li')).toHaveCount(3);
      expect(await page.locator('#events li').evaluateAll((els) => els.map((e) => e.dataset.id))).toEqual(sent.map((e) => String(e.id)));
    }
    expect(streams()).toBe(1);
    expect(errors).toEqual([]);
    console.log(`share="origin" at ${base}: 2 tabs, ${streams()} server stream, sharing ${await Promise.all(tabs.map((p) => p.evaluate(() => window.manager.sharing)))}`);
  } finally {
    for (const page of tabs) await page.close();
  }
}

test.describe('npm package', () => {
  test.describe.configure({ timeout: 240_000 });
  const cleanup = [];
  let work;
  let sse;
  test.afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  });

  // One tarball; one fresh app per React version outside the repository, installed side by side.
  test.beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lifeline-pack-'));
    cleanup.push(() => rm(work, { recursive: true, force: true }));
    if (!existsSync(join(repo, 'dist/lifeline-core.wasm')) || !existsSync(join(repo, 'dist/lifeline-router.mjs'))) {
      await run('bash', ['scripts/build.sh', 'wasm'], repo, 300_000);
    }
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], repo);
    const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
    const tgz = join(work, info.filename);
    await Promise.all(VARIANTS.map((v) => createApp(join(work, `app-react${v.major}`), tgz, v)));
    sse = await startSSEServer({ intervalMs: 0, heartbeatMs: 60_000 });
    cleanup.push(() => sse.close());
  });

  test('npm pack holds dist/, js/ and typings, and nothing else; @types/react is an optional peer', async () => {
    const file = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    const { stdout: listing } = await run('tar', ['-tzf', join(work, file)], work);
    const paths = listing.split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
    for (const p of REQUIRED) expect(paths, `tarball holds ${p}`).toContain(p);
    // A module whose header says it is internal to another (unreachable through "exports") needs none.
    const internal = (p) => /Internal to js\/[\w/-]+\.js/.test(readFileSync(join(repo, p), 'utf8').slice(0, 2000));
    for (const js of paths.filter((p) => /^js\/.*\.js$/.test(p) && !internal(p) && !/^js\/react\/(?!index)/.test(p))) {
      expect(paths, `typings next to ${js}`).toContain(js.replace(/\.js$/, '.d.ts'));
    }
    for (const bad of FORBIDDEN) expect(paths.filter((p) => p.startsWith(bad)), `nothing under ${bad}`).toEqual([]);
    expect(paths.filter((p) => /\.(tgz|map|log)$/.test(p))).toEqual([]);
    const { stdout: manifest } = await run('tar', ['-xzOf', join(work, file), 'package/package.json'], work);
    const pkg = JSON.parse(manifest);
    expect(pkg.peerDependencies['@types/react']).toBeTruthy();
    expect(pkg.peerDependenciesMeta['@types/react']).toEqual({ optional: true });
  });

  for (const variant of VARIANTS) {
    test(`React ${variant.major}: the TSX app type-checks, builds, connects and receives events in Chromium`, async ({ page }) => {
      const app = join(work, `app-react${variant.major}`);
      const react = installedIn(app, 'react');

      await test.step(`tsc --strict --jsx react-jsx on the app's TSX with @types/react ${variant.major} (typings through "exports")`, async () => {
        expect(installedIn(app, '@types/react').split('.')[0]).toBe(variant.major);
        expect(installedIn(app, 'react').split('.')[0]).toBe(variant.major);
        await run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(app, 'tsconfig.json')], app);
      });

      const out = join(app, 'dist');
      await test.step('vite build emits the three .wasm files as assets', async () => {
        await run(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build'], app);
        const assets = await readdir(join(out, 'assets'));
        const wasm = assets.filter((f) => f.endsWith('.wasm'));
        expect(wasm, 'three .wasm assets: the SSE core with SIMD, its fallback, the router module').toHaveLength(3);
        // "sideEffects" lists the stylesheet: an import of it must survive tree shaking.
        expect(assets.filter((f) => f.endsWith('.css')), 'lifeline.css kept').toHaveLength(1);
        const sizes = await Promise.all(wasm.map(async (f) => (await stat(join(out, 'assets', f))).size));
        const want = await Promise.all(['lifeline-core.wasm', 'lifeline-core-nosimd.wasm', 'lifeline-router.wasm'].map(async (f) => (await stat(join(repo, 'dist', f))).size));
        expect(sizes.sort()).toEqual(want.sort());
        // Every .wasm is named by a chunk (the router module's glue is a chunk of its own, fetched
        // only with a router; the page below never fetches it).
        const chunks = assets.filter((f) => f.endsWith('.js'));
        const texts = await Promise.all(chunks.map((f) => readFileSync(join(out, 'assets', f), 'utf8')));
        for (const w of wasm) expect(texts.some((t) => t.includes(w)), `a chunk refers to ${w}`).toBe(true);
      });

      const site = await startStaticServer({ dir: out });
      cleanup.push(() => site.close());
      await test.step('the built page connects, shows the indicator and receives events (the provider creates the manager)', async () => {
        await checkPage(page, site.url, sse, { react });
      });
      await test.step('the app creates the manager after init(): useSSEManager() has it on the first render', async () => {
        await checkPage(page, site.url, sse, { react, mode: 'app' });
      });

      await test.step('two tabs with <SSEProvider share="origin">: the SharedWorker of the build holds one stream for both', async () => {
        await checkShared(page.context(), site.url, sse);
      });

      await test.step('an engine without Wasm SIMD gets the fallback build from the same app', async () => {
        const old = await page.context().newPage();
        await old.addInitScript(() => { WebAssembly.validate = () => false; });
        try {
          await checkPage(old, site.url, sse, { react, simd: false });
        } finally {
          await old.close();
        }
      });

      await test.step('the same app under the Vite dev server (dependency pre-bundling)', async () => {
        const vite = await import(pathToFileURL(join(app, 'node_modules/vite/dist/node/index.js')).href);
        const server = await vite.createServer({
          root: app, configFile: join(app, 'vite.config.js'), logLevel: 'error',
          server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
        });
        cleanup.push(() => server.close());
        await server.listen();
        await checkPage(page, server.resolvedUrls.local[0].replace(/\/$/, ''), sse, { react, mode: 'app' });
        await checkShared(page.context(), server.resolvedUrls.local[0].replace(/\/$/, ''), sse);
        await server.close();
      });

      await test.step('Node loads the installed package (the Wasm read from node_modules with fs)', async () => {
        const script = "import { init, isReady, createManager } from 'lifeline-sse';"
          + "await init(); const m = createManager();"
          + "console.log(JSON.stringify({ ready: isReady(), manager: typeof m.subscribe }));"
          + "m.destroy?.() ?? m.closeAll?.();";
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], app);
        expect(JSON.parse(stdout.trim().split('\n').pop())).toEqual({ ready: true, manager: 'function' });
      });
    });
  }
});

function installedIn(app, name) {
  return JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version;
}

// A Vite + React app with the tarball, the variant's react, react-dom and their types.
async function createApp(app, tgz, variant) {
  await mkdir(join(app, 'src'), { recursive: true });
  const pkg = {
    name: `lifeline-pack-check-react${variant.major}`, private: true, type: 'module',
    dependencies: { 'lifeline-sse': `file:${tgz}`, react: variant.deps.react, 'react-dom': variant.deps['react-dom'] },
    devDependencies: {
      vite: installed('vite'), '@vitejs/plugin-react': installed('@vitejs/plugin-react'),
      '@types/react': variant.deps['@types/react'], '@types/react-dom': variant.deps['@types/react-dom'],
    },
  };
  await writeFile(join(app, 'package.json'), JSON.stringify(pkg, null, 2));
  await writeFile(join(app, 'vite.config.js'),
    "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\nexport default defineConfig({ plugins: [react()], logLevel: 'warn' });\n");
  await writeFile(join(app, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>lifeline pack check</title></head>'
    + '<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>\n');
  await writeFile(join(app, 'src/main.tsx'), MAIN_TSX);
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  const installedPkg = join(app, 'node_modules/lifeline-sse');
  expect(existsSync(join(installedPkg, 'dist/lifeline-core.wasm'))).toBe(true);
  expect(existsSync(join(installedPkg, 'tests'))).toBe(false);
}
