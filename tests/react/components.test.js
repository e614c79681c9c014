import { describe, it, expect, afterEach, vi } from 'vitest';
import { createElement as h, useState } from 'react';
import { render, act, cleanup, screen, fireEvent } from '@testing-library/react';
import {
  SSEProvider, SSEStatusIndicator, ReconnectionAlert, SSEProgressBar, StreamingDataDisplay,
  ServiceHealthPanel, SSEErrorBoundary, describeStatus,
} from '../../js/react/index.js';
import { createFakeManager, createFakeRouter } from './fakes.js';

afterEach(() => { cleanup(); vi.useRealTimers(); });

function mount(child, { manager = createFakeManager(), router } = {}) {
  return { manager, router, ...render(h(SSEProvider, { manager, router }, child)) };
}

describe('<SSEStatusIndicator>', () => {
  it('announces status changes politely and shows the countdown outside the live region', () => {
    vi.useFakeTimers();
    const { manager, container } = mount(h(SSEStatusIndicator, { channel: 'feed', label: 'Feed' }));
    const root = container.querySelector('.lifeline-status');
    const live = screen.getByRole('status');
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(root.dataset.state).toBe('connecting');
    expect(root.querySelector('.lifeline-status__dot').getAttribute('aria-hidden')).toBe('true');
    act(() => manager.setStatus('feed', { state: 'open' }));
    expect(root.className).toContain('lifeline-status--open');
    expect(live.textContent).toBe('Feed: Live');
    act(() => manager.setStatus('feed', { state: 'reconnecting', attempt: 2, reconnectInMs: 4000 }));
    expect(live.textContent).toBe('Feed: Reconnecting (attempt 2)');
    expect(root.querySelector('.lifeline-status__countdown').textContent).toContain('next try in 4 s');
    expect(live.contains(root.querySelector('.lifeline-status__countdown'))).toBe(false);
    act(() => vi.advanceTimersByTime(2000));
    expect(root.querySelector('.lifeline-status__countdown').textContent).toContain('next try in 2 s');
    act(() => manager.setStatus('feed', { state: 'failed', lastError: { message: 'HTTP 401' }, reconnectInMs: null }));
    expect(live.textContent).toBe('Feed: Stopped: HTTP 401');
    expect(root.querySelector('.lifeline-status__countdown')).toBe(null);
    act(() => manager.setStatus('feed', { state: 'failed', lastError: { reason: 'not-found', httpStatus: 404, message: 'stream not found' } }));
    expect(live.textContent).toBe('Feed: Stopped: the stream no longer exists');
  });

  it('says "No data for N s" for a stale open channel, the seconds outside the live region', () => {
    vi.useFakeTimers();
    const { manager, container } = mount(h(SSEStatusIndicator, { channel: 'feed' }));
    const root = container.querySelector('.lifeline-status');
    const live = screen.getByRole('status');
    act(() => manager.setStatus('feed', { state: 'open' }));
    expect(root.querySelector('.lifeline-status__silence')).toBe(null);
    act(() => manager.setStatus('feed', { state: 'open', stale: true, staleAfterMs: 4000, lastByteAt: 1 }));
    expect(root.dataset.state).toBe('stale');
    expect(root.className).toContain('lifeline-status--stale');
    expect(live.textContent).toBe('No data');
    expect(root.textContent).toBe('No data for 4 s');
    act(() => vi.advanceTimersByTime(2000));
    // The same silence told again with the alert (a new status object): the count goes on.
    act(() => manager.setStatus('feed', { state: 'open', stale: true, alert: true, staleAfterMs: 4000, lastByteAt: 1, outageSince: 1 }));
    expect(root.textContent).toBe('No data for 6 s');
    act(() => vi.advanceTimersByTime(6000));
    expect(root.textContent).toBe('No data for 12 s');
    expect(live.textContent).toBe('No data'); // not re-announced every second
    expect(live.contains(root.querySelector('.lifeline-status__silence'))).toBe(false);
    act(() => manager.setStatus('feed', { state: 'open', stale: false }));
    expect(root.textContent).toBe('Live');
  });

  it('describes every state', () => {
    for (const state of ['connecting', 'open', 'reconnecting', 'offline', 'circuit-open', 'failed', 'closed']) {
      expect(describeStatus({ state, attempt: 0 })).toMatch(/\w/);
    }
  });
});

describe('<ReconnectionAlert>', () => {
  const announce = (c) => c.querySelector('.lifeline-alert__announce');
  const box = (c) => c.querySelector('section.lifeline-alert');

  it('stays away during a blip (no status.alert) and appears for an outage past the grace time', () => {
    vi.useFakeTimers();
    const { manager, container } = mount(h(ReconnectionAlert, { channel: 'feed' }));
    expect(box(container)).toBe(null);
    expect(announce(container).getAttribute('aria-live')).toBe('polite'); // mounted before anything happens
    act(() => manager.setStatus('feed', { state: 'reconnecting', reason: 'network', attempt: 1, reconnectInMs: 1000, alert: false }));
    expect(box(container)).toBe(null);
    expect(announce(container).textContent).toBe('');
    act(() => manager.setStatus('feed', { state: 'reconnecting', reason: 'network', attempt: 1, reconnectInMs: 12000, alert: true }));
    const alert = box(container);
    expect(alert.className).toContain('lifeline-alert--overlay'); // positioned over the page, not in its flow
    expect(alert.querySelector('.lifeline-alert__title').textContent).toBe('Live updates paused — the server is not answering');
    expect(alert.textContent).toContain('Trying again in 12 s.');
    expect(alert.textContent).not.toMatch(/circuit/i);
    // Announced once: the live region holds the headline only, and the countdown ticks outside it.
    expect(announce(container).textContent).toBe('Live updates paused — the server is not answering');
    expect(alert.getAttribute('aria-live')).toBe(null);
    expect(alert.getAttribute('role')).not.toBe('alert');
    act(() => vi.advanceTimersByTime(3000));
    expect(alert.textContent).toContain('Trying again in 9 s.');
    expect(announce(container).textContent).toBe('Live updates paused — the server is not answering');
    act(() => manager.setStatus('feed', { state: 'connecting', reason: 'network', alert: true }));
    expect(box(container)).toBeTruthy(); // no flicker between attempts
    act(() => manager.setStatus('feed', { state: 'open', reason: 'none', alert: false }));
    expect(box(container)).toBe(null);
    expect(announce(container).textContent).toBe('');
  });

  it('appears for a stall past the grace time while the stream is still open, and goes at the next data', () => {
    const { manager, container } = mount(h(ReconnectionAlert, { channel: 'feed' }));
    act(() => manager.setStatus('feed', { state: 'open', reason: 'none', stale: true, alert: false }));
    expect(box(container)).toBe(null); // stale only: the indicator says so, no alert yet
    act(() => manager.setStatus('feed', { state: 'open', reason: 'none', stale: true, alert: true }));
    const alert = box(container);
    expect(alert.querySelector('.lifeline-alert__title').textContent).toBe('Live updates paused — no data is arriving');
    expect(alert.textContent).toContain('Still connected; reconnecting if nothing arrives.');
    act(() => manager.setStatus('feed', { state: 'open', reason: 'none', stale: false, alert: false }));
    expect(box(container)).toBe(null);
  });

  it('"Retry now" calls retryNow at once, and focus returns when the alert goes', () => {
    const { manager, container } = mount(h('div', null,
      h('button', { type: 'button', id: 'outside' }, 'elsewhere'),
      h(ReconnectionAlert, { channel: 'feed' })));
    act(() => manager.setStatus('feed', { state: 'circuit-open', reason: 'circuit-open', reconnectInMs: 5000, alert: true, lastError: { reason: 'http-5xx', httpStatus: 503, message: 'server error' } }));
    expect(box(container).querySelector('.lifeline-alert__title').textContent).toBe('Live updates paused — the server is having trouble');
    const details = box(container).querySelector('.lifeline-alert__details');
    expect(details.textContent).toContain('HTTP 503');
    expect(details.textContent).toContain('circuit breaker'); // the jargon stays in the details
    const outside = container.querySelector('#outside');
    outside.focus();
    const button = screen.getByRole('button', { name: 'Retry now' });
    button.focus();
    expect(document.activeElement).toBe(button); // keyboard reachable
    fireEvent.click(button);
    expect(manager.calls.retryNow).toEqual(['feed']);
    act(() => manager.setStatus('feed', { state: 'open', reason: 'none', alert: false }));
    expect(box(container)).toBe(null);
    expect(document.activeElement).not.toBe(document.body);
    expect(document.activeElement).toBe(outside); // where it was before it entered the alert
    // Without an earlier focus, the alert's host takes it.
    act(() => manager.setStatus('feed', { state: 'reconnecting', reason: 'network', reconnectInMs: 1000, alert: true }));
    outside.blur();
    screen.getByRole('button', { name: 'Retry now' }).focus();
    act(() => manager.setStatus('feed', { state: 'open', reason: 'none', alert: false }));
    expect([outside, container.querySelector('.lifeline-alert-host')]).toContain(document.activeElement);
  });

  it('a failure: distinct words, "Sign in" for 401 from the app, "Retry now" for the others', () => {
    const onSignIn = vi.fn();
    const { manager, container } = mount(h(ReconnectionAlert, { channel: 'feed', onSignIn }));
    act(() => manager.setStatus('feed', { state: 'failed', alert: true, reason: 'auth', lastError: { reason: 'auth', httpStatus: 401, message: 'not authorised' } }));
    expect(box(container).className).toContain('lifeline-alert--failed');
    expect(box(container).querySelector('.lifeline-alert__title').textContent).toBe('Live updates stopped — you are not signed in, or your session expired');
    expect(box(container).textContent).toContain('will not resume by themselves');
    expect(box(container).querySelector('.lifeline-alert__details').textContent).toContain('HTTP 401');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(onSignIn).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('button', { name: 'Retry now' })).toBe(null);
    act(() => manager.setStatus('feed', { state: 'failed', alert: true, reason: 'not-found', lastError: { reason: 'not-found', httpStatus: 404, message: 'stream not found' } }));
    expect(box(container).querySelector('.lifeline-alert__title').textContent).toBe('Live updates stopped — the stream no longer exists');
    fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(manager.calls.retryNow).toEqual(['feed']);
  });

  it('accepts a per-state title and a render slot for the action', () => {
    const { manager, container } = mount(h(ReconnectionAlert, {
      channel: 'feed', title: (s) => `Feed ${s.state}`,
      renderAction: (s, retry) => h('button', { type: 'button', onClick: retry }, `Reconnect ${s.reason}`),
    }));
    act(() => manager.setStatus('feed', { state: 'failed', alert: true, reason: 'auth', lastError: { reason: 'auth', httpStatus: 401, message: 'not authorised' } }));
    expect(container.querySelector('.lifeline-alert__title').textContent).toBe('Feed failed');
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect auth' }));
    expect(manager.calls.retryNow).toEqual(['feed']);
  });
});

describe('<SSEProgressBar>', () => {
  it('renders six stages with progressbar semantics', () => {
    const { manager, container } = mount(h(SSEProgressBar, { channel: 'analysis' }));
    const bar = screen.getByRole('progressbar', { name: 'Analysis progress' });
    expect(bar.getAttribute('aria-valuemax')).toBe('6');
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    expect(container.querySelectorAll('.lifeline-progress__stage')).toHaveLength(6);
    act(() => manager.emit('analysis', 'analysis:start', { ward: 'Old Town' }));
    act(() => manager.emit('analysis', 'progress', { stage: 3, total: 6, message: 'Processing Data for Old Town…' }));
    expect(bar.getAttribute('aria-valuenow')).toBe('3');
    expect(bar.getAttribute('aria-valuetext')).toBe('Stage 3 of 6: Processing Data');
    const stages = [...container.querySelectorAll('.lifeline-progress__stage')];
    expect(stages.map((s) => s.className.split('--')[1])).toEqual(['done', 'done', 'active', 'pending', 'pending', 'pending']);
    expect(stages[2].getAttribute('aria-current')).toBe('step');
    expect(container.querySelector('.lifeline-progress__fill').style.width).toBe('33%');
    act(() => manager.emit('analysis', 'analysis:error', { message: 'backend failed' }));
    expect(container.querySelector('.lifeline-progress').dataset.state).toBe('error');
    expect(container.querySelector('.lifeline-progress__message').textContent).toContain('backend failed');
  });
});

describe('<StreamingDataDisplay>', () => {
  it('lists the latest events newest first in a log region, bounded by max', () => {
    vi.useFakeTimers();
    const { manager, container } = mount(h(StreamingDataDisplay, {
      channel: 'feed', max: 3, ms: 100, renderItem: (e, d) => `${e.type}#${d.n}`,
    }));
    expect(container.textContent).toContain('Waiting for events');
    act(() => { for (let n = 1; n <= 5; n++) manager.emit('feed', 'poll', { n }, String(n)); });
    act(() => vi.advanceTimersByTime(100));
    const log = screen.getByRole('list', { name: 'Live events' });
    expect(log.getAttribute('aria-live')).toBe(null); // not every event is announced
    expect([...log.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['poll#5', 'poll#4', 'poll#3']);
  });

  it('marks a reconnection and folds its catch-up burst into the marker, keeping what it showed', () => {
    vi.useFakeTimers();
    const { manager, container } = mount(h(StreamingDataDisplay, { channel: 'feed', max: 5, ms: 100, renderItem: (e, d) => `n${d.n}` }));
    act(() => manager.setStatus('feed', { state: 'open', since: 1000 }));
    act(() => { for (let n = 1; n <= 3; n++) manager.emit('feed', 'poll', { n }, String(n)); });
    act(() => vi.advanceTimersByTime(100));
    act(() => manager.setStatus('feed', { state: 'reconnecting', outageSince: 5000, alert: true }));
    act(() => manager.setStatus('feed', { state: 'open', since: 20000, outageSince: null, alert: false }));
    act(() => { for (let n = 4; n <= 61; n++) manager.emit('feed', 'poll', { n }, String(n), { caughtUp: true }); });
    act(() => manager.emit('feed', 'poll', { n: 62 }, '62'));
    act(() => vi.advanceTimersByTime(100));
    const list = screen.getByRole('list', { name: 'Live events' });
    const top = [...list.children].map((li) => (li.className.includes('marker') ? li.querySelector('summary').textContent : li.textContent));
    expect(top).toEqual(['n62', 'Reconnected after 15 s — 58 events caught up', 'n3', 'n2', 'n1']);
    const marker = list.querySelector('.lifeline-stream__marker--resumed');
    expect(marker.dataset.count).toBe('58');
    expect(marker.querySelectorAll('.lifeline-stream__caught-up li')).toHaveLength(5); // bounded by max
    // Announced once, when it settled; the events themselves are not announced.
    const said = container.querySelector('.lifeline-stream__announce');
    act(() => vi.advanceTimersByTime(1000));
    expect(said.textContent).toBe('Reconnected after 15 s — 58 events caught up');
  });

  it('marks a silence that ended in the same stream', () => {
    vi.useFakeTimers();
    const { manager } = mount(h(StreamingDataDisplay, { channel: 'feed', ms: 100, renderItem: (e, d) => `n${d.n}` }));
    act(() => manager.setStatus('feed', { state: 'open', since: 1000 }));
    act(() => manager.emit('feed', 'poll', { n: 1 }, '1'));
    act(() => manager.setStatus('feed', { state: 'open', stale: true, outageSince: 2000, lastByteAt: 2000 }));
    act(() => manager.setStatus('feed', { state: 'open', stale: false, outageSince: null, lastByteAt: 8000 }));
    act(() => vi.advanceTimersByTime(100));
    expect(screen.getByText('No data for 6 s, then the stream went on')).toBeTruthy();
  });

  it('keys items per delivery: repeated ids (an id-less event carries the last id) all show, without key warnings', () => {
    vi.useFakeTimers();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { manager } = mount(h(StreamingDataDisplay, { channel: 'feed', ms: 100, renderItem: (e, d) => `${e.id}:${d.n}` }));
    act(() => {
      manager.emit('feed', 'poll', { n: 1 }, '5');
      manager.emit('feed', 'poll', { n: 2 }, '5'); // no id field: EventSource's lastEventId stays 5
      manager.emit('feed', 'poll', { n: 3 }, '');
      manager.emit('feed', 'poll', { n: 4 }, '');
    });
    act(() => vi.advanceTimersByTime(100));
    const items = [...screen.getByRole('list', { name: 'Live events' }).querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual([':4', ':3', '5:2', '5:1']);
    expect(errors.mock.calls.filter((c) => /same key/.test(String(c[0])))).toEqual([]);
  });

  it('keeps each item\'s DOM node while newer events arrive (a stable key per delivery)', () => {
    vi.useFakeTimers();
    const { manager } = mount(h(StreamingDataDisplay, { channel: 'feed', ms: 100, max: 3, renderItem: (e, d) => `n${d.n}` }));
    const nodeOf = (text) => [...screen.getByRole('list', { name: 'Live events' }).querySelectorAll('li')].find((li) => li.textContent === text);
    act(() => manager.emit('feed', 'poll', { n: 1 }, ''));
    act(() => vi.advanceTimersByTime(100));
    const first = nodeOf('n1');
    expect(first).toBeTruthy();
    for (let n = 2; n <= 3; n++) {
      act(() => manager.emit('feed', 'poll', { n }, ''));
      act(() => vi.advanceTimersByTime(100));
      expect(nodeOf('n1')).toBe(first);
    }
    act(() => manager.emit('feed', 'poll', { n: 4 }, ''));
    act(() => vi.advanceTimersByTime(100));
    expect(nodeOf('n1')).toBeUndefined(); // bounded by max
  });
});

describe('<ServiceHealthPanel>', () => {
  it('shows each service and a degraded-mode notice', () => {
    const router = createFakeRouter(['analyst-a', 'analyst-b']);
    const { container } = mount(h(ServiceHealthPanel), { router });
    expect(container.querySelectorAll('.lifeline-health__service')).toHaveLength(2);
    const notice = container.querySelector('.lifeline-health__notice');
    expect(notice.getAttribute('role')).toBe('status');
    expect(notice.textContent).toBe('');
    act(() => router.setHealth('analyst-a', { state: 'down', lastError: 'HTTP 503' }));
    expect(notice.textContent).toBe('Analyst-a is down; requests go to the other services.');
    const down = container.querySelector('[data-state="down"]');
    expect(down.textContent).toContain('HTTP 503');
    expect(down.textContent).toContain('not answering');
    expect(down.textContent).not.toContain('p50'); // no figures from before it went down
    expect(down.textContent).not.toContain('errors');
    expect(container.querySelector('.lifeline-health').className).toContain('lifeline-health--degraded');
  });

  it('tells "recovering — k of n checks ok", and the truth when every service is down', () => {
    const router = createFakeRouter(['gemini', 'llama']);
    const { container } = mount(h(ServiceHealthPanel), { router });
    const notice = container.querySelector('.lifeline-health__notice');
    act(() => router.setHealth('gemini', { state: 'down', lastError: 'network error' }));
    act(() => router.setHealth('llama', { state: 'down', lastError: 'timeout after 2000 ms' }));
    expect(notice.textContent).toBe('No AI service is available; retrying.');
    act(() => router.setHealth('gemini', { state: 'degraded', recovering: { ok: 1, of: 3 } }));
    const gemini = container.querySelector('[data-state="recovering"]');
    expect(gemini.querySelector('.lifeline-health__state').textContent).toBe('Recovering — 1 of 3 checks ok');
    expect(notice.textContent).toBe('Llama is down; gemini is recovering; requests go to the other services.');
    act(() => router.setHealth('gemini', { state: 'healthy', recovering: null }));
    act(() => router.setHealth('llama', { state: 'healthy', lastError: null }));
    expect(notice.textContent).toBe('');
  });
});

describe('<SSEErrorBoundary>', () => {
  it('shows a fallback and allows a limited number of retries', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    let renders = 0;
    function Broken() { renders++; throw new Error('bad frame'); }
    const onError = vi.fn();
    render(h(SSEErrorBoundary, { maxRetries: 2, onError }, h(Broken)));
    expect(screen.getByRole('alert').textContent).toContain('bad frame');
    fireEvent.click(screen.getByRole('button', { name: /Try again \(2 tries left\)/ }));
    fireEvent.click(screen.getByRole('button', { name: /Try again \(1 try left\)/ }));
    expect(screen.queryByRole('button')).toBe(null);
    expect(screen.getByRole('alert').textContent).toContain('Please reload');
    expect(onError).toHaveBeenCalledTimes(3);
    spy.mockRestore();
    expect(renders).toBeGreaterThanOrEqual(3);
  });

  it('recovers when the child stops throwing, and supports a fallback function', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    let fail = true;
    function Flaky() { if (fail) throw new Error('once'); return h('p', null, 'recovered'); }
    render(h(SSEErrorBoundary, {
      fallback: ({ error, retry, retriesLeft }) => h('button', { type: 'button', onClick: () => { fail = false; retry(); } }, `${error.message}:${retriesLeft}`),
    }, h(Flaky)));
    fireEvent.click(screen.getByRole('button', { name: 'once:3' }));
    expect(screen.getByText('recovered')).toBeTruthy();
    spy.mockRestore();
  });
});
