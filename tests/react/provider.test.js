import { describe, it, expect, afterEach, vi } from 'vitest';
import { StrictMode, createElement as h, useState } from 'react';
import { render, act, cleanup } from '@testing-library/react';
import {
  SSEProvider, useSSE, useSSEStatus, useSSEProgress, useSSEBuffer, useSSEMetrics, useServiceHealth,
  useRouter, useSSEManager, useReconnectCountdown, SSEStatusIndicator,
} from '../../js/react/index.js';
import { createFakeManager, createFakeRouter, createFakeRuntime } from './fakes.js';

afterEach(cleanup);
const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));

describe('outside <SSEProvider>', () => {
  const hooks = {
    useSSE: () => useSSE('feed', () => {}),
    useSSEStatus: () => useSSEStatus('feed'),
    useSSEProgress: () => useSSEProgress('feed'),
    useSSEBuffer: () => useSSEBuffer('feed'),
    useSSEMetrics: () => useSSEMetrics(),
    useServiceHealth: () => useServiceHealth(),
    useRouter: () => useRouter(),
    useSSEManager: () => useSSEManager(),
    useReconnectCountdown: () => useReconnectCountdown('feed'),
  };
  for (const [name, call] of Object.entries(hooks)) {
    it(`${name} throws a clear error`, () => {
      function Probe() { call(); return null; }
      const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
      expect(() => render(h(Probe))).toThrow(/must be used inside <SSEProvider>/);
      spy.mockRestore();
    });
  }
});

describe('<SSEProvider> lifecycle', () => {
  it('creates one manager after init() and connects each channel once, even in Strict Mode', async () => {
    const rt = createFakeRuntime();
    const channels = { feed: { url: '/events', heartbeatTimeoutMs: 5000 }, analysis: { url: '/analysis' } };
    const seen = [];
    function Probe() { seen.push(useSSEStatus('feed').state); return null; }
    const { unmount } = render(h(StrictMode, null,
      h(SSEProvider, { runtime: rt, options: { seed: 1 }, channels }, h(Probe))));
    expect(seen[0]).toBe('connecting'); // children render at once, before init() resolves
    await flush();
    await flush();
    expect(rt.inits).toBe(1);
    expect(rt.created).toBe(1);
    expect(rt.options).toEqual({ seed: 1 });
    expect(rt.manager.calls.connect.map((c) => c.channel)).toEqual(['feed', 'analysis']);
    expect(rt.manager.calls.connect[0]).toEqual({ channel: 'feed', url: '/events', options: { heartbeatTimeoutMs: 5000 } });
    expect(rt.manager.calls.destroy).toBe(0);
    unmount();
    await flush();
    expect(rt.manager.calls.destroy).toBe(1);
  });

  it('does not create a manager when unmounted before init() resolves', async () => {
    const rt = createFakeRuntime();
    const { unmount } = render(h(SSEProvider, { runtime: rt, channels: { feed: { url: '/e' } } }, null));
    unmount();
    await flush();
    await flush();
    expect(rt.created).toBe(0);
    expect(rt.manager.calls.connect).toHaveLength(0);
  });

  it('uses an injected manager and router without closing them on unmount', async () => {
    const manager = createFakeManager();
    const router = createFakeRouter(['alpha']);
    let got;
    function Probe() { got = { m: useSSEManager(), r: useRouter() }; return null; }
    const { unmount } = render(h(SSEProvider, { manager, router, channels: { feed: { url: '/e' } } }, h(Probe)));
    await flush();
    expect(got.m).toBe(manager);
    expect(got.r).toBe(router);
    expect(manager.calls.connect).toHaveLength(1);
    unmount();
    await flush();
    expect(manager.calls.closeAll).toBe(0);
    expect(manager.calls.destroy).toBe(0);
    expect(router.closed).toBe(0);
  });

  it('connects channels added later, once', async () => {
    const manager = createFakeManager();
    const { rerender } = render(h(SSEProvider, { manager, channels: { feed: { url: '/e' } } }));
    await flush();
    rerender(h(SSEProvider, { manager, channels: { feed: { url: '/e' } } }));
    rerender(h(SSEProvider, { manager, channels: { feed: { url: '/e' }, more: { url: '/m' } } }));
    await flush();
    expect(manager.calls.connect.map((c) => c.channel)).toEqual(['feed', 'more']);
  });

  it('subscribes a child to a channel added in the same render (manager refuses unknown channels)', async () => {
    const manager = createFakeManager({ strict: true });
    const got = [];
    let setRun;
    function Child({ channel }) { useSSE(channel, (e) => got.push(e.data)); return null; }
    function App() {
      const [run, set] = useState(0);
      setRun = set;
      const channels = { feed: { url: '/feed' } };
      if (run) channels[`analysis-${run}`] = { url: `/analysis?run=${run}` };
      return h(SSEProvider, { manager, channels }, h(Child, { channel: run ? `analysis-${run}` : 'feed' }));
    }
    render(h(StrictMode, null, h(App)));
    await flush();
    act(() => manager.emit('feed', 'x', 'f1'));
    act(() => setRun(1));
    act(() => manager.emit('analysis-1', 'x', 'a1'));
    act(() => setRun(2)); // analysis-1 removed from channels: disconnected
    act(() => manager.emit('analysis-2', 'x', 'a2'));
    expect(got).toEqual(['f1', 'a1', 'a2']);
    expect(manager.calls.disconnect).toEqual(['analysis-1']);
    expect(manager.subscriberCount('analysis-2')).toBe(1);
  });

  it('waits for a channel the app connects later, then subscribes', async () => {
    const manager = createFakeManager({ strict: true });
    const got = [];
    function Child() { useSSE('late', (e) => got.push(e.data)); return null; }
    const { rerender } = render(h(SSEProvider, { manager }, h(Child)));
    await flush();
    expect(manager.subscriberCount('late')).toBe(0);
    rerender(h(SSEProvider, { manager, channels: { late: { url: '/late' } } }, h(Child)));
    act(() => manager.emit('late', 'x', 'hello'));
    expect(got).toEqual(['hello']);
  });

  it('connects a channel again when its config changes, keeping its subscribers', async () => {
    const manager = createFakeManager({ strict: true });
    const got = [];
    function Child() { useSSE('feed', (e) => got.push(e.data)); return null; }
    const { rerender } = render(h(SSEProvider, { manager, channels: { feed: { url: '/a' } } }, h(Child)));
    await flush();
    rerender(h(SSEProvider, { manager, channels: { feed: { url: '/b' } } }, h(Child)));
    act(() => manager.emit('feed', 'x', 'after'));
    expect(manager.calls.connect.map((c) => c.url)).toEqual(['/a', '/b']);
    expect(manager.calls.disconnect).toBeUndefined();
    expect(got).toEqual(['after']);
  });

  // A config compared with JSON.stringify dropped its functions: a new `headers` function was
  // never applied. An inline function is new on every render, so it must not reconnect either:
  // the manager gets one stable function per option that calls the latest one.
  it('applies a changed headers/onAuthRequired function without connecting again', async () => {
    const manager = createFakeManager({ strict: true });
    const cfg = (tag) => ({ feed: { url: '/a', headers: () => ({ authorization: tag }), onAuthRequired: () => ({ tag }) } });
    const { rerender } = render(h(SSEProvider, { manager, channels: cfg('Bearer 1') }, null));
    await flush();
    rerender(h(SSEProvider, { manager, channels: cfg('Bearer 2') }, null));
    await flush();
    expect(manager.calls.connect.length).toBe(1);
    const { options } = manager.calls.connect[0];
    expect(options.headers()).toEqual({ authorization: 'Bearer 2' });
    expect(options.onAuthRequired()).toEqual({ tag: 'Bearer 2' });
    // a function option that appears or goes away is a config change
    rerender(h(SSEProvider, { manager, channels: { feed: { url: '/a' } } }, null));
    await flush();
    expect(manager.calls.connect.length).toBe(2);
    expect(manager.calls.connect[1].options.headers).toBeUndefined();
  });

  it('creates and closes an owned router from routerOptions', async () => {
    const router = createFakeRouter(['alpha']);
    const rt = createFakeRuntime({ router });
    let r;
    function Probe() { r = useRouter(); return null; }
    const { unmount } = render(h(SSEProvider, { runtime: rt, routerOptions: { services: [] } }, h(Probe)));
    await flush();
    expect(r).toBe(router);
    unmount();
    await flush();
    expect(router.closed).toBe(1);
  });

  it('reports a failed init() as a failed status with the reason', async () => {
    const rt = createFakeRuntime({ fail: new Error('wasm fetch failed') });
    const { container } = render(h(SSEProvider, { runtime: rt }, h(SSEStatusIndicator, { channel: 'feed' })));
    await flush();
    await flush();
    expect(container.querySelector('.lifeline-status').dataset.state).toBe('failed');
    expect(container.textContent).toContain('wasm fetch failed');
  });
});
