// <SSEProvider share="origin">: the option plumbing. jsdom has no SharedWorker, so what sharing
// does across tabs is tested in Chromium (e2e/share-react.spec.js); here: which init() and
// createManager() options the provider passes, and how it reports a wrong or conflicting share.
import { describe, it, expect, afterEach } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { StrictMode, createElement as h } from 'react';
import { render, act, cleanup } from '@testing-library/react';
import { SSEProvider, SSEStatusIndicator } from '../../js/react/index.js';
import { init, createManager } from '../../js/index.js';
import { createFakeRuntime } from './fakes.js';

afterEach(cleanup);
const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));
const settle = async () => { await flush(); await flush(); };

describe('<SSEProvider share>', () => {
  it("share=\"origin\" inits with { share: 'origin' } and creates the manager with it, once in Strict Mode", async () => {
    const rt = createFakeRuntime();
    render(h(StrictMode, null, h(SSEProvider, {
      runtime: rt, share: 'origin', initOptions: { wasmBinary: null }, options: { shareVia: 'locks' },
      channels: { feed: { url: '/events' } },
    }, null)));
    await settle();
    expect(rt.inits).toBe(1);
    expect(rt.initOptions).toEqual({ wasmBinary: null, share: 'origin' });
    expect(rt.created).toBe(1);
    expect(rt.options).toEqual({ shareVia: 'locks', share: 'origin' });
    expect(rt.manager.calls.connect.map((c) => c.channel)).toEqual(['feed']);
  });

  it('the default (and share="tab") passes the options as given', async () => {
    for (const share of [undefined, 'tab']) {
      const rt = createFakeRuntime();
      const { unmount } = render(h(SSEProvider, { runtime: rt, share, options: { seed: 1 } }, null));
      await settle();
      expect(rt.initOptions).toBeUndefined();
      expect(rt.options).toEqual({ seed: 1 });
      unmount();
    }
  });

  it("options.share: 'origin' alone means the same as the prop (init gets it too)", async () => {
    const rt = createFakeRuntime();
    render(h(SSEProvider, { runtime: rt, options: { share: 'origin' } }, null));
    await settle();
    expect(rt.initOptions).toEqual({ share: 'origin' });
    expect(rt.options).toEqual({ share: 'origin' });
  });

  it('under share="origin" the router is shared too: one init, without the router module (the hub loads it)', async () => {
    const rt = createFakeRuntime();
    render(h(SSEProvider, { runtime: rt, share: 'origin', routerOptions: { services: [] } }, null));
    await settle();
    expect(rt.inits).toBe(1);
    expect(rt.initOptions).toEqual({ share: 'origin' });
    expect(rt.routerOptions).toEqual({ services: [], share: 'origin' });
  });

  it("routerOptions.share: 'tab' keeps the router in the tab (init loads the router module); 'origin' shares it under a tab provider", async () => {
    let rt = createFakeRuntime();
    render(h(SSEProvider, { runtime: rt, share: 'origin', routerOptions: { services: [], share: 'tab' } }, null));
    await settle();
    expect(rt.initOptions).toEqual({ share: 'origin', router: true });
    expect(rt.routerOptions).toEqual({ services: [], share: 'tab' });
    cleanup();
    rt = createFakeRuntime();
    render(h(SSEProvider, { runtime: rt, routerOptions: { services: [], share: 'origin' } }, null));
    await settle();
    expect(rt.initOptions).toEqual({ share: 'origin' });
    expect(rt.options).toBeUndefined(); // the manager stays the tab's own
    expect(rt.routerOptions).toEqual({ services: [], share: 'origin' });
  });

  for (const [name, props, message] of [
    ['a wrong share value', { share: 'window' }, /share must be 'tab' or 'origin', got "window"/],
    ['a prop and options.share that disagree', { share: 'origin', options: { share: 'tab' } }, /options.share is "tab"/],
  ]) {
    it(`${name} is a failed status naming it; no manager is made`, async () => {
      const rt = createFakeRuntime();
      const { container } = render(h(SSEProvider, { runtime: rt, ...props }, h(SSEStatusIndicator, { channel: 'feed' })));
      await settle();
      expect(rt.created).toBe(0);
      expect(container.querySelector('.lifeline-status').dataset.state).toBe('failed');
      expect(container.textContent).toMatch(message);
    });
  }

  it("the real runtime without SharedWorker or Web Locks (jsdom): createManager's TypeError reaches the status", async () => {
    // The real lifeline-sse module: init({ share: 'origin' }) loads the Wasm and the sharing chunk,
    // then createManager refuses, since jsdom has neither SharedWorker nor navigator.locks.
    const wasmBinary = await readFile(fileURLToPath(new URL('../../dist/lifeline-core.wasm', `file://${__filename}`)));
    const runtime = { init, createManager };
    const { container } = render(h(SSEProvider, { runtime, share: 'origin', initOptions: { wasmBinary } }, h(SSEStatusIndicator, { channel: 'feed' })));
    await expect.poll(() => container.querySelector('.lifeline-status').dataset.state, { timeout: 8000 }).toBe('failed');
    expect(container.textContent).toMatch(/needs SharedWorker or Web Locks/);
  });
});
