// Timer wakeups on an idle open connection, in headless Chromium: each client in a fresh page of
// its own (all at once), on a stream that sends one event and then a comment every 15 s (a
// typical heartbeat; comments reach no app callback). setTimeout, setInterval and
// requestAnimationFrame are wrapped before the page's scripts run, and every timer callback that
// runs in the idle minute after the first event (plus a second to settle) is counted, with the
// delay it was set for. Goal: no wakeup but the watchdog's deadline.
//   node bench/wakeups.bench.js                 full run (60 s idle)
//   BENCH_QUICK=1 node bench/wakeups.bench.js   short run (3 s idle, a comment every second)
// Writes bench/results/wakeups.json (BENCH_QUICK=1: bench/results/quick/).
import { startBenchServer } from './user-cost/server.js';
import { launch, openPage } from './user-cost/browser.js';
import { countTimers } from './user-cost/count-timers.js';
import { startResult } from './result-file.js';

const QUICK = process.env.BENCH_QUICK === '1';
const IDLE_MS = QUICK ? 3000 : 60000;
const HEARTBEAT_MS = QUICK ? 1000 : 15000;
const SETTLE_MS = 1000;
const CLIENTS = ['native EventSource', 'eventsource v4', 'fetch-event-source', 'lifeline manager (fetch)', 'lifeline manager (eventsource)', 'lifeline EventSource'];

const server = await startBenchServer();
const browser = await launch();
const result = startResult('wakeups', {
  idleMs: IDLE_MS, heartbeatCommentMs: HEARTBEAT_MS, settleMs: SETTLE_MS,
  counted: 'callbacks of setTimeout, setInterval, requestAnimationFrame that ran during the idle time',
  goal: "none but the watchdog's deadline",
}, { chromium: `Chromium ${browser.version()}` });
try {
  const pages = [];
  for (const name of CLIENTS) {
    const p = await openPage(browser, `${server.url}/bench/pages/user-cost.html`, { initScript: countTimers });
    await p.page.evaluate(async ([n, u]) => (await import('./user-cost-page.js')).openIdle(n, u), [name, `/sse/idle?heartbeatMs=${HEARTBEAT_MS}`]);
    pages.push({ name, ...p });
  }
  // The watchdog's deadline with the shipped defaults: the wakeups the goal allows per minute.
  const watchdogMs = await pages[0].page.evaluate(async () => (await import('/js/manager-core.js')).managerDefaults().heartbeatTimeoutMs);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  for (const p of pages) await p.page.evaluate(() => { globalThis.__timerCount.counting = true; });
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const fig = {};
  for (const p of pages) {
    const c = await p.page.evaluate(() => { globalThis.__timerCount.counting = false; return globalThis.__timerCount; });
    const ms = Date.now() - t0; // pages are read one after another: each its own window
    fig[p.name] = { wakeups: c.fired, timersArmed: c.armed, windowMs: ms, perMinute: Math.round((c.fired / ms) * 60000 * 10) / 10, byTimer: c.byDelay };
    console.log(`  ${p.name.padEnd(32)} ${String(c.fired).padStart(4)} wakeups in ${(ms / 1000).toFixed(1)} s  (${fig[p.name].perMinute}/min), ${c.armed} timers set  ${JSON.stringify(c.byDelay)}`);
    await p.page.evaluate(async () => (await import('./user-cost-page.js')).closeCounting());
    await p.close();
  }
  // At most one wakeup per watchdog period in the window (rounded up) is the watchdog's.
  const allowed = Math.ceil(IDLE_MS / watchdogMs);
  for (const [name, f] of Object.entries(fig)) if (name.startsWith('lifeline')) f.goalMet = f.wakeups <= allowed;
  result.doc.figures = { watchdogMs, allowedWakeups: allowed, clients: fig };
  result.write();
} finally {
  await browser.close();
  await server.close();
}
