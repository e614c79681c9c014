// Per-event cost of the whole manager path (no network): bytes -> Wasm (parser, duplicate window,
// fan-out) -> action batch -> JS -> subscriber callbacks, with 1 and 10 subscribers, next to a
// minimal peer client: eventsource-parser + a plain JS fan-out (no ids kept, no duplicate check,
// no status). Medians of interleaved rounds. BENCH_QUICK=1: fewer rounds.
// Then the same with the shipped defaults on both sides (figures.defaults): createManager() with
// only its fetch replaced, against the `eventsource` package (v4) + a plain fan-out loop, both
// reading the same chunks from a ReadableStream that a fake fetch answers with (the network
// taken out, the stream reading kept), timed from connect() to the last callback.
// Writes every figure to bench/results/manager.json (BENCH_QUICK=1: bench/results/quick/).
import { createParser as esParser } from 'eventsource-parser';
import { EventSource as EventSourceV4 } from 'eventsource';
import { init, createManager } from '../js/index.js';
import { startResult } from './result-file.js';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 3 : 9;
const EVENTS = QUICK ? 20000 : 100000;
const CHUNK = 16 * 1024;
const enc = new TextEncoder();
const result = startResult('manager', { eventsPerRound: EVENTS, eventBytes: 90, chunkBytes: CHUNK, rounds: ROUNDS, statistic: 'median of interleaved rounds' });
result.doc.figures.subscribers = {};

function stream(firstId) {
  let t = '';
  for (let i = 0; i < EVENTS; i++) {
    t += `id: ${firstId + i}\nevent: poll\ndata: {"ts":1700000000000,"candidate":"Asha Rao","share":41.5,"n":${i}}\n\n`;
  }
  const bytes = enc.encode(t);
  const chunks = [];
  for (let off = 0; off < bytes.length; off += CHUNK) chunks.push(bytes.subarray(off, off + CHUNK));
  return chunks;
}

function lifelineRunner(subs) {
  let sink = null;
  const transport = { name: 'fake', open(req, s) { sink = s; return { abort() {} }; } };
  const m = createManager({ environment: { subscribe: () => () => {} }, storage: null, measureLatency: false, transports: { fetch: transport } });
  m.connect('c', 'http://bench/feed');
  let n = 0;
  for (let i = 0; i < subs; i++) m.subscribe('c', () => { n++; });
  sink.opened(200, 'text/event-stream', -1);
  let next = 1;
  return {
    prepare() { const c = stream(next); next += EVENTS; return c; },
    run(chunks) { for (const c of chunks) sink.bytes(c); return n; },
    close() { m.destroy(); },
  };
}

function peerRunner(subs) {
  const callbacks = [];
  let n = 0;
  for (let i = 0; i < subs; i++) callbacks.push(() => { n++; });
  const decoder = new TextDecoder();
  const parser = esParser({ onEvent: (e) => { for (const cb of callbacks) cb(e); } });
  let next = 1;
  return {
    prepare() { const c = stream(next); next += EVENTS; return c; },
    run(chunks) { for (const c of chunks) parser.feed(decoder.decode(c, { stream: true })); return n; },
    close() {},
  };
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

// A fetch that answers every request with an event stream of these chunks, left open after the
// last one (an end would make both clients reconnect).
function fakeFetch(chunks) {
  return async () => {
    let i = 0;
    const body = new ReadableStream({
      pull(ctrl) {
        if (i < chunks.length) ctrl.enqueue(chunks[i++]);
        else return new Promise(() => {});
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
}

function plainStream(firstId) {
  let t = '';
  for (let i = 0; i < EVENTS; i++) t += `id: ${firstId + i}\ndata: {"ts":1700000000000,"candidate":"Asha Rao","share":41.5,"n":${i}}\n\n`;
  const bytes = enc.encode(t);
  const chunks = [];
  for (let off = 0; off < bytes.length; off += CHUNK) chunks.push(bytes.slice(off, off + CHUNK));
  return chunks;
}

// Resolves with the ms from the client's creation to the EVENTS-th event at each of subs callbacks.
const defaultsRunners = {
  lifeline(chunks, subs) {
    return new Promise((resolve) => {
      let n = 0;
      const t0 = performance.now();
      const m = createManager({ fetch: fakeFetch(chunks) });
      m.connect('c', 'http://bench/feed');
      for (let i = 0; i < subs; i++) {
        m.subscribe('c', () => {
          if (++n === EVENTS * subs) { const ms = performance.now() - t0; m.destroy(); resolve(ms); }
        });
      }
    });
  },
  'eventsource v4 + fan-out'(chunks, subs) {
    return new Promise((resolve) => {
      let n = 0;
      const callbacks = [];
      for (let i = 0; i < subs; i++) {
        callbacks.push(() => {
          if (++n === EVENTS * subs) { const ms = performance.now() - t0; es.close(); resolve(ms); }
        });
      }
      const t0 = performance.now();
      const es = new EventSourceV4('http://bench/feed', { fetch: fakeFetch(chunks) });
      es.onmessage = (e) => { for (const cb of callbacks) cb(e); };
    });
  },
};

await init();
console.log(`manager path, ${EVENTS} events of ~90 bytes per round, ${CHUNK / 1024} KiB chunks, median of ${ROUNDS} rounds`);
for (const subs of [1, 10]) {
  const runners = { lifeline: lifelineRunner(subs), 'eventsource-parser + fan-out': peerRunner(subs) };
  const times = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, runner] of Object.entries(runners)) {
      const chunks = runner.prepare();
      const t0 = performance.now();
      runner.run(chunks);
      times[name].push((performance.now() - t0) * 1e6 / EVENTS);
    }
  }
  const base = median(times.lifeline);
  const fig = (result.doc.figures.subscribers[subs] = {});
  for (const [name, t] of Object.entries(times)) {
    const ns = median(t);
    // xVsLifeline: this contender's time over lifeline's (below 1: lifeline is slower)
    fig[name] = { nsPerEvent: Math.round(ns), xVsLifeline: Math.round((ns / base) * 100) / 100 };
    console.log(`  ${String(subs).padStart(2)} subscriber(s)  ${name.padEnd(30)} ${ns.toFixed(0).padStart(6)} ns/event  x${(ns / base).toFixed(2)} vs lifeline`);
  }
  for (const r of Object.values(runners)) r.close();
}

console.log(`shipped defaults, a fake fetch's ReadableStream, ${EVENTS} events of ~80 bytes per round, median of ${ROUNDS} rounds`);
result.doc.figures.defaults = {};
for (const subs of [1, 10]) {
  const times = Object.fromEntries(Object.keys(defaultsRunners).map((k) => [k, []]));
  let next = 1;
  for (const name of Object.keys(defaultsRunners)) { // warm-up, not counted
    await defaultsRunners[name](plainStream(next), subs);
    next += EVENTS;
  }
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(defaultsRunners);
    for (const name of r % 2 ? names.reverse() : names) {
      const chunks = plainStream(next);
      next += EVENTS;
      times[name].push((await defaultsRunners[name](chunks, subs)) * 1e6 / EVENTS);
    }
  }
  const base = median(times.lifeline);
  const fig = (result.doc.figures.defaults[subs] = {});
  for (const [name, t] of Object.entries(times)) {
    const ns = median(t);
    fig[name] = { nsPerEvent: Math.round(ns), xVsLifeline: Math.round((ns / base) * 100) / 100 };
    console.log(`  ${String(subs).padStart(2)} subscriber(s)  ${name.padEnd(30)} ${ns.toFixed(0).padStart(6)} ns/event  x${(ns / base).toFixed(2)} vs lifeline`);
  }
}
result.write();
