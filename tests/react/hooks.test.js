import { describe, it, expect, afterEach, vi } from 'vitest';
import { StrictMode, createElement as h, useState } from 'react';
import { render, act, cleanup } from '@testing-library/react';
import {
  SSEProvider, useSSE, useSSEStatus, useSSEProgress, useSSEBuffer, useSSEMetrics, useServiceHealth,
  useReconnectCountdown, reduceProgress, INITIAL_PROGRESS,
} from '../../js/react/index.js';
import { createFakeManager, createFakeRouter } from './fakes.js';

afterEach(() => { cleanup(); vi.useRealTimers(); });

// Renders `child` under a provider given a fake manager (the hooks have it from the first render).
function mount(child, { manager = createFakeManager(), router } = {}) {
  const utils = render(h(SSEProvider, { manager, router }, child));
  return { manager, router, ...utils };
}

describe('useSSE', () => {
  it('keeps one subscription while the handler changes between renders', () => {
    const got = [];
    let setN;
    function Feed() {
      const [n, set] = useState(0);
      setN = set;
      useSSE('feed', (e) => got.push(`${n}:${e.type}`), { events: ['poll'] });
      return null;
    }
    const { manager } = mount(h(Feed));
    expect(manager.calls.subscribe).toBe(1);
    act(() => manager.emit('feed', 'poll', { a: 1 }));
    act(() => setN(1));
    act(() => setN(2));
    act(() => manager.emit('feed', 'poll', { a: 2 }));
    act(() => manager.emit('feed', 'alert', { a: 3 })); // filtered by events
    expect(got).toEqual(['0:poll', '2:poll']);
    expect(manager.calls.subscribe).toBe(1);
    expect(manager.calls.unsubscribe).toBe(0);
  });

  it('passes events/priority/replay through and unsubscribes on unmount', () => {
    function Feed() { useSSE('feed', () => {}, { events: ['a', 'b'], priority: 2, replay: 10 }); return null; }
    const { manager, unmount } = mount(h(Feed));
    expect(manager.subscriberCount('feed')).toBe(1);
    unmount();
    expect(manager.subscriberCount('feed')).toBe(0);
    expect(manager.calls.unsubscribe).toBe(1);
  });

  it('resubscribes when the channel changes', () => {
    let setCh;
    function Feed() { const [ch, set] = useState('a'); setCh = set; useSSE(ch, () => {}); return null; }
    const { manager } = mount(h(Feed));
    act(() => setCh('b'));
    expect(manager.subscriberCount('a')).toBe(0);
    expect(manager.subscriberCount('b')).toBe(1);
  });
});

describe('useSSEStatus', () => {
  it('re-renders only when the status changes', () => {
    let renders = 0;
    let last;
    function Status() { renders++; last = useSSEStatus('feed'); return null; }
    const { manager } = mount(h(Status));
    const before = renders;
    expect(last.state).toBe('connecting');
    act(() => manager.setStatus('feed', { state: 'open' }));
    expect(last.state).toBe('open');
    expect(renders).toBe(before + 1);
    act(() => manager.setStatus('other', { state: 'reconnecting' })); // another channel
    act(() => { for (const cb of []) cb(); });
    expect(renders).toBe(before + 1);
    act(() => manager.setStatus('feed', { state: 'reconnecting', attempt: 1, reconnectInMs: 2000 }));
    expect(last).toMatchObject({ state: 'reconnecting', attempt: 1, reconnectInMs: 2000 });
    expect(renders).toBe(before + 2);
  });

  it('returns the same snapshot object while unchanged (no tearing across components)', () => {
    const seen = [];
    function A() { seen.push(['A', useSSEStatus('feed')]); return null; }
    function B() { seen.push(['B', useSSEStatus('feed')]); return null; }
    const { manager } = mount(h('div', null, h(A), h(B)));
    act(() => manager.setStatus('feed', { state: 'open' }));
    const lastA = seen.filter(([w]) => w === 'A').at(-1)[1];
    const lastB = seen.filter(([w]) => w === 'B').at(-1)[1];
    expect(lastA).toBe(lastB);
  });
});

describe('useReconnectCountdown', () => {
  it('counts down each second while reconnecting, without re-rendering status readers', () => {
    vi.useFakeTimers();
    let secs;
    let statusRenders = 0;
    function Countdown() { secs = useReconnectCountdown('feed'); return null; }
    function Status() { statusRenders++; useSSEStatus('feed'); return null; }
    const { manager } = mount(h('div', null, h(Countdown), h(Status)));
    expect(secs).toBe(null);
    act(() => manager.setStatus('feed', { state: 'reconnecting', attempt: 1, reconnectInMs: 3000 }));
    expect(secs).toBe(3);
    const after = statusRenders;
    act(() => vi.advanceTimersByTime(1000));
    expect(secs).toBe(2);
    act(() => vi.advanceTimersByTime(1000));
    expect(secs).toBe(1);
    act(() => vi.advanceTimersByTime(1500));
    expect(secs).toBe(0);
    expect(statusRenders).toBe(after);
    act(() => manager.setStatus('feed', { state: 'open', reconnectInMs: null }));
    expect(secs).toBe(null);
  });
});

describe('useSSEProgress', () => {
  it('follows the 6-stage analysis protocol', () => {
    let p;
    function Progress() { p = useSSEProgress('analysis'); return null; }
    const { manager } = mount(h(Progress));
    expect(p).toEqual(INITIAL_PROGRESS);
    act(() => manager.emit('analysis', 'analysis:start', { runId: 4, ward: 'Riverside', stages: 6 }));
    expect(p).toMatchObject({ running: true, stage: 0, ward: 'Riverside', runId: 4 });
    act(() => manager.emit('analysis', 'progress', { stage: 1, total: 6, message: 'Initializing Analysis for Riverside…' }));
    act(() => manager.emit('analysis', 'progress', { stage: 2, total: 6, message: 'Gathering' }));
    act(() => manager.emit('analysis', 'analysis:section', { title: 'Intelligence summary', content: '40 mentions' }));
    expect(p).toMatchObject({ stage: 2, total: 6, name: 'Gathering Intelligence', message: 'Gathering' });
    expect(p.sections).toEqual([{ title: 'Intelligence summary', content: '40 mentions', stage: undefined }]);
    act(() => manager.emit('analysis', 'feed-noise', { stage: 5 })); // not a progress event
    expect(p.stage).toBe(2);
    act(() => manager.emit('analysis', 'analysis:complete', { sections: 1 }));
    expect(p).toMatchObject({ done: true, running: false, stage: 6, error: null });
    act(() => manager.emit('analysis', 'analysis:start', { runId: 5 }));
    expect(p).toMatchObject({ done: false, running: true, stage: 0, sections: [] });
  });

  it('reports analysis:error', () => {
    const s = [
      { type: 'analysis:start', data: '{}' },
      { type: 'progress', data: '{"stage":3,"total":6}' },
      { type: 'analysis:error', data: '{"stage":3,"message":"analysis backend failed"}' },
    ].reduce(reduceProgress, INITIAL_PROGRESS);
    expect(s).toMatchObject({ stage: 3, done: true, running: false, error: 'analysis backend failed' });
  });

  it('starts from the initial state when its channel changes (the old channel\'s run is not shown)', () => {
    let p;
    let setChannel;
    function Progress() {
      const [channel, set] = useState('ward-a');
      setChannel = set;
      p = useSSEProgress(channel);
      return null;
    }
    const { manager } = mount(h(Progress));
    act(() => manager.emit('ward-a', 'analysis:start', { runId: 1, ward: 'Riverside' }));
    act(() => manager.emit('ward-a', 'progress', { stage: 3, total: 6 }));
    expect(p).toMatchObject({ running: true, stage: 3, ward: 'Riverside' });
    act(() => setChannel(null)); // stops listening, keeps what it showed
    expect(p).toMatchObject({ running: true, stage: 3, ward: 'Riverside' });
    act(() => setChannel('ward-b'));
    expect(p).toEqual(INITIAL_PROGRESS);
    act(() => manager.emit('ward-a', 'progress', { stage: 4, total: 6 })); // the old channel is not listened to
    expect(p).toEqual(INITIAL_PROGRESS);
    act(() => manager.emit('ward-b', 'analysis:start', { runId: 2, ward: 'Hillside' }));
    expect(p).toMatchObject({ running: true, stage: 0, ward: 'Hillside', runId: 2 });
  });

  it('takes its stage list and event names as parameters', () => {
    let p;
    const options = { stages: ['Fetch', 'Compile', 'Test'], events: { start: 'build:start', progress: 'build:step', complete: 'build:done' } };
    function Progress() { p = useSSEProgress('build', options); return null; }
    const { manager } = mount(h(Progress));
    expect(p).toMatchObject({ stage: 0, total: 3, running: false });
    act(() => manager.emit('build', 'analysis:start', {})); // the default names mean nothing here
    expect(p.running).toBe(false);
    act(() => manager.emit('build', 'build:start', {}));
    act(() => manager.emit('build', 'build:step', { stage: 2 }));
    expect(p).toMatchObject({ running: true, stage: 2, total: 3, name: 'Compile' });
    act(() => manager.emit('build', 'build:done', {}));
    expect(p).toMatchObject({ done: true, stage: 3 });
  });
});

describe('useSSEBuffer', () => {
  // 1000 events/s for one second, one event per millisecond.
  function flood(manager, n = 1000) {
    for (let i = 0; i < n; i++) {
      act(() => { manager.emit('ticks', 'tick', { i }, String(i + 1)); vi.advanceTimersByTime(1); });
    }
  }
  function setup(options) {
    vi.useFakeTimers();
    let renders = 0;
    let snap;
    function Ticks() { renders++; snap = useSSEBuffer('ticks', options); return null; }
    const { manager } = mount(h(Ticks));
    const base = renders;
    return { manager, renders: () => renders - base, snap: () => snap };
  }

  it('throttle: 1000 events/s render at most ~once per interval', () => {
    const t = setup({ mode: 'throttle', ms: 100, max: 50 });
    flood(t.manager);
    act(() => vi.advanceTimersByTime(200));
    expect(t.renders()).toBeGreaterThanOrEqual(9);
    expect(t.renders()).toBeLessThanOrEqual(12);
    expect(t.snap().total).toBe(1000);
    expect(t.snap().items).toHaveLength(50); // bounded
    expect(JSON.parse(t.snap().latest.data)).toEqual({ i: 999 });
    expect(t.snap().items[0].id).toBe('951');
  });

  it('debounce: one render after the stream goes quiet', () => {
    const t = setup({ mode: 'debounce', ms: 50 });
    flood(t.manager, 300);
    expect(t.renders()).toBe(0);
    act(() => vi.advanceTimersByTime(60));
    expect(t.renders()).toBe(1);
    expect(t.snap().total).toBe(300);
  });

  it('debounce with maxWaitMs still renders during a continuous stream', () => {
    const t = setup({ mode: 'debounce', ms: 50, maxWaitMs: 200 });
    flood(t.manager, 1000);
    expect(t.renders()).toBeGreaterThanOrEqual(4);
    expect(t.renders()).toBeLessThanOrEqual(6);
  });

  it('buffer: flushes when `max` events are pending or after `ms`', () => {
    const t = setup({ mode: 'buffer', ms: 500, max: 100 });
    flood(t.manager, 1000);
    expect(t.renders()).toBe(10);
    expect(t.snap().items).toHaveLength(100);
    act(() => { t.manager.emit('ticks', 'tick', { i: 1000 }); });
    expect(t.renders()).toBe(10);
    act(() => vi.advanceTimersByTime(500));
    expect(t.renders()).toBe(11);
    expect(t.snap().total).toBe(1001);
  });
});

describe('Strict Mode', () => {
  it('leaves one subscription per hook and keeps flushing buffered events', () => {
    vi.useFakeTimers();
    let snap;
    const got = [];
    function Both() {
      useSSE('feed', (e) => got.push(e.id));
      snap = useSSEBuffer('feed', { mode: 'throttle', ms: 100 });
      return null;
    }
    const manager = createFakeManager();
    render(h(StrictMode, null, h(SSEProvider, { manager }, h(Both))));
    expect(manager.subscriberCount('feed')).toBe(2);
    act(() => { manager.emit('feed', 'x', 'a', '1'); manager.emit('feed', 'x', 'b', '2'); });
    act(() => vi.advanceTimersByTime(100));
    expect(got).toEqual(['1', '2']);
    expect(snap.total).toBe(2);
    expect(snap.latest.id).toBe('2');
  });
});

describe('useSSEMetrics', () => {
  it('polls getMetrics() at the given interval', () => {
    vi.useFakeTimers();
    let m;
    function Metrics() { m = useSSEMetrics(500); return null; }
    const manager = createFakeManager();
    const spy = vi.spyOn(manager, 'getMetrics');
    mount(h(Metrics), { manager });
    expect(m).toEqual({ delivered: 0, connections: 0 });
    const calls = spy.mock.calls.length;
    act(() => vi.advanceTimersByTime(1500));
    expect(spy.mock.calls.length).toBe(calls + 3);
  });
});

describe('useServiceHealth', () => {
  it('caches the snapshot and re-renders on health changes only', () => {
    const router = createFakeRouter(['alpha', 'beta']);
    let renders = 0;
    let services;
    function Health() { renders++; services = useServiceHealth(); return null; }
    mount(h(Health), { router });
    expect(services.map((s) => s.state)).toEqual(['healthy', 'healthy']);
    const before = renders;
    act(() => router.setHealth('beta', { state: 'down', lastError: 'timeout' }));
    expect(services[1]).toMatchObject({ name: 'beta', state: 'down', lastError: 'timeout' });
    expect(renders).toBe(before + 1);
    act(() => router.setHealth('beta', { state: 'down', lastError: 'timeout' })); // same values
    expect(renders).toBe(before + 1);
  });

  it("binds to the router's store protocol, never to getHealth()", () => {
    const router = createFakeRouter(['alpha']);
    const listeners = new Set();
    let snap = [{ name: 'alpha', state: 'healthy', p50Ms: 10, p95Ms: 20, errorRate: 0, lastError: null, since: 0 }];
    router.subscribe = (cb) => { listeners.add(cb); return () => listeners.delete(cb); };
    router.getSnapshot = () => snap;
    const getHealth = vi.spyOn(router, 'getHealth');
    let services;
    let renders = 0;
    function Health() { renders++; services = useServiceHealth(); return null; }
    const { unmount } = mount(h(Health), { router });
    expect(services).toBe(snap);
    const before = renders;
    act(() => { for (const cb of [...listeners]) cb(); }); // notified, snapshot unchanged
    expect(renders).toBe(before);
    snap = [{ ...snap[0], p50Ms: 12 }];
    act(() => { for (const cb of [...listeners]) cb(); });
    expect(services[0].p50Ms).toBe(12);
    expect(getHealth).not.toHaveBeenCalled();
    unmount();
    expect(listeners.size).toBe(0);
  });

  it('returns [] without a router and unhooks on unmount', () => {
    let services;
    function Health() { services = useServiceHealth(); return null; }
    const { unmount } = mount(h(Health));
    expect(services).toEqual([]);
    const router = createFakeRouter(['a']);
    const r2 = mount(h(Health), { router });
    expect(router.listeners()).toBe(1);
    r2.unmount();
    unmount();
    expect(router.listeners()).toBe(0);
  });
});
