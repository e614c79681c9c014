// An event over the event cap (1 MiB by default) in Chromium, on both transports: it is skipped
// and counted, the stream stays open (no reconnect that would fetch the same event again and
// loop), and every other event arrives exactly once, in order.
import { test, expect } from './fixtures.js';
import { startSSEServer } from '../demo/server/sse-server.js';

for (const transport of ['fetch', 'eventsource']) {
  test(`${transport}: an oversized event is skipped without a reconnect loop`, async ({ page, site }) => {
    const server = await startSSEServer({ intervalMs: 0, heartbeatMs: 200 });
    try {
      const url = `${site.url}/e2e/pages/manager.html?transport=${transport}&hb=3000&url=${encodeURIComponent(server.feedUrl)}`;
      await page.goto(url);
      await expect(page.locator('#out')).toHaveText('open');
      server.publish('message', { n: 1 });
      const big = server.publish('message', { pad: 'x'.repeat(1.5 * 1024 * 1024) });
      for (let n = 2; n <= 5; n++) server.publish('message', { n });
      const last = server.log.lastId;
      await expect.poll(() => page.evaluate(() => window.ids.at(-1) ?? 0), { timeout: 15000 }).toBe(last);
      const ids = await page.evaluate(() => window.ids);
      const want = Array.from({ length: last }, (_, i) => i + 1).filter((id) => id !== big.id);
      expect(ids).toEqual(want);
      const metrics = await page.evaluate(() => window.manager.getMetrics());
      expect(metrics.overflows).toBe(1);
      expect(metrics.reconnects).toBe(0);
      expect(await page.evaluate(() => window.states)).toEqual(['connecting', 'open']);
      expect(server.counters.connectsTotal).toBe(1);
    } finally {
      await server.close();
    }
  });
}
