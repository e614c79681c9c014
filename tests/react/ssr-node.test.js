// @vitest-environment node
// Server-side rendering in a real server environment: no window, no document, no EventSource.
import { describe, it, expect } from 'vitest';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';

describe('server-side rendering in Node', () => {
  it('imports and renders without browser globals or the Wasm', async () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    expect(typeof EventSource).toBe('undefined');
    const lib = await import('../../js/react/index.js');
    let loaded = 0;
    const runtime = { init: async () => { loaded++; }, createManager: () => { loaded++; } };
    const html = renderToString(h(lib.SSEProvider, { runtime, channels: { feed: { url: '/events' } } },
      h(lib.SSEStatusIndicator, { channel: 'feed', label: 'Feed' }),
      h(lib.ReconnectionAlert, { channel: 'feed' }),
      h(lib.SSEProgressBar, { channel: 'analysis' }),
      h(lib.ServiceHealthPanel, null),
      h(lib.StreamingDataDisplay, { channel: 'feed' }),
      h(lib.SSEErrorBoundary, null, h('p', null, 'ok'))));
    expect(html).toContain('Feed: </span>Connecting…');
    expect(html).toContain('aria-valuenow="0"');
    expect(html).toContain('data-alert="none"'); // nothing to alert about while connecting:
    expect(html).not.toContain('<section class="lifeline-alert'); // only the host and its live region
    expect(loaded).toBe(0);
  });
});
