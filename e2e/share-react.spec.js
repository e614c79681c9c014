// share: 'origin' through the React bindings and the EventSource class, in Chromium: three tabs
// of one browser context on e2e/pages/share-react.html (served by Vite: React is CommonJS). In
// each tab two consumers (two <SSEProvider share="origin"> under <StrictMode>, each with its own
// SharedManager, or two new EventSource(url, { share: 'origin' })) on one URL. The reference
// server (demo/server/sse-server.js) counts its streams: one for all six consumers, and every
// consumer holds every event exactly once, in order.
import { test as base, expect } from '@playwright/test';
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { startSSEServer } from '../demo/server/sse-server.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const openStreams = (server) => server.clients.size + server.sse.streams().length;

const test = base.extend({
  site: [
    async ({}, use) => {
      const vite = await createServer({
        configFile: false,
        root: `${repo}e2e/pages`,
        logLevel: 'warn',
        clearScreen: false,
        cacheDir: `${repo}node_modules/.vite-share-react`,
        resolve: {
          alias: [
            { find: /^lifeline-sse\/react$/, replacement: `${repo}js/react/index.js` },
            { find: /^lifeline-sse$/, replacement: `${repo}js/index.js` },
          ],
          dedupe: ['react', 'react-dom'],
        },
        optimizeDeps: { include: ['react', 'react-dom', 'react-dom/client'] },
        server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, fs: { allow: [repo] } },
      });
      await vite.listen();
      await use({ url: `http://127.0.0.1:${vite.httpServer.address().port}/share-react.html` });
      await vite.close();
    },
    { scope: 'worker' },
  ],
  server: async ({}, use) => {
    const server = await startSSEServer({ intervalMs: 0, heartbeatMs: 200 });
    await use(server);
    await server.close();
  },
});

async function openTabs(context, site, server, n, mode) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`tab ${i}: ${e.message}`));
    await page.goto(`${site.url}?mode=${mode}&url=${encodeURIComponent(server.feedUrl)}`);
    pages.push(page);
  }
  for (const page of pages) await expect(page.locator('#out')).toHaveText('open', { timeout: 15000 });
  // The stream starts once every consumer has joined: each must then hold every event.
  server.setIntervalMs(25);
  return pages;
}

async function expectAllEvents(pages, server) {
  server.setIntervalMs(0);
  const last = server.log.lastId;
  expect(last).toBeGreaterThan(20);
  const want = Array.from({ length: last }, (_, i) => i + 1);
  for (const page of pages) {
    for (const name of ['a', 'b']) {
      await expect.poll(() => page.evaluate((n) => window.ids[n].at(-1) ?? 0, name), { timeout: 15000, message: `${name} of tab ${pages.indexOf(page)}: ${await page.evaluate((n) => JSON.stringify([window.ids[n].length, window.ids[n].slice(0, 5), window.ids[n].slice(-5), window.errors]), name)}` }).toBe(last);
      expect(await page.evaluate((n) => window.ids[n], name)).toEqual(want);
    }
    expect(await page.evaluate(() => window.errors)).toEqual([]);
  }
}

for (const [mode, what] of [
  ['react', 'two <SSEProvider share="origin"> under <StrictMode>'],
  ['eventsource', "two new EventSource(url, { share: 'origin' })"],
]) {
  test(`three tabs, ${what} each: one server stream, every event once in every consumer, through a drop`, async ({ context, site, server }) => {
    const pages = await openTabs(context, site, server, 3, mode);
    await sleep(500);
    expect(openStreams(server)).toBe(1);
    expect(server.counters.connectsTotal).toBe(1);
    server.fault('drop');
    await expect.poll(() => server.counters.connectsTotal, { timeout: 10000 }).toBe(2);
    await sleep(500);
    expect(openStreams(server)).toBe(1);
    await expectAllEvents(pages, server);
  });
}
