// share: 'origin' (issue 15) in headless Chromium against the real SSE server
// (demo/server/sse-server.js), pages e2e/pages/share-bench.html served by demo/static-server.js:
//   1. connections the server holds for 1, 5 and 10 tabs of one browser context on one channel:
//      through the SharedWorker, through a Web Locks leader, and each tab on its own (share 'tab');
//   2. takeover on the Web Locks path: close the leader page; ms until the server sees the new
//      leader's stream, and until a remaining tab's callback gets its next event (p50/p99);
//   3. events lost and repeated in every run above: each tab's ids against the server's log;
//   4. latency, server write to subscriber callback, through the worker (and to a Web Locks
//      follower) against share 'tab', all three subscribed to one server at once.
// The server stamps each event with its clock (performance.timeOrigin + now(), ms) just before
// the write; each page moves its clock onto the server's by the /clock sample with the shortest
// round trip. Every run gets a fresh server and a fresh browser context (its own SharedWorker
// and locks).
//   bash scripts/bench.sh share              full run, writes bench/results/share.json
//   BENCH_QUICK=1 bash scripts/bench.sh share  short run (bench/results/quick/)
import { startSSEServer } from '../demo/server/sse-server.js';
import { startStaticServer } from '../demo/static-server.js';
import { launch, OWN_PROCESS_FLAG, quantile, round3 } from './user-cost/browser.js';
import { startResult } from './result-file.js';

const QUICK = process.env.BENCH_QUICK === '1';
const TAB_COUNTS = [1, 5, 10];
const MODES = ['worker', 'locks', 'tab'];
const COUNT_EVENTS = QUICK ? 20 : 60; // events per connection-count run
const TAKEOVER_TRIALS = QUICK ? 2 : 24; // the leader tab closed
const CRASH_TRIALS = QUICK ? 1 : 12; // its renderer crashed
const FREEZE_TRIALS = QUICK ? 1 : 12; // its main thread busy in a long task
const FREEZE_MS = 2500;
const TAKEOVER_TABS = 3;
const LAT_ROUNDS = QUICK ? 1 : 3; // each round connects the paths in a rotated order
const LAT_EVENTS = QUICK ? 100 : 500; // per round
const LAT_SKIP = QUICK ? 10 : 50; // warm-up events left out
const EVERY_MS = 20;
const TAKEOVER_GOAL_MS = 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const serverNow = () => performance.timeOrigin + performance.now();
const openStreams = (server) => server.clients.size + server.sse.streams().length;
const r1 = (x) => Math.round(x * 10) / 10;
const pcts = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: round3(quantile(s, 0.5)), p99: round3(quantile(s, 0.99)), max: round3(s[s.length - 1]) };
};

// The server's clock for the pages (CORS: the pages are on the static server's origin).
function clockRoute(req, res, url) {
  if (url.pathname !== '/clock') return false;
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
  res.end(String(serverNow()));
  return true;
}
const newServer = () => startSSEServer({ intervalMs: 0, heartbeatMs: 1000, extraRoutes: clockRoute });

// Events published by the bench (not the server's own generator), each with a fine-grained ts.
function publisher(server, everyMs) {
  const timer = setInterval(() => server.publish('message', { ts: serverNow() }), everyMs);
  return () => clearInterval(timer);
}

// share 'tab' over HTTP/1.1 meets the browser's cap of 6 connections per origin: a 7th tab
// waits in 'connecting' for good. Such tabs are counted (starved), not waited for.
const BROWSER_CAP = 6;

async function openTabs(browser, context, site, server, n, via) {
  const url = `${site.url}/e2e/pages/share-bench.html?via=${via}&url=${encodeURIComponent(server.feedUrl)}&clock=${encodeURIComponent(`${server.url}/clock`)}`;
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error (${via}): ${e}`));
    await page.goto(url);
    pages.push(page);
  }
  const open = [];
  for (const page of pages) {
    const starvable = via === 'tab' && n > BROWSER_CAP;
    const ok = await page.waitForFunction(() => document.getElementById('out').textContent === 'open', null, { timeout: starvable ? 3000 : 15000 })
      .then(() => true, async (e) => { if (starvable) return false; throw new Error(`${via}: tab not open: ${await page.textContent('#out')}`); });
    if (ok) open.push(page);
  }
  return open;
}

/** Waits until every page holds the server's last id; returns lost and repeated ids summed over pages. */
async function lossAndRepeats(pages, server, from = 1) {
  const last = server.log.lastId;
  const deadline = Date.now() + 15000;
  let lost = 0, repeated = 0;
  for (const page of pages) {
    while (Date.now() < deadline && ((await page.evaluate(() => window.ids.at(-1) ?? 0)) < last)) await sleep(50);
    const ids = await page.evaluate(() => window.ids);
    const seen = new Set();
    for (const id of ids) { if (seen.has(id)) repeated++; seen.add(id); }
    for (let id = from; id <= last; id++) if (!seen.has(id)) lost++;
    lost += ids.filter((id) => id < from || id > last).length; // ids the server never sent
    const errors = await page.evaluate(() => window.errors);
    if (errors.length) console.error(`page errors: ${errors.join('; ')}`);
  }
  return { events: last, lost, repeated };
}

async function connectionsRun(browser, site, via, n) {
  const server = await newServer();
  const context = await browser.newContext();
  try {
    const pages = await openTabs(browser, context, site, server, n, via);
    const stop = publisher(server, EVERY_MS);
    await sleep(COUNT_EVENTS * EVERY_MS);
    const starved = n - pages.length; // tabs that never opened within 3 s (share 'tab' beyond the browser's cap)
    const held = openStreams(server);
    const connects = server.counters.connectsTotal;
    stop();
    const roles = via === 'tab' ? null : await Promise.all(pages.map((p) => p.evaluate(() => window.manager.sharing)));
    const check = await lossAndRepeats(pages, server);
    const goal = via === 'tab' ? Math.min(n, BROWSER_CAP) : 1;
    return { via, tabs: n, connectionsHeld: held, connectsTotal: connects, goal, goalMet: held === goal, tabsNotOpenAfter3s: starved,
      roles: roles && Object.fromEntries([...new Set(roles)].map((r) => [r, roles.filter((x) => x === r).length])), ...check };
  } finally {
    await context.close();
    await server.close();
  }
}

// How the leader is lost. Each takes the leader page (and its context) and returns a function
// that gives t0, the moment of the loss (Date.now() ms; the server's connect log has Date.now()):
// a frozen page can tell when its long task started only once the task is over.
const LOSSES = {
  // The page's close(): the tab says goodbye, its locks go at once.
  close: async (context, page) => {
    const t0 = Date.now();
    await page.close();
    return async () => t0;
  },
  // The renderer crashes (CDP Page.crash): no goodbye, the browser lets the dead tab's locks go.
  crash: async (context, page) => {
    const cdp = await context.newCDPSession(page);
    const crashed = new Promise((r) => page.once('crash', r));
    const t0 = Date.now();
    cdp.send('Page.crash').catch(() => {}); // answered by no one: the renderer is gone
    await crashed;
    return async () => t0;
  },
  // The main thread busy for FREEZE_MS in a long task started from a timer (so that this
  // evaluate returns first): the lock stays held and nothing answers until it ends.
  freeze: async (context, page) => {
    await page.evaluate((ms) => {
      setTimeout(() => {
        window.frozenAt = Date.now();
        while (Date.now() < window.frozenAt + ms);
      }, 50);
    }, FREEZE_MS);
    return () => page.evaluate(() => window.frozenAt); // runs once the long task is over
  },
};

const rolesOf = (pages) => Promise.all(pages.map((p) => p.evaluate(() => window.manager.sharing)));

/**
 * The frozen leader, free again, must step down: exactly one leader among all tabs, itself a
 * follower. Waits up to 5 s; returns the roles seen last.
 */
async function afterFreeze(pages, oldLeader) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const roles = await rolesOf(pages);
    const leaders = roles.filter((r) => r === 'leader').length;
    const oldRole = roles[pages.indexOf(oldLeader)];
    if ((leaders === 1 && oldRole === 'follower') || Date.now() > deadline) return { leaders, oldLeaderRole: oldRole };
    await sleep(50);
  }
}

async function takeoverTrial(browser, site, kind) {
  const server = await newServer();
  const context = await browser.newContext();
  try {
    const pages = await openTabs(browser, context, site, server, TAKEOVER_TABS, 'locks');
    await Promise.all(pages.map((p) => p.evaluate(() => window.clockOffset())));
    const stop = publisher(server, EVERY_MS);
    await sleep(400);
    const roles = await rolesOf(pages);
    const leader = pages[roles.indexOf('leader')];
    const rest = pages.filter((p) => p !== leader);
    const connectsBefore = server.history.length;
    const since = Date.now();
    const t0Of = await LOSSES[kind](context, leader);
    let openedAt = null;
    while (Date.now() - since < 5000 + (kind === 'freeze' ? 50 : 0)) {
      const fresh = server.history.slice(connectsBefore).find((e) => e.path === 'feed');
      if (fresh) { openedAt = fresh.t; break; }
      await sleep(2);
    }
    // Each remaining tab's first callback from the new leader: the first after the server's
    // connect (the old leader's lock, hence the new leader, comes only once the old page is
    // gone or found frozen), and the last callback before it (the old leader's last relay): the
    // pause it saw.
    await sleep(Math.max(300, EVERY_MS * 5));
    const seen = await Promise.all(rest.map((p) => p.evaluate((t) => {
      const i = window.arrivals.findIndex((a) => a[1] >= t);
      return i < 0 ? null : { first: window.arrivals[i][1], before: i > 0 ? window.arrivals[i - 1][1] : null };
    }, openedAt ?? Infinity)));
    const t0 = await t0Of();
    let leaders, oldLeader = null;
    if (kind === 'freeze') {
      // Free again, the old leader steps down while events still flow, then holds every event once.
      const after = await afterFreeze(pages, leader);
      leaders = after.leaders;
      stop();
      oldLeader = { role: after.oldLeaderRole, ...(await lossAndRepeats([leader], server)) };
    } else {
      stop();
      leaders = (await rolesOf(rest)).filter((r) => r === 'leader').length;
    }
    const check = await lossAndRepeats(rest, server);
    const got = seen.filter((x) => x !== null);
    const all = got.length === rest.length;
    return {
      kind,
      streamOpenMs: openedAt === null ? null : openedAt - t0,
      firstEventMs: got.length ? Math.min(...got.map((x) => x.first)) - t0 : null, // the tab served first
      allTabsEventMs: all ? Math.max(...got.map((x) => x.first)) - t0 : null, // the last tab served
      pauseMs: all && got.every((x) => x.before !== null) ? Math.max(...got.map((x) => x.first - x.before)) : null, // longest silence a tab saw
      leaders, ...check, ...(oldLeader ? { oldLeader } : {}),
    };
  } finally {
    await context.close();
    await server.close();
  }
}

const TAKEOVER_WHAT = {
  close: "the call of the leader page's close()",
  crash: "the CDP Page.crash of the leader's renderer (each tab in a renderer process of its own)",
  freeze: `the start of a ${FREEZE_MS} ms long task on the leader's main thread (each tab in a renderer process of its own); leaders counts every tab once the old leader runs again, and oldLeader is its own check (role, lost, repeated)`,
};

/** A trial failed when no new stream or no event in some remaining tab came, or the leaders are not one. */
const failedTrial = (t) => t.streamOpenMs === null || t.allTabsEventMs === null || t.leaders !== 1 || (t.oldLeader !== undefined && t.oldLeader.role !== 'follower');

/** p50/p99/max over the trials of one kind of loss, in the shape of figures.takeover. */
function takeoverFigures(kind, trials) {
  const ok = (k) => trials.map((t) => t[k]).filter((x) => x !== null);
  const f = {
    what: `ms from ${TAKEOVER_WHAT[kind]} to the server's connect of the new leader's stream (1 ms steps), and to the first callback after it in the first and in the last remaining tab; pause: the longest silence a remaining tab saw (its last callback from the old leader to its first from the new); ${TAKEOVER_TABS} tabs, an event every ${EVERY_MS} ms`,
    trials: trials.length,
    streamOpenMs: pcts(ok('streamOpenMs')), firstEventMs: pcts(ok('firstEventMs')), allTabsEventMs: pcts(ok('allTabsEventMs')), pauseMs: pcts(ok('pauseMs')),
    failed: trials.filter(failedTrial).length,
    lost: trials.reduce((a, t) => a + t.lost, 0), repeated: trials.reduce((a, t) => a + t.repeated, 0),
  };
  for (const k of ['streamOpenMs', 'firstEventMs', 'allTabsEventMs', 'pauseMs']) for (const p of ['p50', 'p99', 'max']) f[k][p] = r1(f[k][p]);
  if (kind === 'freeze') {
    f.oldLeader = {
      steppedDown: trials.filter((t) => t.oldLeader.role === 'follower').length,
      lost: trials.reduce((a, t) => a + t.oldLeader.lost, 0), repeated: trials.reduce((a, t) => a + t.oldLeader.repeated, 0),
    };
  }
  f.goalMet = f.failed === 0 && f.allTabsEventMs.p99 < TAKEOVER_GOAL_MS;
  return f;
}

async function takeoverTrials(browser, site, kind, n) {
  const trials = [];
  for (let i = 0; i < n; i++) {
    const t = await takeoverTrial(browser, site, kind);
    trials.push(t);
    const old = t.oldLeader ? `; old leader ${t.oldLeader.role}, lost ${t.oldLeader.lost}, repeated ${t.oldLeader.repeated}` : '';
    console.log(`takeover (${kind}) ${i + 1}: stream open +${t.streamOpenMs} ms, first event +${r1(t.firstEventMs)} ms, every tab +${r1(t.allTabsEventMs)} ms, pause ${r1(t.pauseMs)} ms; leaders ${t.leaders}; lost ${t.lost}, repeated ${t.repeated}${old}`);
  }
  const f = takeoverFigures(kind, trials);
  console.log(`takeover (${kind}) p50/p99: stream open ${f.streamOpenMs.p50}/${f.streamOpenMs.p99} ms, first event ${f.firstEventMs.p50}/${f.firstEventMs.p99} ms, every tab ${f.allTabsEventMs.p50}/${f.allTabsEventMs.p99} ms, pause ${f.pauseMs.p50}/${f.pauseMs.p99} ms; failed ${f.failed}`);
  return { trials, figures: f };
}

const LAT_PATHS = [['worker', 'worker', 1], ['locks follower', 'locks', 2], ['tab', 'tab', 1]];
const LAT_NAMES = ['tab', 'worker', 'locks leader', 'locks follower'];

/**
 * Latency through each path at once, on one server: the worker's one tab, a Web Locks leader and
 * its follower, a share 'tab' tab. The server writes to its streams in the order they connected,
 * so each round starts the paths in a rotated order. Returns ms samples per path.
 */
async function latencyRound(browser, site, round) {
  const server = await newServer();
  const contexts = [];
  try {
    const tabs = {};
    for (let k = 0; k < LAT_PATHS.length; k++) {
      const [name, via, n] = LAT_PATHS[(k + round) % LAT_PATHS.length];
      const context = await browser.newContext();
      contexts.push(context);
      const pages = await openTabs(browser, context, site, server, n, via);
      let page = pages[0];
      if (via === 'locks') {
        const roles = await Promise.all(pages.map((p) => p.evaluate(() => window.manager.sharing)));
        page = pages[roles.indexOf('follower')];
        tabs['locks leader'] = pages[roles.indexOf('leader')];
      }
      tabs[name] = page;
    }
    const clocks = {};
    for (const [name, page] of Object.entries(tabs)) clocks[name] = round3((await page.evaluate(() => window.clockOffset())).rtt);
    const from = server.log.lastId + 1;
    const stop = publisher(server, EVERY_MS);
    while (server.log.lastId < from + LAT_EVENTS - 1) await sleep(50);
    stop();
    const out = { clockRttMs: clocks, connectionsHeld: openStreams(server), samples: {} };
    for (const [name, page] of Object.entries(tabs)) {
      const arr = await page.evaluate(() => window.arrivals);
      out.samples[name] = arr.filter(([id, , ts]) => id >= from + LAT_SKIP && ts !== null).map(([, at, ts]) => at - ts);
    }
    return { ...out, ...(await lossAndRepeats(Object.values(tabs), server)) };
  } finally {
    for (const c of contexts) await c.close();
    await server.close();
  }
}

const site = await startStaticServer();
const browser = await launch();
const result = startResult('share', {
  tabCounts: TAB_COUNTS, modes: MODES, eventsPerCountRun: COUNT_EVENTS, everyMs: EVERY_MS, takeoverTrials: TAKEOVER_TRIALS,
  takeoverCrashTrials: CRASH_TRIALS, takeoverFreezeTrials: FREEZE_TRIALS, freezeMs: FREEZE_MS,
  crashFreezeBrowser: `Chromium with ${OWN_PROCESS_FLAG} (each tab in a renderer process of its own)`,
  takeoverTabs: TAKEOVER_TABS, latencyRounds: LAT_ROUNDS, latencyEventsPerRound: LAT_EVENTS, latencyWarmupSkipped: LAT_SKIP,
  server: 'demo/server/sse-server.js, HTTP/1.1 over 127.0.0.1, heartbeat 1 s; a fresh server and browser context per run',
  pages: 'e2e/pages/share-bench.html (share origin via worker or locks, or share tab)',
  goals: { connections: `1 for any number of sharing tabs; share tab: one per tab, at most ${BROWSER_CAP} (the browser's HTTP/1.1 cap per origin; later tabs wait in connecting)`, takeoverMs: `< ${TAKEOVER_GOAL_MS}`, lostRepeated: 0 },
}, { chromium: `Chromium ${browser.version()}` });
try {
  const connections = [];
  for (const n of TAB_COUNTS) {
    for (const via of MODES) {
      const row = await connectionsRun(browser, site, via, n);
      connections.push(row);
      console.log(`${via.padEnd(6)} ${String(n).padStart(2)} tab(s): server holds ${row.connectionsHeld} (goal ${row.goal}), ${row.connectsTotal} connect(s), ${row.tabsNotOpenAfter3s} tab(s) not open after 3 s; ${row.events} events, lost ${row.lost}, repeated ${row.repeated}`);
    }
  }
  const close = await takeoverTrials(browser, site, 'close', TAKEOVER_TRIALS);
  // A crash or a long task hits every tab of a shared renderer: these trials get a Chromium
  // that gives each tab a process of its own.
  const isolated = await launch({ ownProcesses: true });
  let crash, freeze;
  try {
    crash = await takeoverTrials(isolated, site, 'crash', CRASH_TRIALS);
    freeze = await takeoverTrials(isolated, site, 'freeze', FREEZE_TRIALS);
  } finally {
    await isolated.close();
  }
  const takeover = close.figures;
  const rounds = [];
  for (let r = 0; r < LAT_ROUNDS; r++) rounds.push(await latencyRound(browser, site, r));
  const latency = {
    what: `ms from the server's write (its clock just before) to the subscriber callback (the page's clock moved onto the server's), ${LAT_ROUNDS} round(s) x ${LAT_EVENTS - LAT_SKIP} events, one every ${EVERY_MS} ms; all paths on one server at once`,
    clockRttMs: rounds.map((r) => r.clockRttMs), connectionsHeld: rounds.map((r) => r.connectionsHeld),
    lost: rounds.reduce((a, r) => a + r.lost, 0), repeated: rounds.reduce((a, r) => a + r.repeated, 0),
  };
  for (const name of LAT_NAMES) latency[name] = pcts(rounds.flatMap((r) => r.samples[name]));
  for (const name of LAT_NAMES.slice(1)) {
    latency[name].p50OverTabMs = round3(latency[name].p50 - latency.tab.p50);
    latency[name].p99OverTabMs = round3(latency[name].p99 - latency.tab.p99);
  }
  for (const name of LAT_NAMES) {
    const l = latency[name];
    console.log(`latency ${name.padEnd(15)} p50 ${l.p50} ms  p99 ${l.p99} ms${l.p50OverTabMs === undefined ? '' : `  (+${l.p50OverTabMs} / +${l.p99OverTabMs} ms vs tab)`}`);
  }
  const takeovers = [takeover, crash.figures, freeze.figures, freeze.figures.oldLeader];
  const lostRepeated = {
    lost: connections.reduce((a, r) => a + r.lost, 0) + takeovers.reduce((a, t) => a + t.lost, 0) + latency.lost,
    repeated: connections.reduce((a, r) => a + r.repeated, 0) + takeovers.reduce((a, t) => a + t.repeated, 0) + latency.repeated,
  };
  lostRepeated.goalMet = lostRepeated.lost === 0 && lostRepeated.repeated === 0;
  result.doc.figures = { connections, takeover, takeoverCrash: crash.figures, takeoverFreeze: freeze.figures, latency, lostRepeated,
    takeoverTrials: close.trials, takeoverCrashTrials: crash.trials, takeoverFreezeTrials: freeze.trials };
  console.log(`events lost ${lostRepeated.lost}, repeated ${lostRepeated.repeated} over every run`);
  result.write();
} finally {
  await browser.close();
  await site.close();
}
