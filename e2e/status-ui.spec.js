// What a user sees of the library's status UI, per fault, in Chromium: e2e/pages/status.html (the
// real manager in Wasm and the lifeline-sse/react components) against the reference SSE server
// (demo/server/sse-server.js, faults injected in-process). The indicator turns stale within the
// stale threshold of a stall and the recorded outage covers the stall; a 300 ms blip shows no
// alert, a 5 s outage shows one; a 401 shows the failed state with "Sign in"; "Retry now" after
// mixed failures reconnects at once; the alert moves nothing; axe-core finds no serious or
// critical violation in the normal, reconnecting and failed states. Screenshots of each state go
// to e2e/artifacts/status-*.png; STATUS_UI_DOCS=1 also writes them to docs/img/ (docs/react.md).
import { test as base, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { startSSEServer } from '../demo/server/sse-server.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const GRACE_MS = 2000; // the core's default grace time before an alert
const HEARTBEAT_TIMEOUT_MS = 9000; // the page's watchdog: the learned stale threshold is below 6 s

const test = base.extend({
  env: [
    async ({}, use) => {
      const sse = await startSSEServer({ intervalMs: 250, heartbeatMs: 1000 });
      const vite = await createServer({
        configFile: false,
        root: `${repo}e2e/pages`,
        logLevel: 'warn',
        clearScreen: false,
        cacheDir: `${repo}node_modules/.vite-status-ui`,
        resolve: {
          alias: [
            { find: /^lifeline-sse\/react\/lifeline\.css$/, replacement: `${repo}js/react/lifeline.css` },
            { find: /^lifeline-sse\/react$/, replacement: `${repo}js/react/index.js` },
            { find: /^lifeline-sse$/, replacement: `${repo}js/index.js` },
          ],
          dedupe: ['react', 'react-dom'],
        },
        optimizeDeps: { include: ['react', 'react-dom', 'react-dom/client'] },
        server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, fs: { allow: [repo] } },
      });
      await vite.listen();
      const url = `http://127.0.0.1:${vite.httpServer.address().port}/status.html`;
      await use({ sse, url });
      await vite.close();
      await sse.close();
    },
    { scope: 'worker' },
  ],
});

test.describe.configure({ mode: 'serial' });

const indicator = (page) => page.locator('header .lifeline-status');
const alertBox = (page) => page.locator('section.lifeline-alert');
// Each state's screenshot is a test artifact; with STATUS_UI_DOCS=1 it also refreshes docs/img.
async function shot(page, name) {
  const png = await page.screenshot({ path: `e2e/artifacts/status-${name}.png` });
  if (process.env.STATUS_UI_DOCS) await writeFile(`${repo}docs/img/status-${name}.png`, png);
}
const pageStatus = (page) => page.evaluate(() => window.page.status());
const feedConnects = (sse, since) => sse.history.filter((c) => c.path === 'feed' && c.t >= since);

/** A fresh page, live, with no fault left on the server. */
async function open(page, env, viewport = { width: 1280, height: 800 }) {
  env.sse.clearFaults();
  await page.setViewportSize(viewport);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${env.url}?feed=${encodeURIComponent(env.sse.feedUrl)}&hb=${HEARTBEAT_TIMEOUT_MS}`);
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await expect(page.locator('.lifeline-stream__item').nth(2)).toBeVisible();
}

async function expectAccessible(page, state) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `axe in the ${state} state`).toEqual([]);
}

/** Positions of the page's content (x, y, width: the feed's growth may change heights), to compare
 * before and after the alert; measured once the feed shows its 8 entries. */
async function boxes(page, selectors = ['header', 'header h1', '#feed-card', '#facts-card', '#feed-title', '#facts-title', '#elsewhere']) {
  await expect(page.locator('.lifeline-stream__list > li')).toHaveCount(8, { timeout: 10_000 });
  return page.evaluate((list) => list
    .map((s) => { const r = document.querySelector(s).getBoundingClientRect(); return [s, Math.round(r.x), Math.round(r.y), Math.round(r.width)]; }), selectors);
}
// On a phone the cards stack: what is below the feed moves with the feed's own rows.
const ABOVE_THE_FEED = ['header', 'header h1', '#feed-card', '#feed-title', '.lifeline-stream__list'];

test('normal state: live, accessible', async ({ page, env }) => {
  await open(page, env);
  await expect(indicator(page)).toContainText('Live');
  await expect(alertBox(page)).toHaveCount(0);
  await expectAccessible(page, 'normal');
  await shot(page, 'live');
});

test('a stall: stale within the stale threshold, the alert a grace time later while still open; the outage recorded covers it', async ({ page, env }) => {
  await open(page, env);
  // Let the manager learn the server's rhythm (10 s of open time; a byte every 250 ms).
  await expect.poll(async () => (await pageStatus(page)).staleAfterMs, { timeout: 15_000 }).toBeLessThan(HEARTBEAT_TIMEOUT_MS * 2 / 3);
  const threshold = (await pageStatus(page)).staleAfterMs;
  const before = (await page.evaluate(() => window.page.metrics().byChannel.feed)).outageMs;
  const stallMs = 10_000;
  const t0 = Date.now();
  env.sse.fault('stall', { ms: stallMs });
  await expect(indicator(page)).toHaveAttribute('data-state', 'stale', { timeout: threshold + 1500 });
  const staleAfter = Date.now() - t0;
  expect(staleAfter).toBeLessThanOrEqual(threshold + 1200); // the last byte came up to ~1 s before the stall
  await expect(indicator(page)).toContainText(/No data for \d+ s/);
  expect(staleAfter).toBeLessThan(HEARTBEAT_TIMEOUT_MS); // before the watchdog
  await shot(page, 'stale');
  // The grace time (2 s) after the silence was noticed: the alert, while the stream is still
  // open and before the watchdog gives up at 9 s.
  await expect(alertBox(page)).toBeVisible({ timeout: GRACE_MS + 1500 });
  const alertAfter = Date.now() - t0;
  expect(alertAfter).toBeLessThan(HEARTBEAT_TIMEOUT_MS);
  expect(await alertBox(page).locator('.lifeline-alert__title').textContent()).toBe('Live updates paused — no data is arriving');
  const alerted = (await page.evaluate(() => window.page.statuses)).find((s) => s.alert);
  expect(alerted).toMatchObject({ state: 'open', stale: true });
  await shot(page, 'stall-alert');
  // The watchdog: reconnecting, the alert kept, its words naming the stall.
  await expect(alertBox(page).locator('.lifeline-alert__title')).toHaveText('Live updates paused — the server stopped sending data', { timeout: HEARTBEAT_TIMEOUT_MS });
  // The stall ends at 10 s; data resumes; the recorded outage covers the whole stall.
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await expect(alertBox(page)).toHaveCount(0);
  await expect.poll(async () => (await page.evaluate(() => window.page.metrics().byChannel.feed)).outageMs - before, { timeout: 5000 })
    .toBeGreaterThanOrEqual(stallMs - 500);
  const outage = (await page.evaluate(() => window.page.metrics().byChannel.feed)).outageMs - before;
  expect(outage).toBeLessThan(stallMs + 4000);
  await expect(page.locator('.lifeline-stream__marker').first()).toContainText(/Reconnected after \d+(\.\d)? s/);
  await shot(page, 'recovered');
});

test('a 300 ms blip shows no alert; a 5 s outage shows one, without moving the page', async ({ page, env }) => {
  await open(page, env);
  const layout = await boxes(page);
  await env.sse.restart({ downMs: 300 });
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 5000 });
  await page.waitForTimeout(2500); // past the grace time
  const blip = await page.evaluate(() => window.page.statuses);
  expect(blip.some((s) => s.state !== 'open'), 'the blip was seen').toBe(true);
  expect(blip.filter((s) => s.alert).map((s) => s.state)).toEqual([]);
  await expect(alertBox(page)).toHaveCount(0);
  // Five seconds down: the alert appears after the grace time.
  const down = env.sse.restart({ downMs: 5000 });
  const t1 = Date.now();
  await expect(indicator(page)).not.toHaveAttribute('data-state', 'open', { timeout: 3000 });
  await page.waitForTimeout(1000);
  await expect(alertBox(page)).toHaveCount(0); // still within the grace time
  await expect(alertBox(page)).toBeVisible({ timeout: 3000 });
  expect(Date.now() - t1).toBeGreaterThanOrEqual(1900);
  await expect(alertBox(page).locator('.lifeline-alert__title')).toHaveText('Live updates paused — the server is not answering');
  await expect(alertBox(page)).toContainText(/Trying again (in \d+ s|now)/);
  await expect(alertBox(page).locator('.lifeline-alert__title')).not.toContainText(/circuit/i);
  expect(await boxes(page)).toEqual(layout); // nothing moved
  await expectAccessible(page, 'reconnecting');
  await shot(page, 'reconnecting');
  await down;
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 10_000 });
  await expect(alertBox(page)).toHaveCount(0);
  expect(await boxes(page)).toEqual(layout);
});

test('a 401: the failed state with "Sign in"; Retry now after mixed failures reconnects at once', async ({ page, env }) => {
  await open(page, env);
  env.sse.fault('401', { count: 1 });
  env.sse.drop();
  await expect(indicator(page)).toHaveAttribute('data-state', 'failed', { timeout: 5000 });
  await expect(indicator(page)).toContainText('Stopped: you are not signed in, or your session expired');
  const box = alertBox(page);
  await expect(box).toBeVisible();
  await expect(box).toHaveClass(/lifeline-alert--failed/);
  await expect(box.locator('.lifeline-alert__title')).toHaveText('Live updates stopped — you are not signed in, or your session expired');
  await expect(box.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(box.getByRole('button', { name: 'Retry now' })).toHaveCount(0);
  await box.locator('summary').click();
  await expect(box.locator('.lifeline-alert__details')).toContainText('HTTP 401');
  await expectAccessible(page, 'failed');
  await shot(page, 'failed-401');
  // Signing in (the app's action retries): live at once.
  await box.getByRole('button', { name: 'Sign in' }).click();
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 3000 });
  await expect(page.locator('#sign-ins')).toHaveText('Sign-ins: 1');
  // A 404 (another permanent failure), retried by the user...
  env.sse.fault('404', { count: 1 });
  env.sse.drop();
  await expect(indicator(page)).toHaveAttribute('data-state', 'failed', { timeout: 5000 });
  await expect(box.locator('.lifeline-alert__title')).toHaveText('Live updates stopped — the stream no longer exists');
  await box.getByRole('button', { name: 'Retry now' }).click();
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 3000 });
  // ... then 5xx answers until the breaker pauses the stream (circuit-open).
  env.sse.fault('500', { count: 5 });
  env.sse.drop();
  await expect.poll(async () => (await pageStatus(page)).state, { timeout: 25_000 }).toBe('circuit-open');
  await expect(box).toBeVisible();
  await expect(box.locator('.lifeline-alert__title')).toHaveText('Live updates paused — the server is having trouble');
  await expect(box.locator('.lifeline-alert__title')).not.toContainText(/circuit/i);
  await box.locator('summary').click();
  await expect(box.locator('.lifeline-alert__details')).toContainText('circuit breaker');
  // One press: one attempt, at once, and live again.
  await page.locator('#elsewhere').focus();
  const t0 = Date.now();
  await box.getByRole('button', { name: 'Retry now' }).focus();
  await box.getByRole('button', { name: 'Retry now' }).click();
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 1500 });
  expect(Date.now() - t0).toBeLessThan(1500);
  expect(feedConnects(env.sse, t0)).toHaveLength(1);
  await expect(alertBox(page)).toHaveCount(0);
  // Focus went back where it was, not to <body>.
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('elsewhere');
  // A single drop afterwards finds the breaker closed: reconnecting, not paused.
  const states = await page.evaluate(() => window.page.statuses.length);
  env.sse.drop();
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 5000 });
  const after = (await page.evaluate(() => window.page.statuses)).slice(states).map((s) => s.state);
  expect(after).not.toContain('circuit-open');
});

test('on a phone: the alert overlays the page without moving it, and no sideways scroll', async ({ page, env }) => {
  await open(page, env, { width: 390, height: 844 });
  const layout = await boxes(page, ABOVE_THE_FEED);
  const down = env.sse.restart({ downMs: 4500 });
  await expect(alertBox(page)).toBeVisible({ timeout: 6000 });
  expect(await boxes(page, ABOVE_THE_FEED)).toEqual(layout);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await shot(page, 'phone-reconnecting');
  await down;
  await expect(indicator(page)).toHaveAttribute('data-state', 'open', { timeout: 10_000 });
});
