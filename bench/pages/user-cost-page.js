// Runs inside Chromium for the "what a user pays" benchmarks (bench/latency.bench.js,
// bench/heap.bench.js, bench/wakeups.bench.js): one way to open a stream per client, each calling
// on(data) once per `message` event; open() returns the client's close().
import { init, createManager, EventSource as LifelineEventSource } from '/js/index.js';
import { EventSource as EventSourceV4 } from '/node_modules/eventsource/dist/index.js';
import { fetchEventSource } from '/node_modules/@microsoft/fetch-event-source/lib/esm/index.js';

const native = globalThis.EventSource;

/** Each client with the options an app would give it (Lifeline's: none, the shipped defaults). */
export const clients = {
  'native EventSource'(url, on) {
    const es = new native(url);
    es.onmessage = (e) => on(e.data);
    return () => es.close();
  },
  'eventsource v4'(url, on) {
    const es = new EventSourceV4(url);
    es.onmessage = (e) => on(e.data);
    return () => es.close();
  },
  'fetch-event-source'(url, on) {
    const ac = new AbortController();
    fetchEventSource(url, { signal: ac.signal, openWhenHidden: true, onmessage: (m) => on(m.data) }).catch(() => {});
    return () => ac.abort();
  },
  'lifeline manager (fetch)'(url, on) {
    const m = createManager();
    m.connect('c', url, { transport: 'fetch' });
    m.subscribe('c', (e) => on(e.data));
    return () => m.destroy();
  },
  'lifeline manager (eventsource)'(url, on) {
    const m = createManager();
    m.connect('c', url, { transport: 'eventsource' });
    m.subscribe('c', (e) => on(e.data));
    return () => m.destroy();
  },
  'lifeline EventSource'(url, on) {
    const es = new LifelineEventSource(url);
    es.onmessage = (e) => on(e.data);
    return () => es.close();
  },
};
export const clientNames = Object.keys(clients);

export async function setup() {
  await init();
}

/** The server's clock minus this page's performance.now(), from the /clock sample with the
 * shortest round trip (its error is at most half that trip; it is the same for every client). */
export async function clockOffset(samples = 30) {
  let best = null;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const s = Number(await (await fetch('/clock', { cache: 'no-store' })).text());
    const t1 = performance.now();
    if (!best || t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: s - (t0 + t1) / 2 };
  }
  return best;
}

/**
 * Latency of one connection: n events one every everyMs, each stamped by the server just before
 * its write; returns ms from that write to this client's callback for events skip+1..n (the first
 * ones pay for the connection and for warm-up).
 */
export function latency(name, offset, n, everyMs, skip) {
  return new Promise((resolve, reject) => {
    const out = [];
    let seen = 0;
    let close = null;
    const timer = setTimeout(() => { close?.(); reject(new Error(`${name}: ${seen} of ${n} events in time`)); }, n * everyMs + 15000);
    const on = (data) => {
      const now = performance.now();
      const sp = data.indexOf(' ');
      if (++seen > skip) out.push(now - (Number(data.slice(sp + 1)) - offset));
      if (seen === n) {
        clearTimeout(timer);
        close();
        resolve(out);
      }
    };
    close = clients[name](`/sse/steady?n=${n}&everyMs=${everyMs}`, on);
  });
}

// Heap: one connection whose events are only counted (the app keeps none of them).
let counted = 0;
let waiters = [];
let closeCurrent = null;

/** Opens `name` on a burst stream; resolves when `first` events arrived. */
export function openCounting(name, url, first) {
  counted = 0;
  closeCurrent = clients[name](url, () => {
    counted++;
    waiters = waiters.filter((w) => (counted >= w.n ? (w.resolve(), false) : true));
  });
  return untilCount(first);
}

/** Resolves when `n` events in all arrived. */
export function untilCount(n) {
  return counted >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }));
}

export function closeCounting() {
  closeCurrent?.();
  closeCurrent = null;
}

/** Bytes of Wasm memory the page's Lifeline core holds (0 before init). */
export async function wasmBytes() {
  const { getCore } = await import('/js/wasm.js');
  try {
    return getCore().HEAPU8.buffer.byteLength;
  } catch {
    return 0;
  }
}

/** Opens `name` on an idle stream; resolves at its first event (then the idle time begins). */
export function openIdle(name, url) {
  return new Promise((resolve) => {
    let first = true;
    closeCurrent = clients[name](url, () => {
      if (first) resolve();
      first = false;
    });
  });
}
