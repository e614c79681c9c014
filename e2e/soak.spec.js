// Chaos soak in Chromium on the built package (js/ + dist/): reference servers stream on several
// channels while a seeded schedule injects faults server-side and in the browser (offline, hide,
// freeze), both transports, many subscribers joining and leaving. Asserts exactly-once in-order
// delivery against the model (e2e/pages/soak-checker.js), recovery from every fault, `open` at
// the end, a flat JS heap (and Wasm heap, on full-length runs), every byte of the core's heap
// freed by destroy(); then the heal after a burst of faults over 20 seeds.
//   SOAK_SECONDS (default 20), SOAK_HEAL_SECONDS (30), SOAK_SEED (1), SOAK_MIN_FAULTS (0),
//   SOAK_WARMUP_SECONDS (10% of the run, 5..60),
//   SOAK_OUT (a JSON file for bench/soak-report.js). `npm run soak` runs the full length.
import { writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus } from 'node:os';
import { execSync } from 'node:child_process';
import { test, expect } from './fixtures.js';
import { SoakDriver, sleep } from '../demo/server/chaos-driver.js';
import { buildSchedule, SOAK_WEIGHTS, HEAL_WEIGHTS, HEAL_STATUS_WEIGHTS } from '../demo/server/chaos-schedule.js';
import { byChannel, recoveries, perKind, summarize, healTime, healBoundMs, percentile, slowest } from '../demo/server/chaos-analysis.js';

const num = (name, def) => (process.env[name] ? Number(process.env[name]) : def);
const SOAK_S = num('SOAK_SECONDS', 20);
const HEAL_S = num('SOAK_HEAL_SECONDS', 30);
const SEED = num('SOAK_SEED', 1);
const MIN_FAULTS = num('SOAK_MIN_FAULTS', 0);
// The heap grows while code warms up (compilation, feedback, first rebinds); the comparison of
// the first and last tenth is over the run after this warm-up, which is faulted like the rest.
const WARMUP_S = num('SOAK_WARMUP_SECONDS', Math.min(60, Math.max(5, Math.round(SOAK_S * 0.1))));
const OUT = process.env.SOAK_OUT || null;
const CHANNELS = 4;
const SUBSCRIBERS = 8;
const HEAL_SEEDS = 20;
const FULL_TREND_S = 300; // runs this long judge the Wasm heap's second half (see the chaos soak's checks)
const STATUS_WINDOW_MS = [300, 1500]; // a heal burst's 500/503: the server fails for this long

const result = { seed: SEED, command: process.env.SOAK_COMMAND ?? `SOAK_SECONDS=${SOAK_S} SOAK_HEAL_SECONDS=${HEAL_S} SOAK_SEED=${SEED} npx playwright test e2e/soak.spec.js` };

// Not serial: a failed soak must not skip the heal run. After a failure Playwright starts a new
// worker (a fresh `result`), so each part is merged into the file (scripts/soak.sh removes it
// before a run).
test.beforeAll(async ({ browser }) => {
  result.machine = {
    uname: execSync('uname -a').toString().trim(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null,
    node: process.version, chromium: browser.version(),
  };
  result.startedAt ??= new Date().toISOString();
});

function save(part) {
  if (!OUT) return;
  mkdirSync(dirname(OUT), { recursive: true });
  const old = existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};
  writeFileSync(OUT, JSON.stringify({ ...old, ...result, startedAt: old.startedAt ?? result.startedAt, [part]: result[part] }, null, 1) + '\n');
}

/** Every channel's page report: no loss, duplicate, reorder or model problem; caught up; open. */
function checkDelivery(report, driver) {
  expect(report.errors, 'page errors').toEqual([]);
  expect(report.left, 'subscribers that left').toEqual([]);
  for (const [i, ch] of report.channels.entries()) {
    const t = ch.totals;
    expect({ channel: ch.name, lost: t.lost, duplicated: t.duplicated, reordered: t.reordered, noticesLost: t.noticesLost, noticesDuplicated: t.noticesDuplicated, noticesStale: t.noticesStale, unexpected: t.unexpected, problems: ch.problems })
      .toEqual({ channel: ch.name, lost: 0, duplicated: 0, reordered: 0, noticesLost: 0, noticesDuplicated: 0, noticesStale: 0, unexpected: 0, problems: [] });
    expect(ch.sentinel.last, `${ch.name}: the sentinel has the server's last event`).toBe(driver.servers[i].log.lastId);
    expect(ch.state, `${ch.name} ends open`).toBe('open');
  }
}

function deliveryTotals(report) {
  const sum = (k) => report.channels.reduce((n, ch) => n + ch.totals[k], 0);
  return {
    subscriberEvents: sum('events'), subscriberNotices: sum('notices'), lost: sum('lost'), duplicated: sum('duplicated'),
    reordered: sum('reordered'), noticesLost: sum('noticesLost'), noticesDuplicated: sum('noticesDuplicated'),
    noticesStale: sum('noticesStale'), unexpected: sum('unexpected'), joined: report.joined, left: report.leftCount,
  };
}

/** Mean of the samples in the first and the last tenth of [fromMs, toMs], and the growth in %. */
function memoryTrend(samples, fromMs, toMs, key) {
  const span = toMs - fromMs;
  const first = samples.filter((s) => s.t >= fromMs && s.t <= fromMs + span * 0.1);
  const last = samples.filter((s) => s.t >= toMs - span * 0.1);
  const mean = (xs) => xs.reduce((n, s) => n + s[key], 0) / xs.length;
  const a = mean(first.length ? first : samples.slice(0, 1));
  const b = mean(last.length ? last : samples.slice(-1));
  return { first: Math.round(a), last: Math.round(b), firstSamples: first.length, lastSamples: last.length, growthPct: Math.round(((b - a) / a) * 1000) / 10 };
}

/**
 * Waits until every channel is open and within two events of its server, then stops the
 * generators and waits for the last events (an EventSource channel cannot see comment
 * heartbeats: a stream kept quiet for long would trip its watchdog). Returns an error text or null.
 */
async function settle(driver, ms) {
  try {
    await driver.until(() => {
      const ids = driver.lastIds();
      const states = driver.states();
      return driver.servers.every((s, i) => ids[i] >= s.log.lastId - 2 && states[i] === 'open');
    }, 'every channel open and live', ms);
    for (const s of driver.servers) s.setIntervalMs(0);
    await driver.until(() => driver.servers.every((s, i) => driver.lastIds()[i] === s.log.lastId), 'the last events', 5000);
    return null;
  } catch (err) {
    for (const s of driver.servers) s.setIntervalMs(0);
    return err.message;
  }
}

test('chaos soak: every subscriber gets every event once, in order, through every fault', async ({ page, context, site }) => {
  const durationMs = SOAK_S * 1000;
  test.setTimeout(durationMs + 150_000);
  const driver = new SoakDriver(page, context);
  try {
    await driver.startServers(CHANNELS, { intervalMs: 50 });
    await driver.openPage(site.url, { transports: ['fetch', 'eventsource'], subscribers: SUBSCRIBERS, seeds: [SEED] });
    await driver.until(() => driver.states().every((s) => s === 'open'), 'every channel open', 15000);
    const schedule = buildSchedule({ seed: SEED, durationMs, channels: CHANNELS, weights: SOAK_WEIGHTS, gapMs: [600, 1800], churnMs: 2500 });
    await driver.run(schedule, { durationMs, sampleMs: Math.max(500, Math.round(durationMs / 60)) });
    driver.clearFaults(); // the run is over: queued faults not yet applied never will be
    await sleep(2000); // the last faults' recoveries
    const settled = await settle(driver, 60000);
    await driver.sampleMemory();
    const endMs = Date.now() - driver.t0;
    const report = await driver.eval(() => window.soak.report());
    const heap = await driver.eval(() => window.soak.teardown());
    const faults = driver.finish();
    const tracks = byChannel(driver.journal, CHANNELS);
    const all = recoveries(faults, tracks);
    const recs = all.filter((r) => !r.otherStream);
    const stalls = recs.filter((r) => r.kind === 'stall' && r.stallDetectMs !== null).map((r) => r.stallDetectMs);
    const unrecovered = recs.filter((r) => r.recoveryMs === null);
    const counts = {};
    for (const f of faults) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
    result.soak = {
      durationS: SOAK_S, channels: report.channels.map((c) => ({ name: c.name, transport: c.transport, opens: c.opens, rebinds: c.rebinds, subscribers: c.subscribers, lastId: c.sentinel.last, state: c.state, notices: c.sentinel.notices })),
      subscribersPerChannel: SUBSCRIBERS, faultsInjected: faults.length, faultsByKind: counts,
      faultsNeverApplied: faults.filter((f) => f.end === null).map((f) => f.kind),
      recovery: { hits: recs.length, otherStream: all.length - recs.length, recovered: recs.length - unrecovered.length, rate: (recs.length - unrecovered.length) / recs.length, unrecovered: unrecovered.slice(0, 20) },
      recoveryMsByKind: perKind(all), slowest: slowest(recs, tracks).map((r) => ({ ...r, transport: report.channels[r.channel].transport, at: r.start - driver.t0 })),
      stallDetectMs: summarize(stalls), heartbeatTimeoutMs: 2000,
      events: { published: driver.servers.reduce((n, s) => n + s.log.lastId, 0), ...deliveryTotals(report) },
      memory: {
        warmupS: WARMUP_S, samples: driver.memory,
        js: memoryTrend(driver.memory, WARMUP_S * 1000, endMs, 'jsHeap'), wasm: memoryTrend(driver.memory, WARMUP_S * 1000, endMs, 'wasmHeap'),
        wasmSecondHalf: memoryTrend(driver.memory, (WARMUP_S * 1000 + endMs) / 2, endMs, 'wasmHeap'),
        wasmMemory: memoryTrend(driver.memory, WARMUP_S * 1000, endMs, 'wasmBytes'), wasmHeapAfterDestroy: heap,
      },
      serverCounters: driver.servers.map((s) => s.counters), settleError: settled,
    };
    save('soak');
    expect(settled, 'every channel open and caught up').toBeNull();
    checkDelivery(report, driver);
    expect(faults.length).toBeGreaterThanOrEqual(MIN_FAULTS);
    expect(unrecovered, 'every fault is recovered from').toEqual([]);
    expect(result.soak.memory.js.growthPct, 'JS heap: last tenth within 10% of the first').toBeLessThanOrEqual(10);
    // Every byte the managers allocated in the core is freed by destroy(), whatever the faults did.
    expect(heap.after, `Wasm heap in use after destroy(): ${heap.after} B, ${heap.before} B before the managers`).toBe(heap.before);
    // The core's allocated bytes, not the size of Wasm memory (that grows a 64 KiB page at a time
    // to the high-water mark and never shrinks). Buffers that grow to the largest burst yet and are
    // kept step up by doubling: the action batch (80 B an action, bounded by one 16 KiB feed
    // slice's events times the subscribers) went from 1,024 to 2,048 actions 276 s into a 720 s
    // run, +16% over the whole run, flat after it. A leak grows all along, so full-length runs
    // (scripts/soak.sh) judge the second half; short runs report the trend.
    if (SOAK_S >= FULL_TREND_S) {
      expect(result.soak.memory.wasmSecondHalf.growthPct, 'Wasm heap in use: second half of the run within 10%').toBeLessThanOrEqual(10);
    }
  } finally {
    await driver.close();
  }
});

test('heal: after a burst of drops, stalls, truncations, overlaps and drip, every event within 5 s of the last fault, p99 over 20 seeds', async ({ page, context, site }) => {
  const burstMs = HEAL_S * 1000;
  test.setTimeout(burstMs + 120_000);
  const driver = new SoakDriver(page, context);
  const n = HEAL_SEEDS * 2; // seeds 0..19 without status faults, 20..39 with 500/503
  try {
    await driver.startServers(n, { intervalMs: 100 });
    const seeds = Array.from({ length: n }, (_, i) => SEED * 1000 + i);
    await driver.openPage(site.url, { transports: ['fetch', 'eventsource'], subscribers: 2, perChannelManager: true, seeds });
    await driver.until(() => driver.states().every((s) => s === 'open'), 'every channel open', 20000);
    const schedules = seeds.map((seed, i) => buildSchedule({
      seed, durationMs: burstMs, channels: 1, weights: i < HEAL_SEEDS ? HEAL_WEIGHTS : HEAL_STATUS_WEIGHTS, gapMs: [500, 1500],
      stallMs: [1000, 3000], dripMs: [1000, 2500], retryAfterS: [1, 2, 3, 5, 6], statusWindowMs: STATUS_WINDOW_MS, startMs: 1000, quietWhenBusy: false,
    }));
    // One merged schedule; each fault keeps its own channel (its own server and manager).
    const faults = schedules.flatMap((s, c) => s.faults.map((f) => ({ ...f, channel: c }))).sort((a, b) => a.at - b.at).map((f, id) => ({ ...f, id }));
    await driver.run({ faults, churn: [] }, { durationMs: burstMs });
    driver.clearFaults(); // the burst is over: nothing queued may hit later
    // Heal happens here (or not); settling waits for every channel, the journal times it.
    const settled = await settle(driver, 90000);
    const report = await driver.eval(() => window.soak.report());
    const heap = await driver.eval(() => window.soak.teardown());
    const recs = driver.finish();
    const tracks = byChannel(driver.journal, n);
    const logs = driver.logs();
    const seedsOut = seeds.map((seed, c) => {
      const fs = recs.filter((f) => f.channel === c && f.end !== null);
      const h = healTime(fs, tracks[c], logs[c]);
      const status = c >= HEAL_SEEDS;
      const boundMs = status ? healBoundMs(fs, h.lastEnd) : 5000;
      const out = { seed, channel: c, transport: report.channels[c].transport, statusFaults: status, faults: fs.length, lastFault: fs.find((f) => f.end === h.lastEnd)?.kind, ...h, boundMs };
      if (h.healMs === null || h.healMs > boundMs) {
        // What the client did after the burst, and the seed's faults (ms from its last fault's end).
        out.trace = tracks[c].status.filter(([t]) => t >= h.lastEnd - 15000 && t <= (h.healedAt ?? Infinity)).slice(-24).map(([t, state, reason]) => `${t - h.lastEnd}:${state}:${reason}`);
        out.faultTimes = fs.slice(-12).map((f) => `${f.kind}@${f.start - h.lastEnd}..${f.end - h.lastEnd}`);
      }
      return out;
    });
    const group = (status) => {
      const g = seedsOut.filter((s) => s.statusFaults === status);
      const heal = g.map((s) => (s.healMs === null ? Infinity : s.healMs));
      const over = g.map((s) => (s.healMs === null ? Infinity : s.healMs - s.boundMs));
      return { seeds: g.length, healMs: summarize(heal), p99OverBoundMs: percentile(over, 99), withinBound: g.filter((s, i) => over[i] <= 0).length };
    };
    const rs = recoveries(recs.filter((f) => f.end !== null), tracks);
    result.heal = {
      burstS: HEAL_S, gapMs: [500, 1500], statusWindowMs: STATUS_WINDOW_MS, seedsPerGroup: HEAL_SEEDS, plain: group(false), withStatus: group(true), seeds: seedsOut,
      faultsInjected: recs.length, faultsNeverApplied: recs.filter((f) => f.end === null).map((f) => f.kind), recoveryMsByKind: perKind(rs), events: deliveryTotals(report), settleError: settled,
      journal: process.env.SOAK_JOURNAL ? { faults: recs, tracks } : undefined, wasmHeapAfterDestroy: heap,
    };
    save('heal');
    expect(settled, 'every channel open and caught up').toBeNull();
    checkDelivery(report, driver);
    expect(heap.after, `Wasm heap in use after destroy() of the ${n} managers: ${heap.after} B, ${heap.before} B before them`).toBe(heap.before);
    expect(result.heal.plain.p99OverBoundMs, 'p99 heal within 5 s of the last fault').toBeLessThanOrEqual(0);
  } finally {
    await driver.close();
  }
});

// The same run's 20 seeds with 500/503 in the burst. A 5xx here is a window: the server answers
// 500 (or 503 with Retry-After) to every connect for 0.3-1.5 s, then is well again, so "the last
// fault" ends when the server recovers. The long soak above queues answers instead (1-3 per 500,
// one per 503); those wait for the client's next connects however far its backoff has grown, so
// in a burst they pile up into runs of 6-8 consecutive 5xx whose end is set by the client, not by
// the server (an EventSource cannot see Retry-After, so its 503s grow the backoff too). The growth
// that follows is the intended answer to repeated 5xx; those recoveries are measured there.
test('heal: with 500/503 in the burst, every event within max(5 s, Retry-After + 1 s), p99 over 20 seeds', async () => {
  test.skip(!result.heal, 'the heal run above did not finish (its own failure says why)');
  // A short burst has too few faults per seed to say much: only the full 60 s burst is judged;
  // the short run reports its figures in the JSON only.
  test.skip(HEAL_S < 60, 'measured in the full run only (npm run soak); figures in the JSON');
  expect(result.heal.withStatus.p99OverBoundMs ?? Infinity, 'p99 heal over its bound (ms)').toBeLessThanOrEqual(0);
});
