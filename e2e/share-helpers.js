// What the share specs (share.spec.js, share-lost-tabs.spec.js) do to tabs of e2e/pages/share.html
// and check of them against the reference server (demo/server/sse-server.js).
import { expect } from '@playwright/test';

/** Events every this many ms once every tab has joined. */
export const EVENT_EVERY_MS = 25;

/** The streams the server holds open. */
export const openStreams = (server) => server.clients.size + server.sse.streams().length;

/**
 * n tabs of one browser context sharing the server's feed via `via`; the events start once all
 * are open. query: more of share.html's parameters ('&csp=no-workers').
 */
export async function openTabs(context, site, server, n, via = 'auto', query = '') {
  const url = `${site.url}/e2e/pages/share.html?via=${via}${query}&url=${encodeURIComponent(server.feedUrl)}`;
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    // An error the page did not catch (a throw in a listener, a post on a closed channel) is a
    // defect even where delivery survives it: apps report those to their error monitoring.
    page.uncaught = [];
    page.on('pageerror', (e) => page.uncaught.push(e.message));
    await page.goto(url);
    pages.push(page);
  }
  for (const page of pages) await expect(page.locator('#out')).toHaveText('open', { timeout: 10000 });
  // The stream starts once every tab has joined: each must then hold every event.
  server.setIntervalMs(EVENT_EVERY_MS);
  return pages;
}

/** Stops the events; every page must hold every one the server sent, once, in order, with no error. */
export async function expectAllEvents(pages, server) {
  server.setIntervalMs(0);
  const last = server.log.lastId;
  const want = Array.from({ length: last }, (_, i) => i + 1);
  for (const page of pages) {
    await expect.poll(() => page.evaluate(() => window.ids.at(-1) ?? 0), { timeout: 15000 }).toBe(last);
    expect(await page.evaluate(() => window.ids)).toEqual(want);
    expect(await page.evaluate(() => window.errors)).toEqual([]);
    expect(page.uncaught ?? []).toEqual([]);
  }
}
