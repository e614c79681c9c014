/**
 * Status UI. Unstyled: every element carries a `lifeline-*` class (and data-state) for the app's
 * CSS; js/react/lifeline.css is an optional default look. Status changes are announced through
 * polite live regions; the per-second countdown sits outside them so it is not read every second.
 */
import { createElement as h } from 'react';
import { ANALYSIS_STAGES, useCountdown, useSSEBuffer, useSSEManager, useSSEProgress, useSSEStatus, useServiceHealth } from './hooks.js';
import { errorText, parseData } from './stores.js';

const cx = (...names) => names.filter(Boolean).join(' ');

/** Short human text per connection state. */
export const STATUS_LABELS = Object.freeze({
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  'circuit-open': 'Paused after repeated failures',
  failed: 'Connection failed',
  closed: 'Disconnected',
  idle: 'Not connected',
});

/** The sentence a status snapshot stands for, without the countdown. */
export function describeStatus(status, labels = STATUS_LABELS) {
  const base = labels[status.state] ?? status.state;
  if (status.state === 'reconnecting' && status.attempt > 0) return `${base} (attempt ${status.attempt})`;
  if (status.state === 'failed' && status.lastError) return `${base}: ${errorText(status.lastError)}`;
  if (status.state === 'offline') return `${base}, waiting for the network`;
  return base;
}

function countdownText(seconds) {
  return seconds === null ? null : seconds === 0 ? 'retrying now' : `next try in ${seconds} s`;
}

/** A coloured dot and a sentence for one channel's status, e.g. "Reconnecting (attempt 2) · next try in 3 s". */
export function SSEStatusIndicator({ channel, label, labels, className, showCountdown = true }) {
  const status = useSSEStatus(channel);
  const seconds = useCountdown(status);
  const countdown = showCountdown ? countdownText(seconds) : null;
  return h('div', { className: cx('lifeline-status', `lifeline-status--${status.state}`, className), 'data-state': status.state },
    h('span', { className: 'lifeline-status__dot', 'aria-hidden': 'true' }),
    h('span', { className: 'lifeline-status__text', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
      label ? h('span', { className: 'lifeline-status__label' }, `${label}: `) : null,
      describeStatus(status, labels)),
    countdown ? h('span', { className: 'lifeline-status__countdown' }, ` · ${countdown}`) : null);
}

const ALERT_STATES = ['reconnecting', 'offline', 'circuit-open', 'failed'];
const ALERT_TITLES = {
  reconnecting: 'Live updates interrupted',
  offline: 'You are offline',
  'circuit-open': 'Live updates paused',
  failed: 'Live updates stopped',
};

/** Shown while `channel` is not live (by default: reconnecting, offline, circuit-open, failed), with a "Retry now" button. */
export function ReconnectionAlert({ channel, states = ALERT_STATES, className, title, children, retryLabel = 'Retry now' }) {
  const status = useSSEStatus(channel);
  const manager = useSSEManager();
  const seconds = useCountdown(status);
  if (!states.includes(status.state)) return null;
  const detail = status.state === 'failed' || status.state === 'circuit-open'
    ? errorText(status.lastError)
    : countdownText(seconds) && `Reconnecting automatically, ${countdownText(seconds)}${status.attempt ? ` (attempt ${status.attempt})` : ''}.`;
  return h('div', { className: cx('lifeline-alert', `lifeline-alert--${status.state}`, className), role: 'alert', 'data-state': status.state },
    h('div', { className: 'lifeline-alert__body' },
      h('strong', { className: 'lifeline-alert__title' },
        (typeof title === 'function' ? title(status) : title) ?? ALERT_TITLES[status.state] ?? describeStatus(status)),
      detail ? h('span', { className: 'lifeline-alert__detail' }, ` ${detail}`) : null,
      children),
    h('button', {
      type: 'button',
      className: 'lifeline-alert__retry',
      disabled: !manager,
      onClick: () => manager?.retryNow(channel),
    }, retryLabel));
}

/** The 6-stage analysis progress of `channel` (or of a `progress` value from useSSEProgress). */
export function SSEProgressBar({ channel, progress, stages = ANALYSIS_STAGES, className, label = 'Analysis progress' }) {
  const fromChannel = useSSEProgress(progress ? null : channel);
  const p = progress ?? fromChannel;
  const total = p.total || stages.length;
  const done = p.done && !p.error;
  const current = done ? total : p.stage;
  const percent = Math.round(((done ? total : Math.max(0, current - (p.running ? 1 : 0))) / total) * 100);
  const state = p.error ? 'error' : done ? 'done' : p.running ? 'running' : 'idle';
  const valueText = p.error ? `Failed at stage ${current} of ${total}: ${p.error}`
    : done ? 'Complete' : current ? `Stage ${current} of ${total}: ${p.name ?? stages[current - 1] ?? ''}` : 'Not started';
  return h('div', { className: cx('lifeline-progress', `lifeline-progress--${state}`, className), 'data-state': state },
    h('div', {
      className: 'lifeline-progress__track', role: 'progressbar', 'aria-label': label,
      'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': current, 'aria-valuetext': valueText,
    }, h('div', { className: 'lifeline-progress__fill', style: { width: `${percent}%` } })),
    h('ol', { className: 'lifeline-progress__stages' },
      stages.map((name, i) => {
        const n = i + 1;
        const st = n < current || (done && n <= total) ? 'done' : n === current ? (p.error ? 'error' : 'active') : 'pending';
        return h('li', { key: name, className: cx('lifeline-progress__stage', `lifeline-progress__stage--${st}`),
          'aria-current': st === 'active' ? 'step' : undefined }, name);
      })),
    h('p', { className: 'lifeline-progress__message', role: 'status', 'aria-live': 'polite' },
      p.error ? `Analysis failed: ${p.error}` : p.message ?? ''));
}

function defaultRender(event) {
  const data = parseData(event.data);
  return h('span', null,
    h('span', { className: 'lifeline-stream__type' }, event.type),
    ' ',
    h('span', { className: 'lifeline-stream__data' }, typeof data === 'string' ? data : JSON.stringify(data)));
}

/**
 * The latest events of `channel`, newest first, re-rendered at most every `ms` (useSSEBuffer).
 * renderItem(event, parsedData) draws one item; a role="log" list announces additions politely.
 */
export function StreamingDataDisplay({ channel, events, mode = 'throttle', ms = 250, max = 20, renderItem, empty = 'Waiting for events…', className, label = 'Live events' }) {
  const { items, total, firstSeq } = useSSEBuffer(channel, { mode, ms, max, events });
  // Keyed by delivery number, not event.id: ids repeat (id-less events carry the last one).
  const list = items.map((event, i) => [firstSeq + i, event]).reverse();
  return h('div', { className: cx('lifeline-stream', className), 'data-total': total },
    list.length === 0
      ? h('p', { className: 'lifeline-stream__empty' }, empty)
      : h('ul', { className: 'lifeline-stream__list', role: 'log', 'aria-label': label, 'aria-live': 'polite' },
        list.map(([seq, event]) => h('li', { key: seq, className: cx('lifeline-stream__item', `lifeline-stream__item--${event.type}`) },
          (renderItem ?? defaultRender)(event, parseData(event.data))))));
}

const fmtMs = (v) => (v == null || Number.isNaN(v) ? '–' : `${Math.round(v)} ms`);
const fmtPct = (v) => (v == null || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(v < 0.1 ? 1 : 0)} %`);

/** Lists every AI service of the router with its state and latency, and a notice in degraded mode. */
export function ServiceHealthPanel({ className, title = 'AI services', renderExtra }) {
  const services = useServiceHealth();
  const unhealthy = services.filter((s) => s.state !== 'healthy');
  const down = unhealthy.filter((s) => s.state === 'down').map((s) => s.name);
  const slow = unhealthy.filter((s) => s.state !== 'down').map((s) => s.name);
  let notice = null;
  if (unhealthy.length) {
    const parts = [];
    if (down.length) parts.push(`${down.join(', ')} ${down.length > 1 ? 'are' : 'is'} down`);
    if (slow.length) parts.push(`${slow.join(', ')} ${slow.length > 1 ? 'are' : 'is'} degraded`);
    notice = `Degraded mode: ${parts.join('; ')}. Requests go to healthy services where one offers the same capability.`;
  }
  return h('section', { className: cx('lifeline-health', unhealthy.length ? 'lifeline-health--degraded' : 'lifeline-health--ok', className), 'aria-label': title },
    title ? h('h3', { className: 'lifeline-health__title' }, title) : null,
    h('div', { className: 'lifeline-health__notice', role: 'status', 'aria-live': 'polite' }, notice),
    services.length === 0
      ? h('p', { className: 'lifeline-health__empty' }, 'No services registered.')
      : h('ul', { className: 'lifeline-health__list' }, services.map((s) => h('li', {
        key: s.name, className: cx('lifeline-health__service', `lifeline-health__service--${s.state}`), 'data-state': s.state,
      },
      h('span', { className: 'lifeline-health__dot', 'aria-hidden': 'true' }),
      h('span', { className: 'lifeline-health__name' }, s.name),
      h('span', { className: 'lifeline-health__state' }, s.state),
      h('span', { className: 'lifeline-health__latency' }, `p50 ${fmtMs(s.p50Ms)} · p95 ${fmtMs(s.p95Ms)}`),
      h('span', { className: 'lifeline-health__errors' }, `errors ${fmtPct(s.errorRate)}`),
      s.lastError && s.state !== 'healthy' ? h('span', { className: 'lifeline-health__error' }, errorText(s.lastError)) : null,
      renderExtra ? renderExtra(s) : null))));
}
