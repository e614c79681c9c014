// Chromium for the "what a user pays" benchmarks: the Debian build with the flags the e2e tests
// use, and timers that run as in a page in front (a page not in front would otherwise be
// throttled, which changes both latencies and timer counts).
import { chromium } from '@playwright/test';

export const FLAGS = ['--disable-renderer-backgrounding', '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Chromium puts the tabs of one site in one renderer process (up to a threshold), so a crash or
// a long task in one tab hits them all; this feature off, each tab gets a process of its own.
export const OWN_PROCESS_FLAG = '--disable-features=ProcessPerSiteUpToMainFrameThreshold';

/** Chromium with FLAGS; `ownProcesses`: each tab in a renderer process of its own (OWN_PROCESS_FLAG). */
export function launch({ ownProcesses = false } = {}) {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ownProcesses ? [...FLAGS, OWN_PROCESS_FLAG] : FLAGS });
}

/** A page of a fresh browser context (its own cache, storage and renderer) at `path`, once its
 * #out says ready. `initScript` runs before any of the page's own scripts. */
export async function openPage(browser, url, { initScript } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (initScript) await page.addInitScript(initScript);
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'loading', null, { timeout: 30000 });
  const status = await page.textContent('#out');
  if (status !== 'ready') throw new Error(`${url}: ${status}`);
  return { page, context, close: () => context.close() };
}

export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
export const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);
export const round3 = (x) => Math.round(x * 1000) / 1000;
