// The "Strategist live" demo end to end: the real manager and router (Wasm) in Chromium against
// the reference SSE server and the mock AI services, every fault injected through the chaos panel
// as a user would, at 1440x900 and at 390x844. Screenshots go to e2e/artifacts/demo-*.jpg.
// One page serves every test, as one user would press one button after another (and a page load
// per test would double the run time); each test starts once the feed is live, with no fault left.
import { test as base, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { launchDemo } from '../demo/launch.js';
import { startAll } from '../demo/server/index.js';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const test = base.extend({
  demo: [
    async ({}, use) => {
      const demo = await launchDemo({
        startAll, port: 0, hmr: false, // others may edit js/ while this runs: no reload mid-test
        sse: { intervalMs: 250, heartbeatMs: 1000, analysisStepMs: 250 },
      });
      await use(demo);
      await demo.close();
    },
    { scope: 'worker' },
  ],
  // Rows slide in over 0.35 s; without motion axe reads every colour at its final value.
  app: [
    async ({ browser }, use) => {
      const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce' });
      await use(await context.newPage());
      await context.close();
    },
    { scope: 'worker' },
  ],
});

test.describe.configure({ mode: 'serial' });

const feedStatus = (page) => page.locator('.topbar .lifeline-status').first();
const feedIds = async (page) => (await page.locator('.feed__id').allTextContents()).map((t) => Number(t.slice(1)));
const chaos = (page, id) => page.locator(`[data-fault="${id}"]`);
const kpiEvents = async (page) => Number((await page.locator('.kpis [data-metric="events"]').textContent()).replace(/[^\d]/g, ''));
const serverStatus = async (demo) => (await fetch(`${demo.urls.status}?connects=200`)).json();
const feedConnects = async (demo) => (await serverStatus(demo)).connects.filter((c) => c.path === 'feed');
const post = (url, body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
const shot = (page, name) => page.screenshot({ path: `e2e/artifacts/demo-${name}.jpg`, type: 'jpeg', quality: 85 });

/** The shared page at `viewport`, loaded on first use, scrolled to the top, its feed live. */
async function open(page, demo, viewport = DESKTOP) {
  await page.setViewportSize(viewport);
  if (!page.url().startsWith(demo.url)) await page.goto(demo.url);
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await expect(page.locator('.feed__item').nth(2)).toBeVisible();
}

/** axe-core (WCAG 2.x A and AA rules) on the whole page: no serious or critical violation. */
async function expectAccessible(page, state) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`).join(' | ')}`);
  expect(bad, `axe in the ${state} state`).toEqual([]);
}

// Every test starts from a healthy world: no stream fault queued, every AI service normal.
// (A test that failed during a restart finds the server down for a moment: wait for it.)
test.afterEach(async ({ demo }) => {
  await expect.poll(() => fetch(`${demo.urls.faults}all`, { method: 'DELETE' }).then((r) => r.ok, () => false), { timeout: 10_000 }).toBe(true);
  await post(`${demo.urls.sse}/__ai/reset`);
});

test('the dashboard says what it is, goes live over one connection, and keeps the chaos panel beside the status', async ({ app: page, demo }) => {
  const before = (await feedConnects(demo)).length;
  await open(page, demo);
  await expect(page.getByRole('heading', { name: 'Live intelligence feed' })).toBeVisible();
  await expect(page.locator('.lifeline-health__service')).toHaveCount(3);
  // The app runs in Strict Mode (mount, unmount, mount): still exactly one feed connection.
  expect((await feedConnects(demo)).length).toBe(before + 1);

  // An opening line says what the demo shows and what to try, in the first screen.
  const intro = page.locator('.intro');
  await expect(intro).toContainText('What this shows');
  await expect(intro).toContainText('Try it');
  await expect(intro).toBeInViewport();
  // The chaos panel sits beside the dashboard, in the first screen, with the status bar and the
  // timeline: a button and what it does are seen together.
  const panel = (await page.locator('#chaos-panel').boundingBox());
  const main = (await page.locator('.main').boundingBox());
  expect(panel.x).toBeGreaterThanOrEqual(main.x + main.width);
  expect(panel.y).toBeLessThan(DESKTOP.height / 3);
  await expect(chaos(page, 'drop')).toBeInViewport();
  await expect(chaos(page, 'analysis-error')).toBeInViewport();
  await expect(page.getByTestId('timeline')).toBeInViewport();
  await expect(feedStatus(page)).toBeInViewport();
  // No empty column: the feed card and the column beside it end together.
  const feed = await page.locator('.card--feed').boundingBox();
  const col = await page.locator('.grid > .col').boundingBox();
  expect(Math.abs((feed.y + feed.height) - (col.y + col.height))).toBeLessThan(4);

  // The manager's per-channel figures, each with its definition, and not the demo's own counts.
  await expect(page.locator('.counter dt')).toContainText(['Events received', 'Deliveries', 'Caught up', 'Replayed', 'Duplicates dropped', 'Reconnects', 'Outage time']);
  await expect(page.locator('.counter').filter({ has: page.locator('dt', { hasText: /^Deliveries$/ }) })).toContainText('one per subscriber and event');
  await expect(page.locator('.counter [data-metric="eventsReceived"]')).toHaveText(/^[1-9][\d,]*$/);
  await expectAccessible(page, 'normal');
  await shot(page, '1440-live');
});

// Notes in the page whether a reconnection alert was ever shown from now on (a blip must not show one).
const watchAlerts = (page) => page.evaluate(() => {
  window.__alertSeen = false;
  new MutationObserver(() => { if (document.querySelector('.lifeline-alert')) window.__alertSeen = true; })
    .observe(document.querySelector('.alerts'), { childList: true, subtree: true });
});

test('Drop streams: a blip (no alert), a marker on the timeline and in the feed, and no gap', async ({ app: page, demo }) => {
  await open(page, demo);
  const outages = await page.locator('.tl__seg[data-state="reconnecting"]').count();
  const resumed = await page.locator('.feed__marker[data-kind="resumed"]').count();
  await watchAlerts(page);
  await chaos(page, 'drop').click();
  await expect(page.locator('.tl__pill[data-marker="drop"]')).toBeVisible();
  await expect(page.locator('.tl__seg[data-state="reconnecting"]')).toHaveCount(outages + 1, { timeout: 10_000 });
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  // "Reconnected after 0.6 s — 3 events caught up": the feed marks where the stream was cut.
  await expect(page.locator('.feed__marker[data-kind="resumed"]')).toHaveCount(resumed + 1);
  await expect(page.locator('.feed__marker[data-kind="resumed"]').first()).toContainText('Reconnected after');
  expect(await page.evaluate(() => window.__alertSeen)).toBe(false); // healed within the grace time
  const before = Math.max(...await feedIds(page));
  await expect.poll(async () => Math.max(...await feedIds(page)), { timeout: 10_000 }).toBeGreaterThan(before + 3);
  const ids = (await feedIds(page)).sort((a, b) => a - b);
  for (let i = 1; i < ids.length; i++) expect(ids[i] - ids[i - 1]).toBe(1);
});

test('Restart server: an outage past the grace time shows the alert, which moves nothing; then the feed heals', async ({ app: page, demo }) => {
  await open(page, demo);
  const tops = () => Promise.all(['.card--timeline', '.card--feed', '.grid > .col', '#chaos-panel'].map(async (sel) => (await page.locator(sel).boundingBox()).y));
  const before = await tops();
  await chaos(page, 'restart').click();
  const alert = page.locator('.lifeline-alert');
  await expect(alert).toBeVisible({ timeout: 10_000 });
  await expect(alert).toContainText('Live updates paused');
  await expect(alert.getByRole('button', { name: 'Retry now' })).toBeEnabled();
  expect(await tops()).toEqual(before); // the alert moved nothing
  await expectAccessible(page, 'reconnecting');
  await shot(page, '1440-reconnecting');
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 20_000 });
  await expect(alert).toBeHidden();
});

test('500 × 3: three connects are refused with 500, the next one streams', async ({ app: page, demo }) => {
  await open(page, demo);
  const from = (await feedConnects(demo)).length;
  await chaos(page, '500').click();
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'reconnecting', { timeout: 5_000 });
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 20_000 });
  const after = (await feedConnects(demo)).slice(from).map((c) => c.status);
  expect(after.slice(0, 4)).toEqual([500, 500, 500, 200]);
});

const seconds = async (page, metric) => Number.parseFloat(await page.locator(`.counter [data-metric="${metric}"]`).textContent()) || 0;

test('Stall 15 s: nothing arrives, the status says so before the watchdog, and the outage counts the stall in full', async ({ app: page, demo }) => {
  await open(page, demo);
  const outageBefore = await seconds(page, 'outageMs');
  const silences = await page.locator('.feed__marker[data-kind="silence"]').count();
  await chaos(page, 'stall').click();
  let stallAt = 0; // when the server began to hold its bytes, from the time the stall has left
  await expect.poll(async () => {
    const left = (await serverStatus(demo)).faultsActive.find((f) => f.name === 'stall')?.remainingMs ?? 0;
    stallAt = Date.now() - (15_000 - left);
    return left;
  }).toBeGreaterThan(12_000);
  await page.waitForTimeout(400); // the feed renders at most every 250 ms: the last event before the stall
  const held = Math.max(...await feedIds(page));
  // Stale within the stale threshold (learned from the stream's rhythm, at most two thirds of
  // the 12 s watchdog), not "Live", and the timeline's band says so too.
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'stale', { timeout: 9_000 });
  await expect(feedStatus(page)).toContainText('No data');
  await expect(page.locator('.tl__seg[data-state="stale"]').last()).toBeAttached();
  await page.waitForTimeout(1000);
  expect(Math.max(...await feedIds(page))).toBe(held);
  await expect(page.locator('.tl__pill[data-marker="stall"]')).toBeVisible();
  await page.getByRole('button', { name: 'Clear faults' }).click();
  // The first event after the stall, seen within a frame of its render (at most 250 ms after it came).
  await page.waitForFunction((h) => [...document.querySelectorAll('.feed__id')].some((e) => Number(e.textContent.slice(1)) > h), held, { timeout: 10_000, polling: 'raf' });
  const silentMs = Date.now() - stallAt - 250;
  await expect.poll(async () => Math.max(...await feedIds(page)), { timeout: 10_000 }).toBeGreaterThan(held + 2);
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open');
  await expect(page.locator('.feed__marker[data-kind="silence"]')).toHaveCount(silences + 1);
  // The recorded outage runs from the last data before the stall to the first after it: at least
  // the time the server held its bytes (less the counter's 0.1 s rounding and some slack).
  await expect.poll(async () => (await seconds(page, 'outageMs')) - outageBefore, { timeout: 3_000 })
    .toBeGreaterThan(silentMs / 1000 - 0.5);
  const ids = (await feedIds(page)).sort((a, b) => a - b);
  for (let i = 1; i < ids.length; i++) expect(ids[i] - ids[i - 1]).toBe(1);
});

test('Close after each event: every stream ends after one event for a while, and nothing is lost', async ({ app: page, demo }) => {
  await open(page, demo);
  const from = (await feedConnects(demo)).length;
  await chaos(page, 'close-after-event').click();
  // The open stream is cut at once and each new one ends after its event: many short streams.
  await expect.poll(async () => (await feedConnects(demo)).slice(from).filter((c) => c.fault === 'close-after-event').length,
    { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  await page.getByRole('button', { name: 'Clear faults' }).click();
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  const before = Math.max(...await feedIds(page));
  await expect.poll(async () => Math.max(...await feedIds(page)), { timeout: 10_000 }).toBeGreaterThan(before + 2);
  const ids = (await feedIds(page)).sort((a, b) => a - b);
  for (let i = 1; i < ids.length; i++) expect(ids[i] - ids[i - 1]).toBe(1);
});

test('Burst 1000 events: counted by the manager, and the campaign figures survive it', async ({ app: page, demo }) => {
  await open(page, demo);
  // The feed's replay (the last 200 events) brings a poll of ours at once, or the next ones do.
  await expect(page.locator('.kpis dd').first()).toHaveText(/\d+(\.\d)?%/, { timeout: 15_000 });
  // The generator pauses, so the burst's 1000 sentiment events are all the list holds after it.
  await post(`${demo.urls.sse}/__generator`, { intervalMs: 0 });
  try {
    const before = await kpiEvents(page);
    await chaos(page, 'burst').click();
    await expect.poll(() => kpiEvents(page), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 1000);
    await expect(page.locator('.feed__item').first()).toContainText('burst test');
    // Every poll has left the list, none has left the figures.
    await expect(page.locator('.feed__item--poll')).toHaveCount(0);
    await expect(page.locator('.kpis dd').first()).toHaveText(/\d+(\.\d)?%/);
  } finally {
    await post(`${demo.urls.sse}/__generator`, { intervalMs: 250 });
  }
});

test('two ward analyses in a row both complete, each stage answered through the AI router', async ({ app: page, demo }) => {
  await open(page, demo);
  for (const ward of ['Millbrook', 'Riverside']) {
    await page.getByLabel('Ward', { exact: true }).selectOption(ward);
    await page.getByRole('button', { name: 'Run analysis' }).click();
    const run = page.locator('.run');
    await expect(run).toHaveAttribute('data-state', 'complete', { timeout: 20_000 });
    await expect(run).toContainText(ward);
    await expect(page.locator('.lifeline-progress')).toHaveAttribute('data-state', 'done');
    await expect(run.locator('.section')).toHaveCount(5); // four stage sections and the summary
    await expect(run.locator('.ai-note[data-state="ok"]')).toHaveCount(5);
    await expect(run.locator('.section').first()).toContainText(`in ${ward}`);
    await expect(page.getByText('Report complete')).toBeVisible();
  }
  // The two runs were two server runs (the second did not just show the first's report).
  const runs = (await serverStatus(demo)).connects.filter((c) => c.path === 'analysis' && c.runId);
  expect(new Set(runs.slice(-2).map((c) => c.runId)).size).toBe(2);
});

test('Fail next analysis: the run fails in stage 3, as the button says', async ({ app: page, demo }) => {
  await open(page, demo);
  await chaos(page, 'analysis-error').click();
  await expect(page.locator('.chip').filter({ hasText: 'analysis-error' })).toBeVisible();
  await page.getByRole('button', { name: 'Run analysis' }).click();
  const bar = page.getByRole('progressbar', { name: 'Analysis progress' });
  await expect(bar).toHaveAttribute('aria-valuetext', /^Failed at stage 3 of 6/, { timeout: 15_000 });
  await expect(page.locator('.lifeline-progress__stage--error')).toHaveText('Processing Data');
  await expect(page.locator('.run')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByRole('button', { name: 'Run analysis' })).toBeEnabled();
});

test('Kill and Hang AI services: the analysis and the briefings fail over to the service left', async ({ app: page, demo }) => {
  await open(page, demo);
  await page.getByRole('button', { name: 'Kill gemini' }).click();
  await page.getByRole('button', { name: 'Hang perplexity' }).click();
  await expect(page.locator('.ai-row').filter({ hasText: 'perplexity' }).locator('.mode')).toHaveText('hang');
  await expect(page.locator('.tl__pill[data-marker="gemini killed"]')).toBeVisible();
  await page.getByRole('button', { name: 'Run analysis' }).click();
  const run = page.locator('.run');
  await expect(run).toHaveAttribute('data-state', 'complete', { timeout: 30_000 });
  // Every stage's answer came from llama, the one service neither killed nor hanging; getting
  // there took more than one attempt for at least one stage (a failover inside the analysis).
  const notes = run.locator('.ai-note[data-state="ok"]');
  await expect(notes).toHaveCount(5);
  expect(new Set(await notes.evaluateAll((els) => els.map((e) => e.dataset.service)))).toEqual(new Set(['llama']));
  expect(Math.max(...await notes.evaluateAll((els) => els.map((e) => Number(e.dataset.attempts))))).toBeGreaterThan(1);
  await page.getByRole('button', { name: 'Summarise' }).click();
  await expect(page.locator('.answer__meta')).toContainText('Answered by llama', { timeout: 15_000 });
  await expect(page.locator('.lifeline-health__service').filter({ hasText: 'gemini' })).toHaveAttribute('data-state', /down|degraded/, { timeout: 20_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '1440-failover');
  await page.getByRole('button', { name: 'Restore gemini' }).click();
  await page.getByRole('button', { name: 'Restore perplexity' }).click();
  await expect(page.locator('.lifeline-health__service[data-state="healthy"]')).toHaveCount(3, { timeout: 30_000 });
});

// The health panel against real traffic (the demo's router, its mock AI services): with every
// service killed it says none is available and shows no frozen figures; a restored service that
// answers is shown recovering or healthy within about 2 s of its first success.
test('AI health panel: all down says so, a restored service shows recovering soon after its first answer', async ({ app: page, demo }) => {
  await open(page, demo);
  const panel = page.locator('.lifeline-health');
  for (const name of ['gemini', 'perplexity', 'llama']) await page.getByRole('button', { name: `Kill ${name}` }).click();
  await page.getByRole('button', { name: 'Summarise' }).click(); // traffic while all are dead
  await expect(panel.locator('.lifeline-health__notice')).toHaveText('No AI service is available; retrying.', { timeout: 30_000 });
  await expect(panel.locator('.lifeline-health__service[data-state="down"]')).toHaveCount(3);
  await expect(panel.locator('.lifeline-health__errors')).toHaveCount(0); // no "errors 0.0 %" for the dead
  await expect(panel.locator('.lifeline-health__latency').first()).toHaveText('not answering');
  await page.getByRole('button', { name: 'Restore gemini' }).click();
  await page.getByRole('button', { name: 'Summarise' }).click();
  await expect(page.locator('.answer__meta')).toContainText('Answered by gemini', { timeout: 20_000 });
  const answeredAt = Date.now();
  const gemini = panel.locator('.lifeline-health__service').filter({ hasText: 'gemini' });
  await expect(gemini).toHaveAttribute('data-state', /recovering|healthy/, { timeout: 2500 });
  expect(Date.now() - answeredAt).toBeLessThan(2500);
  await expect(panel.locator('.lifeline-health__notice')).not.toHaveText('No AI service is available; retrying.');
  for (const name of ['perplexity', 'llama']) await page.getByRole('button', { name: `Restore ${name}` }).click();
});

test('401: the failed state with Sign in, which reconnects', async ({ app: page, demo }) => {
  await open(page, demo);
  await chaos(page, '401').click();
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'failed', { timeout: 10_000 });
  // A permanent failure, in plain words, with the action that fits it (the app's Sign in) and
  // the technical reason under Details.
  const alert = page.locator('.lifeline-alert');
  await expect(alert).toContainText('Live updates stopped — you are not signed in');
  await expect(alert.locator('details')).toContainText('HTTP 401');
  await expect(page.locator('.tl__seg[data-state="failed"]')).not.toHaveCount(0, { timeout: 5_000 });
  await expectAccessible(page, 'failed');
  await shot(page, '1440-failed');
  await alert.getByRole('button', { name: 'Sign in' }).click();
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 10_000 });
  await expect(alert).toBeHidden();
});

test('on a phone (390x844): one column, no sideways scroll, the chaos drawer works', async ({ app: page, demo }) => {
  await open(page, demo, PHONE);
  const noSideways = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  expect(await noSideways()).toBe(true);
  // One column: the analysis card sits under the feed, not beside it.
  const feed = await page.locator('.card--feed').boundingBox();
  const analysis = await page.locator('.card').filter({ has: page.getByRole('heading', { name: 'Ward analysis' }) }).boundingBox();
  expect(analysis.y).toBeGreaterThanOrEqual(feed.y + feed.height);
  await expectAccessible(page, 'phone');
  await shot(page, '390-live');

  await page.getByRole('button', { name: 'Inject faults' }).click();
  const drawer = page.locator('#chaos-panel');
  await expect(drawer).toBeVisible();
  // Every chaos and restore button fits the screen's width (none clipped).
  for (const b of await drawer.getByRole('button').all()) {
    await b.scrollIntoViewIfNeeded();
    const box = await b.boundingBox();
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  }
  expect(await noSideways()).toBe(true);
  const drops = await page.locator('.tl__pill[data-marker="drop"]').count();
  await chaos(page, 'drop').click();
  await expect(feedStatus(page)).toBeInViewport();
  await shot(page, '390-drawer');
  await expect(page.locator('.tl__pill[data-marker="drop"]')).toHaveCount(drops + 1);
  await expect(feedStatus(page)).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await page.getByRole('button', { name: 'Close the chaos panel' }).click();
  await expect(drawer).toBeHidden();
  expect(await noSideways()).toBe(true);
});
