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
    expect(live.textContent).toBe('Feed: Connection failed: HTTP 401');
    expect(root.querySelector('.lifeline-status__countdown')).toBe(null);
  });

  it('describes every state', () => {
    for (const state of ['connecting', 'open', 'reconnecting', 'offline', 'circuit-open', 'failed', 'closed']) {
      expect(describeStatus({ state, attempt: 0 })).toMatch(/\w/);
    }
  });
});

describe('<ReconnectionAlert>', () => {
  it('appears while reconnecting and its button calls retryNow', () => {
    const { manager, container } = mount(h(ReconnectionAlert, { channel: 'feed' }));
    expect(container.querySelector('.lifeline-alert')).toBe(null);
    act(() => manager.setStatus('feed', { state: 'reconnecting', attempt: 1, reconnectInMs: 1000 }));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Live updates interrupted');
    expect(alert.textContent).toContain('next try in 1 s');
    const button = screen.getByRole('button', { name: 'Retry now' });
    expect(button.getAttribute('type')).toBe('button');
    button.focus();
    expect(document.activeElement).toBe(button); // keyboard reachable
    fireEvent.click(button);
    expect(manager.calls.retryNow).toEqual(['feed']);
    act(() => manager.setStatus('feed', { state: 'open', reconnectInMs: null }));
    expect(screen.queryByRole('alert')).toBe(null);
  });

  it('shows the reason of a failure and accepts a per-state title', () => {
    const { manager } = mount(h(ReconnectionAlert, { channel: 'feed', title: (s) => `Feed ${s.state}` }));
    act(() => manager.setStatus('feed', { state: 'failed', lastError: { reason: 'auth', httpStatus: 401, message: 'not authorised' } }));
    expect(screen.getByRole('alert').textContent).toContain('Feed failed');
    expect(screen.getByRole('alert').textContent).toContain('not authorised (HTTP 401)');
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
    const log = screen.getByRole('log');
    expect([...log.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['poll#5', 'poll#4', 'poll#3']);
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
    const items = [...screen.getByRole('log').querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual([':4', ':3', '5:2', '5:1']);
    expect(errors.mock.calls.filter((c) => /same key/.test(String(c[0])))).toEqual([]);
  });

  it('keeps each item\'s DOM node while newer events arrive (a stable key per delivery)', () => {
    vi.useFakeTimers();
    const { manager } = mount(h(StreamingDataDisplay, { channel: 'feed', ms: 100, max: 3, renderItem: (e, d) => `n${d.n}` }));
    const nodeOf = (text) => [...screen.getByRole('log').querySelectorAll('li')].find((li) => li.textContent === text);
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
    expect(notice.textContent).toMatch(/^Degraded mode: analyst-a is down/);
    expect(container.querySelector('[data-state="down"]').textContent).toContain('HTTP 503');
    expect(container.querySelector('.lifeline-health').className).toContain('lifeline-health--degraded');
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
