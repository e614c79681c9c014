// Shared helpers for the manager's Node integration tests (loopback reference server).
import assert from 'node:assert/strict';
import { init, createManager } from '../../js/index.js';
import { startSSEServer } from '../../demo/server/sse-server.js';

/** An environment whose online/offline/resume signals the test fires by hand. */
export function fakeEnvironment() {
  let handlers = null;
  let online = true;
  return {
    isOnline: () => online,
    subscribe(h) {
      handlers = h;
      return () => { handlers = null; };
    },
    emit(name) {
      if (name === 'online') online = true;
      if (name === 'offline') online = false;
      handlers?.[name]();
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls cond() every 10 ms; fails with `what` after ms. */
export async function until(cond, what, ms = 8000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A server (fast generator, short heartbeats), a manager with a fake environment, one channel
 * 'feed' subscribed from id 0; records events and status states ("state" or "state:reason").
 */
export async function setup(t, { server: serverOpts = {}, connect = {}, manager = {} } = {}) {
  await init();
  const server = await startSSEServer({ intervalMs: 25, heartbeatMs: 150, ...serverOpts });
  const env = fakeEnvironment();
  const errors = [];
  const m = createManager({ environment: env, lingerMs: 0, seed: 7, storage: null, onError: (e) => errors.push(e), ...manager });
  const events = [];
  const states = [];
  m.connect('feed', server.feedUrl, { initialLastEventId: '0', backoff: { initialMs: 150, maxMs: 600 }, ...connect });
  m.onStatus('feed', (s) => states.push(s.reason === 'none' ? s.state : `${s.state}:${s.reason}`));
  m.subscribe('feed', (e) => events.push(e));
  t.after(async () => {
    m.destroy();
    await server.close();
    assert.deepEqual(errors, [], 'no callback or driver errors');
  });
  await until(() => m.getConnectionStatus('feed').state === 'open' || states.includes('failed'), 'first open');
  return { server, m, env, events, states };
}

/** Stops the generator and waits until the subscriber has the server's last event. */
export async function settle(ctx, what = 'all events') {
  ctx.server.setIntervalMs(0);
  const last = ctx.server.log.lastId;
  await until(() => last === 0 || (ctx.events.length && Number(ctx.events.at(-1).id) >= last), `${what} (last id ${last})`);
}

/** Every event the server logged, exactly once, in order. */
export function assertExactlyOnce(ctx) {
  const ids = ctx.events.map((e) => Number(e.id));
  const want = Array.from({ length: ctx.server.log.lastId }, (_, i) => i + 1);
  assert.equal(ids.length, want.length, `got ${ids.length} events, the server sent ${want.length}`);
  assert.deepEqual(ids, want);
}

/** The index of each expected state in order within states (fails if any is missing). */
export function assertSequence(states, expected) {
  let from = 0;
  for (const s of expected) {
    const i = states.indexOf(s, from);
    assert.ok(i >= 0, `status "${s}" missing after position ${from} in ${JSON.stringify(states)}`);
    from = i + 1;
  }
}

export function connectsSince(server, t0) {
  return server.history.filter((h) => h.t >= t0 && h.path === 'feed');
}

/** A transport that records every open(); the test plays the server through each handle's sink. */
export function fakeTransport() {
  const t = {
    name: 'fake',
    opens: [],
    open(request, sink) {
      const h = { request, sink, aborted: false, types: [], abort() { h.aborted = true; }, listen(types) { h.types.push(...types); } };
      t.opens.push(h);
      return h;
    },
    get last() { return t.opens.at(-1); },
  };
  return t;
}

/** A clock and timers the test advances by hand (no sleeps), starting at `start` ms. */
export function fakeClock(start = 1_000_000) {
  let now = start;
  const queue = [];
  return {
    now: () => now,
    timers: {
      setTimeout(f, ms) { const e = { at: now + ms, f }; queue.push(e); return e; },
      clearTimeout(e) { const i = queue.indexOf(e); if (i >= 0) queue.splice(i, 1); },
    },
    pending: () => queue.map((e) => e.at - now),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        queue.sort((a, b) => a.at - b.at);
        if (!queue.length || queue[0].at > end) break;
        const e = queue.shift();
        now = Math.max(now, e.at);
        e.f();
      }
      now = end;
    },
  };
}

/** A manager on a fake clock, fake timers and a fake fetch transport (`transport`). */
export async function fakeManager(options = {}, { clockStart } = {}) {
  await init();
  const clock = fakeClock(clockStart);
  const transport = fakeTransport();
  const errors = [];
  const m = createManager({
    clock: clock.now, timers: clock.timers, environment: fakeEnvironment(), storage: null, lingerMs: 0, seed: 1,
    transports: { fetch: transport }, onError: (e) => errors.push(e), ...options,
  });
  return { m, clock, transport, errors };
}

/**
 * Node has no native EventSource: this stands in for the browser's in driver tests (the Chromium
 * e2e runs the real one). `open()` fires onopen; `emit` delivers to a listener unless closed.
 */
export class FakeEventSource {
  static all = [];
  constructor(url, init) {
    this.url = url;
    this.init = init;
    this.readyState = 0;
    this.listeners = new Map();
    this.closed = false;
    FakeEventSource.all.push(this);
  }
  addEventListener(type, fn) { this.listeners.set(type, fn); }
  close() { this.closed = true; this.readyState = 2; }
  open() { this.readyState = 1; this.onopen(); }
  emit(type, data, lastEventId) { if (!this.closed) this.listeners.get(type)?.({ type, data, lastEventId }); }
}
