// The "Strategist live" demo end to end: the real manager and router (Wasm) in Chromium against
// the reference SSE server and the mock AI services, faults injected through the chaos panel.
import { test as base, expect } from '@playwright/test';
import { launchDemo } from '../demo/launch.js';
import { startAll } from '../demo/server/index.js';

const test = base.extend({
  demo: [
    async ({}, use) => {
      const demo = await launchDemo({
        startAll, port: 0,
        sse: { intervalMs: 250, heartbeatMs: 1000, analysisStepMs: 250 },
      });
      await use(demo);
      await demo.close();
    },
    { scope: 'worker' },
  ],
});

const feedStatus = (page) => page.locator('.topbar .lifeline-status').first();
const feedIds = async (page) => (await page.locator('.feed__id').allTextContents()).map((t) => Number(t.slice(1)));

test.describe.configure({ mode: 'serial' });

const feedConnects = async (demo) => {
  const status = await (await fetch(`${demo.urls.status}?connects=200`)).json();
  return status.connects.filter((c) => c.path === 'feed').length;
};

test('the dashboard goes live and streams the feed over one connection', async ({ page, demo }) => {
  const before = await feedConnects(demo);
  await page.goto(demo.url);
  await expect(page.getByRole('heading', { name: 'Live intelligence feed' })).toBeVisible();
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await expect(page.locator('.feed__item').nth(2)).toBeVisible();
  await expect(page.locator('.lifeline-health__service')).toHaveCount(3);
  // The app runs in Strict Mode (mount, unmount, mount): still exactly one feed connection.
  expect(await feedConnects(demo)).toBe(before + 1);
});

test('a dropped stream reconnects and resumes without a gap', async ({ page, demo }) => {
  await page.goto(demo.url);
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await expect(page.locator('.feed__item').nth(2)).toBeVisible();
  await page.getByRole('button', { name: /Drop streams/ }).click();
  // The manager reconnects with Last-Event-ID: the list of ids keeps growing with no hole.
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  const before = Math.max(...await feedIds(page));
  await expect.poll(async () => Math.max(...await feedIds(page)), { timeout: 10_000 }).toBeGreaterThan(before + 3);
  await page.getByRole('button', { name: 'All', exact: true }).click();
  const ids = (await feedIds(page)).sort((a, b) => a - b);
  for (let i = 1; i < ids.length; i++) expect(ids[i] - ids[i - 1]).toBe(1);
});

test('a server restart shows the reconnection alert, then heals', async ({ page, demo }) => {
  await page.goto(demo.url);
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await page.getByRole('button', { name: /Restart server/ }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Live intelligence feed interrupted' });
  await expect(alert).toBeVisible({ timeout: 10_000 });
  await expect(alert.getByRole('button', { name: 'Retry now' })).toBeEnabled();
  await page.screenshot({ path: 'e2e/artifacts/demo-healing.png', fullPage: true });
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 20_000 });
  await expect(alert).toBeHidden();
});

test('a ward analysis runs through its six stages', async ({ page, demo }) => {
  await page.goto(demo.url);
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await page.getByLabel('Ward', { exact: true }).selectOption('Millbrook');
  await page.getByRole('button', { name: 'Run analysis' }).click();
  const bar = page.getByRole('progressbar', { name: 'Analysis progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', /[1-6]/, { timeout: 10_000 });
  await expect(page.locator('.lifeline-progress')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(page.locator('.section')).toHaveCount(4);
  await expect(page.getByText('Report complete')).toBeVisible();
});

test('killing an AI service shows degraded mode and the router fails over', async ({ page, demo }) => {
  await page.goto(demo.url);
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await page.getByRole('button', { name: 'Kill gemini' }).click();
  await page.getByRole('button', { name: 'Summarise' }).click();
  await expect(page.locator('.answer__meta')).toContainText(/Answered by (llama|perplexity)/, { timeout: 15_000 });
  await expect(page.locator('.lifeline-health__notice')).toContainText('Degraded mode', { timeout: 20_000 });
  await page.screenshot({ path: 'e2e/artifacts/demo-degraded.png', fullPage: true });
  await page.getByRole('button', { name: 'Restore gemini' }).click();
  await expect(page.locator('.lifeline-health__notice')).toHaveText('', { timeout: 30_000 });
});
