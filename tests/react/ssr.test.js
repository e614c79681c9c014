import { describe, it, expect, vi } from 'vitest';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { hydrateRoot } from 'react-dom/client';
import { act } from '@testing-library/react';
import { createFakeRuntime } from './fakes.js';

describe('server-side rendering', () => {
  it('imports without touching window/EventSource, renders on the server, then hydrates without mismatch', async () => {
    // Server pass: no EventSource, and the runtime must not be loaded or created.
    const savedES = globalThis.EventSource;
    delete globalThis.EventSource;
    const lib = await import('../../js/react/index.js');
    const rt = createFakeRuntime();
    const app = () => h(lib.SSEProvider, { runtime: rt, channels: { feed: { url: '/events' } } },
      h(lib.SSEStatusIndicator, { channel: 'feed' }),
      h(lib.SSEProgressBar, { channel: 'analysis' }),
      h(lib.ServiceHealthPanel, null),
      h(lib.StreamingDataDisplay, { channel: 'feed' }));
    const html = renderToString(app());
    expect(html).toContain('lifeline-status--connecting');
    expect(html).toContain('Connecting…');
    expect(rt.inits).toBe(0);
    expect(rt.created).toBe(0);
    if (savedES) globalThis.EventSource = savedES;

    // Client pass: hydrate the server HTML; any mismatch is reported through onRecoverableError.
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.appendChild(container);
    const recoverable = vi.fn();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let root;
    await act(async () => { root = hydrateRoot(container, app(), { onRecoverableError: recoverable }); });
    await act(() => new Promise((r) => setTimeout(r, 0)));
    expect(recoverable).not.toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
    expect(rt.created).toBe(1);
    expect(rt.manager.calls.connect).toHaveLength(1);
    act(() => rt.manager.setStatus('feed', { state: 'open' }));
    expect(container.querySelector('.lifeline-status').dataset.state).toBe('open');
    act(() => root.unmount());
    errors.mockRestore();
  });

  it('has no top-level side effects in its modules', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = path.resolve(import.meta.dirname, '../../js/react');
    const src = ['index', 'provider', 'hooks', 'components', 'error-boundary', 'stores']
      .map((f) => fs.readFileSync(path.join(dir, `${f}.js`), 'utf8')).join('\n');
    expect(src).not.toMatch(/^\s*(window|document|EventSource|init\(|createManager\()/m);
    expect(src).not.toMatch(/import .* from '\.\.\/(index|wasm)\.js'/); // the runtime is loaded lazily
  });
});
