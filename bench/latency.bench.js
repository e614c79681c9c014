// Event latency, server write to subscriber callback, over loopback in headless Chromium: native
// EventSource, the `eventsource` package (v4), @microsoft/fetch-event-source, and Lifeline (the
// manager on its fetch transport and on its EventSource transport, and its drop-in EventSource
// class), all with their default options. The server stamps each event with its clock just
// before the write; the page subtracts the clock offset it measured once (the same for every
// client, so differences between clients carry no offset error). Clients take turns, one
// connection at a time, in an order that rotates every round; p50/p99 over all rounds.
//   node bench/latency.bench.js          full run (about 2 min)
//   BENCH_QUICK=1 node bench/latency.bench.js   short run (seconds)
// Writes bench/results/latency.json (BENCH_QUICK=1: bench/results/quick/).
import { startBenchServer } from './user-cost/server.js';
import { launch, openPage, quantile, round3 } from './user-cost/browser.js';
import { startResult } from './result-file.js';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 6;
const EVENTS = QUICK ? 40 : 400; // per connection
const SKIP = QUICK ? 5 : 20; // warm-up events left out of each connection
const EVERY_MS = 5;
const GOAL_MS = 0.2; // Lifeline's p50 at most this much over native EventSource's

const server = await startBenchServer();
const browser = await launch();
const result = startResult('latency', {
  rounds: ROUNDS, eventsPerConnection: EVENTS, warmupEventsSkipped: SKIP, everyMs: EVERY_MS, eventBytes: 'about 40',
  transport: 'HTTP/1.1 over 127.0.0.1, one connection at a time', isolation: 'cross-origin isolated page (5 µs clock)',
  goal: `Lifeline p50 at most ${GOAL_MS} ms over native EventSource`,
}, { chromium: `Chromium ${browser.version()}` });
try {
  const { page, close } = await openPage(browser, `${server.url}/bench/pages/user-cost.html`);
  const names = await page.evaluate(async () => (await import('./user-cost-page.js')).clientNames);
  const clock = await page.evaluate(async () => (await import('./user-cost-page.js')).clockOffset());
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      const out = await page.evaluate(async ([n, o, e, ev, s]) => (await import('./user-cost-page.js')).latency(n, o, e, ev, s),
        [name, clock.offset, EVENTS, EVERY_MS, SKIP]);
      samples[name].push(...out);
    }
  }
  await close();
  const fig = {};
  for (const n of names) {
    const s = samples[n].sort((a, b) => a - b);
    fig[n] = { events: s.length, p50Ms: round3(quantile(s, 0.5)), p90Ms: round3(quantile(s, 0.9)), p99Ms: round3(quantile(s, 0.99)), maxMs: round3(s[s.length - 1]) };
  }
  const base = fig['native EventSource'];
  for (const n of names) {
    fig[n].p50OverNativeMs = round3(fig[n].p50Ms - base.p50Ms);
    fig[n].p99OverNativeMs = round3(fig[n].p99Ms - base.p99Ms);
    if (n.startsWith('lifeline')) fig[n].goalMet = fig[n].p50OverNativeMs <= GOAL_MS;
  }
  result.doc.figures = { clockRttMs: round3(clock.rtt), clients: fig };
  console.log(`event latency, server write -> callback, Chromium ${browser.version()}, ${ROUNDS} round(s) x ${EVENTS - SKIP} events per client, one every ${EVERY_MS} ms${QUICK ? ' (BENCH_QUICK)' : ''}`);
  console.log(`clock offset from the /clock sample with the shortest round trip (${clock.rtt.toFixed(3)} ms)`);
  for (const n of names) {
    const f = fig[n];
    console.log(`  ${n.padEnd(32)} p50 ${f.p50Ms.toFixed(3)} ms  p99 ${f.p99Ms.toFixed(3)} ms  (p50 ${f.p50OverNativeMs >= 0 ? '+' : ''}${f.p50OverNativeMs.toFixed(3)} ms vs native)${f.goalMet === undefined ? '' : f.goalMet ? '  goal met' : '  goal NOT met'}`);
  }
  result.write();
} finally {
  await browser.close();
  await server.close();
}
