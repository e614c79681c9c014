// share: 'origin' in Chromium (issue 15): many tabs of one browser context hold one stream
// between them, through a SharedWorker or, with it switched off, a leader elected with Web
// Locks. The server counts its open streams; every tab must hold every event exactly once, in
// order, through drops, a server restart, the worker's death and the leader's loss.
import { test, expect } from './fixtures.js';
import { startSSEServer } from '../demo/server/sse-server.js';
import { EVENT_EVERY_MS, expectAllEvents, openStreams, openTabs } from './share-helpers.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server;
test.beforeEach(async () => { server = await startSSEServer({ intervalMs: 0, heartbeatMs: 200 }); });
test.afterEach(async () => { await server.close(); });

test('ten tabs, one SharedWorker: one stream; every event once, in order, through a drop and a restart', async ({ context, site }) => {
  const pages = await openTabs(context, site, server, 10);
  expect(await pages[0].evaluate(() => window.manager.sharing)).toBe('worker');
  await sleep(300);
  expect(openStreams(server)).toBe(1);
  expect(server.counters.connectsTotal).toBe(1);
  server.fault('drop');
  await sleep(600);
  await server.restart({ downMs: 400 });
  await expect.poll(() => pages[9].evaluate(() => window.states.filter((s) => s === 'open').length), { timeout: 10000 }).toBeGreaterThanOrEqual(3);
  await sleep(300);
  expect(openStreams(server)).toBe(1);
  await expectAllEvents(pages, server);
  const metrics = await pages[0].evaluate(() => window.manager.originMetrics());
  expect(metrics.tabs).toBe(10);
  expect(metrics.connections).toBe(1);
});

test('the worker dies mid-stream: tabs rebuild on a new one, nothing lost or repeated', async ({ context, site }) => {
  const pages = await openTabs(context, site, server, 3);
  await sleep(300);
  await pages[1].evaluate(() => window.manager.testHook('test:die'));
  await expect.poll(() => pages[0].evaluate(() => window.manager.getMetrics().rebuilds), { timeout: 5000 }).toBe(1);
  await sleep(500);
  expect(openStreams(server)).toBe(1);
  await expectAllEvents(pages, server);
});

test('the worker forgets everything (a fresh global scope on the same ports): tabs rebuild', async ({ context, site }) => {
  const pages = await openTabs(context, site, server, 3);
  await sleep(300);
  await pages[0].evaluate(() => window.manager.testHook('test:forget'));
  for (const page of pages) await expect.poll(() => page.evaluate(() => window.manager.getMetrics().rebuilds), { timeout: 5000 }).toBe(1);
  await sleep(500);
  expect(openStreams(server)).toBe(1);
  await expectAllEvents(pages, server);
});

test('tabs that close release their subscriptions; the last one closes the stream', async ({ context, site }) => {
  const pages = await openTabs(context, site, server, 3);
  await pages[0].close();
  await pages[1].close();
  await expect.poll(() => pages[2].evaluate(async () => (await window.manager.originMetrics()).tabs)).toBe(1);
  expect(openStreams(server)).toBe(1);
  await pages[2].evaluate(() => window.manager.destroy());
  // The hub's manager lingers (its default, 5 s) before it closes an unused stream.
  await expect.poll(() => openStreams(server), { timeout: 12000 }).toBe(0);
});

test('Web Locks fallback: one leader holds the stream; closing it hands over within 1 s, nothing lost or repeated', async ({ context, site }) => {
  const pages = await openTabs(context, site, server, 4, 'locks');
  const roles = await Promise.all(pages.map((p) => p.evaluate(() => window.manager.sharing)));
  expect(roles.filter((r) => r === 'leader')).toHaveLength(1);
  await sleep(300);
  expect(openStreams(server)).toBe(1);
  const leader = pages[roles.indexOf('leader')];
  const rest = pages.filter((p) => p !== leader);
  const before = await rest[0].evaluate(() => window.ids.length);
  const t0 = Date.now();
  await leader.close();
  await expect.poll(() => rest[0].evaluate(() => window.ids.length), { timeout: 3000, intervals: [20] }).toBeGreaterThan(before + 1);
  const handover = Date.now() - t0;
  expect(handover).toBeLessThan(1000 + 25 * 2);
  expect((await Promise.all(rest.map((p) => p.evaluate(() => window.manager.sharing)))).filter((r) => r === 'leader')).toHaveLength(1);
  await expectAllEvents(rest, server);
});

test('a sandboxed iframe (an opaque origin, SharedWorker and Web Locks denied): the tab holds its own hub; every event once, through a drop, to a manager and to the drop-in EventSource', async ({ page, site }) => {
  const uncaught = [];
  page.on('pageerror', (e) => uncaught.push(e.message));
  await page.goto(`${site.url}/e2e/pages/share-sandboxed.html?via=auto&url=${encodeURIComponent(server.feedUrl)}`);
  await expect(page.frameLocator('#f').locator('#out')).toHaveText('open', { timeout: 10000 });
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(await frame.evaluate(() => [self.origin, window.manager.sharing])).toEqual(['null', 'leader']);
  server.setIntervalMs(EVENT_EVERY_MS);
  await sleep(400);
  server.fault('drop');
  await sleep(600);
  expect(openStreams(server)).toBe(1);
  // The drop-in EventSource with share: 'origin' there too: from its open on, every event once.
  await frame.evaluate(async (url) => {
    const { EventSource } = await import('/js/index.js');
    window.esIds = [];
    const es = (window.es = new EventSource(url, { share: 'origin' }));
    for (const t of ['message', 'alert', 'intel', 'poll', 'sentiment']) es.addEventListener(t, (e) => window.esIds.push(Number(e.lastEventId)));
    await new Promise((open) => { es.onopen = open; });
  }, server.feedUrl);
  await sleep(400);
  frame.uncaught = uncaught;
  await expectAllEvents([frame], server);
  await expect.poll(() => frame.evaluate(() => window.esIds.at(-1)), { timeout: 5000 }).toBe(server.log.lastId);
  const esIds = await frame.evaluate(() => window.esIds);
  expect(esIds.length).toBeGreaterThan(5);
  expect(esIds).toEqual(Array.from({ length: esIds.length }, (_, i) => esIds[0] + i));
  await frame.evaluate(() => { window.manager.destroy(); window.es.close(); });
  await expect.poll(() => openStreams(server), { timeout: 5000 }).toBe(0); // after the hub's linger
});

test('a SharedWorker that cannot start (a CSP with worker-src \'none\'): the tabs elect a Web Locks leader, one stream, every event once', async ({ context, site }) => {
  // The policy comes in a <meta> the page adds before it makes any worker (a header set through
  // page.route would also move the page out of the loopback address space, and Chromium's
  // Private Network Access then blocks its fetch of the local server).
  const pages = await openTabs(context, site, server, 3, 'auto', '&csp=no-workers');
  const roles = await Promise.all(pages.map((p) => p.evaluate(() => window.manager.sharing)));
  expect(roles.sort()).toEqual(['follower', 'follower', 'leader']);
  await sleep(300);
  expect(openStreams(server)).toBe(1);
  await expectAllEvents(pages, server);
});
