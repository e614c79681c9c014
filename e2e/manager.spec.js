// The SSE manager in Chromium, both transports, against the reference server on its own port
// (cross-origin: CORS). Faults are injected server-side; at the end the page must hold every
// event the server sent, exactly once, in order.
import { test, expect } from './fixtures.js';
import { startSSEServer } from '../demo/server/sse-server.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function openPage(page, site, server, transport, hb = 3000) {
  const url = `${site.url}/e2e/pages/manager.html?transport=${transport}&hb=${hb}&url=${encodeURIComponent(server.feedUrl)}`;
  await page.goto(url);
  await expect(page.locator('#out')).toHaveText('open');
}

async function expectAllEvents(page, server) {
  server.setIntervalMs(0);
  const last = server.log.lastId;
  await expect.poll(() => page.evaluate(() => window.ids.at(-1) ?? 0), { timeout: 15000 }).toBe(last);
  const ids = await page.evaluate(() => window.ids);
  expect(ids).toEqual(Array.from({ length: last }, (_, i) => i + 1));
  expect(await page.evaluate(() => window.errors)).toEqual([]);
}

const states = (page) => page.evaluate(() => window.states);

for (const transport of ['fetch', 'eventsource']) {
  test.describe(`manager, ${transport} transport`, () => {
    let server;
    test.beforeEach(async () => { server = await startSSEServer({ intervalMs: 25, heartbeatMs: 200 }); });
    test.afterEach(async () => { await server.close(); });

    test('drop, restart and 500s: resumes with every event exactly once', async ({ page, site }) => {
      await openPage(page, site, server, transport);
      await sleep(200);
      server.fault('drop');
      await expect.poll(async () => (await states(page)).filter((s) => s === 'open').length).toBe(2);
      await server.restart({ downMs: 400 });
      await expect.poll(async () => (await states(page)).filter((s) => s === 'open').length, { timeout: 10000 }).toBe(3);
      server.fault('500', { count: 2 });
      server.fault('drop');
      await expect.poll(async () => (await states(page)).filter((s) => s === 'open').length, { timeout: 10000 }).toBe(4);
      await expectAllEvents(page, server);
      const seen = await states(page);
      expect(seen).toContain('reconnecting:network');
      // fetch sees the 500s; EventSource only sees a refused response (status unknown)
      expect(seen).toContain(transport === 'fetch' ? 'reconnecting:http-5xx' : 'reconnecting:http-status');
    });

    test('stall: the watchdog reconnects and the stream resumes', async ({ page, site }) => {
      server.opts.heartbeatMs = 60000;
      await openPage(page, site, server, transport, 500);
      await sleep(200);
      server.fault('stall', { ms: 1200 });
      await expect.poll(async () => (await states(page)).includes('connecting:stall')).toBe(true);
      await expectAllEvents(page, server);
    });

    test('204: fetch fails for good (Retry now recovers); EventSource retries', async ({ page, site }) => {
      await openPage(page, site, server, transport);
      await sleep(100);
      server.fault('204', { count: 1 });
      server.fault('drop');
      if (transport === 'fetch') {
        await expect(page.locator('#out')).toHaveText('failed');
        const s = await page.evaluate(() => window.manager.getConnectionStatus('feed'));
        expect(s.reason).toBe('no-content');
        expect(s.httpStatus).toBe(204);
        const n = server.counters.connectsTotal;
        await sleep(800);
        expect(server.counters.connectsTotal).toBe(n); // no retry
        await page.evaluate(() => window.manager.retryNow('feed'));
      }
      await expect(page.locator('#out')).toHaveText('open');
      await expectAllEvents(page, server);
      const last = server.history.filter((h) => h.path === 'feed').at(-1);
      expect(last.via).toBe(transport === 'fetch' ? 'header' : 'query');
    });
  });
}
