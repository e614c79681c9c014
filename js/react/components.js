/**
 * Status UI. Unstyled: every element carries a `lifeline-*` class (and data-state) for the app's
 * CSS; js/react/lifeline.css is an optional default look. Status changes are announced through
 * polite live regions; the per-second countdown sits outside them so it is not read every second.
 */
import { createElement as h, useEffect, useId, useRef, useState } from 'react';
import {
  ANALYSIS_STAGES, useCountdown, useSSEManager, useSSEProgress, useSSEStatus, useServiceHealth, useStaleSeconds,
} from './hooks.js';
import { useIsoLayoutEffect } from './provider.js';
import { errorText, parseData } from './stores.js';
import { actionKind, alertHeadline, describeStatus, nextStep, statusDetails, STATUS_LABELS } from './status-text.js';
import { markerText, useSSEFeed } from './feed.js';



const cx = (...names) => names.filter(Boolean).join(' ');

/** The states in which ReconnectionAlert may show (it shows only when status.alert says so; an
 * open stream carries it when it has been silent past the grace time). */
const ALERT_STATES = /* @__PURE__ */ Object.freeze(['open', 'connecting', 'reconnecting', 'offline', 'circuit-open', 'failed']);

/** A visually hidden style for live regions (an inline style, so it holds without the CSS). */
const HIDDEN = /* @__PURE__ */ Object.freeze({
  position: 'absolute', width: '1px', height: '1px', padding: 0, margin: '-1px', overflow: 'hidden',
  clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap', border: 0,
});

function countdownText(seconds) {
  return seconds === null ? null : seconds === 0 ? 'retrying now' : `next try in ${seconds} s`;
}

/**
 * A coloured dot and a few words for one channel: "Live", "No data for 12 s" (an open stream gone
 * silent, before the watchdog gives up), "Reconnecting · next try in 3 s", "Stopped: ...". The
 * words are a polite live region (announced on change); the ticking seconds are outside it.
 */
export function SSEStatusIndicator({ channel, label, labels, className, showCountdown = true }) {
  const status = useSSEStatus(channel);
  const seconds = useCountdown(status);
  const silent = useStaleSeconds(status);
  const countdown = showCountdown ? countdownText(seconds) : null;
  const state = status.state === 'open' && status.stale ? 'stale' : status.state;
  return h('div', { className: cx('lifeline-status', `lifeline-status--${state}`, className), 'data-state': state },
    h('span', { className: 'lifeline-status__dot', 'aria-hidden': 'true' }),
    h('span', { className: 'lifeline-status__text', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
      label ? h('span', { className: 'lifeline-status__label' }, `${label}: `) : null,
      describeStatus(status, labels)),
    silent !== null ? h('span', { className: 'lifeline-status__silence' }, ` for ${silent} s`) : null,
    countdown ? h('span', { className: 'lifeline-status__countdown' }, ` · ${countdown}`) : null);
}

/**
 * The alert for an outage worth one (the core's status.alert: longer than the grace time, or a
 * permanent failure); a blip that heals sooner shows in the indicator only. It never moves the
 * page: by default an overlay (layout "overlay"; "inline" reserves its space instead, for a slot
 * the app sized). The headline is announced once per change through a polite region that is
 * always mounted; the countdown is not in it. After "Retry now" takes the alert away, focus goes
 * back to where it was before it entered the alert (or to `returnFocus`, or the alert's host).
 * A failed channel that needs signing in shows `onSignIn` as its action ("Sign in"), or the
 * app's own through renderAction(status, retry).
 */
export function ReconnectionAlert({
  channel, states = ALERT_STATES, className, title, children, retryLabel = 'Retry now', onSignIn,
  signInLabel = 'Sign in', renderAction, returnFocus, layout = 'overlay', showDetails = true,
}) {
  const status = useSSEStatus(channel);
  const manager = useSSEManager();
  const seconds = useCountdown(status);
  const host = useRef(null);
  const box = useRef(null);
  const before = useRef(null);
  const shown = status.alert === true && states.includes(status.state);
  const headline = shown ? ((typeof title === 'function' ? title(status) : title) ?? alertHeadline(status)) : '';
  // When the alert goes while focus is in it (after "Retry now"), focus returns instead of
  // falling to <body>. Checked while rendering its removal (the DOM still has it), applied after.
  const hadFocus = useRef(false);
  if (!shown && box.current && typeof document !== 'undefined' && box.current.contains(document.activeElement)) {
    hadFocus.current = true;
  }
  useIsoLayoutEffect(() => {
    if (shown || !hadFocus.current) return;
    hadFocus.current = false;
    const now = document.activeElement;
    if (now && now !== document.body && now.isConnected) return; // the app moved it already
    const target = (typeof returnFocus === 'function' ? returnFocus() : returnFocus?.current)
      ?? (before.current?.isConnected ? before.current : null) ?? host.current;
    target?.focus?.();
  }, [shown]); // eslint-disable-line react-hooks/exhaustive-deps
  const retry = () => manager?.retryNow(channel);
  const kind = actionKind(status);
  let action;
  if (renderAction) action = renderAction(status, retry);
  else if (kind === 'auth' && onSignIn) {
    action = h('button', { type: 'button', className: 'lifeline-alert__action lifeline-alert__signin', onClick: () => onSignIn(status) }, signInLabel);
  } else {
    action = h('button', { type: 'button', className: 'lifeline-alert__retry', disabled: !manager, onClick: retry }, retryLabel);
  }
  const details = showDetails ? statusDetails(status) : '';
  const titleId = `lifeline-alert-${useId()}`;
  return h('div', {
    ref: host, tabIndex: -1, role: 'group', 'aria-label': 'Live updates',
    className: cx('lifeline-alert-host', `lifeline-alert-host--${layout}`), 'data-alert': shown ? status.state : 'none',
  },
  h('p', { className: 'lifeline-alert__announce', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', style: HIDDEN },
    typeof headline === 'string' ? headline : ''),
  shown ? h('section', {
    ref: box,
    className: cx('lifeline-alert', `lifeline-alert--${status.state}`, `lifeline-alert--${layout}`, className),
    'aria-labelledby': titleId, 'data-state': status.state,
    onFocus: (e) => { if (!box.current?.contains(e.relatedTarget)) before.current = e.relatedTarget ?? null; },
  },
  h('div', { className: 'lifeline-alert__body' },
    h('strong', { className: 'lifeline-alert__title', id: titleId }, headline),
    h('span', { className: 'lifeline-alert__detail' }, ` ${nextStep(status, seconds)}`),
    details ? h('details', { className: 'lifeline-alert__details' },
      h('summary', null, 'Details'), h('span', null, details)) : null,
    children),
  action) : null);
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

function defaultMarker(entry) {
  return markerText(entry);
}

// A polite announcement that waits for its text to settle (a catch-up marker counts up during the
// burst): said once, not per render.
function useSettled(text, ms) {
  const [said, setSaid] = useState('');
  useEffect(() => {
    const id = setTimeout(() => setSaid(text), ms);
    return () => clearTimeout(id);
  }, [text, ms]);
  return said;
}

/**
 * The latest events of `channel`, newest first, re-rendered at most every `ms` (useSSEFeed), with
 * a marker where the stream was interrupted: "Reconnected after 15 s — 58 events caught up" (the
 * catch-up burst folded into it, so a burst never pushes what was shown out of the `max` kept
 * entries), "No data for 8 s...", a server reset. renderItem(event, parsedData) draws one item,
 * renderMarker(entry) a marker. The list is not a live region: only markers are announced, once
 * each (announce="none" for no announcement).
 */
export function StreamingDataDisplay({
  channel, events, ms = 250, max = 20, renderItem, renderMarker, empty = 'Waiting for events…', className,
  label = 'Live events', announce = 'markers',
}) {
  const feed = useSSEFeed(channel, { max, ms, events });
  const list = feed.entries.slice().reverse();
  const marker = list.find((e) => e.kind !== 'event');
  const said = useSettled(marker && announce !== 'none' ? markerText(marker) : '', 1000);
  return h('div', { className: cx('lifeline-stream', className), 'data-total': feed.total, 'data-markers': feed.markers },
    h('p', { className: 'lifeline-stream__announce', role: 'status', 'aria-live': 'polite', style: HIDDEN }, said),
    list.length === 0
      ? h('p', { className: 'lifeline-stream__empty' }, empty)
      : h('ul', { className: 'lifeline-stream__list', 'aria-label': label },
        list.map((e) => (e.kind === 'event'
          ? h('li', { key: e.key, className: cx('lifeline-stream__item', `lifeline-stream__item--${e.event.type}`) },
            (renderItem ?? defaultRender)(e.event, parseData(e.event.data)))
          : h('li', { key: e.key, className: cx('lifeline-stream__marker', `lifeline-stream__marker--${e.kind}`), 'data-count': e.count },
            e.count
              ? h('details', null,
                h('summary', null, (renderMarker ?? defaultMarker)(e)),
                h('ul', { className: 'lifeline-stream__caught-up' },
                  e.events.slice(-max).reverse().map((ev, i) => h('li', { key: i, className: 'lifeline-stream__item' },
                    (renderItem ?? defaultRender)(ev, parseData(ev.data))))))
              : (renderMarker ?? defaultMarker)(e))))));
}

const fmtMs = (v) => (v == null || Number.isNaN(v) ? '–' : `${Math.round(v)} ms`);
const fmtPct = (v) => (v == null || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(v < 0.1 ? 1 : 0)} %`);

const list = (names) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);
const verb = (names, one, many) => (names.length > 1 ? many : one);

/** A service's state in words: "Healthy", "Recovering — 1 of 3 checks ok", "Degraded", "Down". */
export function serviceStateText(s) {
  if (s.recovering) return `Recovering — ${s.recovering.ok} of ${s.recovering.of} checks ok`;
  return { healthy: 'Healthy', degraded: 'Degraded', down: 'Down' }[s.state] ?? s.state;
}

/**
 * The panel's notice, true to the state of every service: null when all are healthy; "No AI
 * service is available; retrying." when none can answer; else who is down, degraded or
 * recovering, and that requests go to the others.
 */
export function healthNotice(services) {
  if (!services.length || services.every((s) => s.state === 'healthy')) return null;
  if (services.every((s) => s.state === 'down')) return 'No AI service is available; retrying.';
  const down = services.filter((s) => s.state === 'down').map((s) => s.name);
  const recovering = services.filter((s) => s.state !== 'down' && s.recovering).map((s) => s.name);
  const degraded = services.filter((s) => s.state === 'degraded' && !s.recovering).map((s) => s.name);
  const parts = [];
  if (down.length) parts.push(`${list(down)} ${verb(down, 'is', 'are')} down`);
  if (degraded.length) parts.push(`${list(degraded)} ${verb(degraded, 'is', 'are')} degraded`);
  if (recovering.length) parts.push(`${list(recovering)} ${verb(recovering, 'is', 'are')} recovering`);
  const text = parts.join('; ');
  const tail = down.length ? 'requests go to the other services.' : 'requests may be slower.';
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}; ${tail}`;
}

/**
 * Every AI service of the router with its state in words (recovering with its checks), latency
 * and error rate of the recent calls, and a notice that is true to them. A down service shows
 * what it last answered, not figures from before it went down.
 */
export function ServiceHealthPanel({ className, title = 'AI services', renderExtra }) {
  const services = useServiceHealth();
  const notice = healthNotice(services);
  return h('section', { className: cx('lifeline-health', notice ? 'lifeline-health--degraded' : 'lifeline-health--ok', className), 'aria-label': title },
    title ? h('h3', { className: 'lifeline-health__title' }, title) : null,
    h('div', { className: 'lifeline-health__notice', role: 'status', 'aria-live': 'polite' }, notice),
    services.length === 0
      ? h('p', { className: 'lifeline-health__empty' }, 'No services registered.')
      : h('ul', { className: 'lifeline-health__list' }, services.map((s) => h('li', {
        key: s.name, className: cx('lifeline-health__service', `lifeline-health__service--${s.state}`, s.recovering && 'lifeline-health__service--recovering'),
        'data-state': s.recovering ? 'recovering' : s.state,
      },
      h('span', { className: 'lifeline-health__dot', 'aria-hidden': 'true' }),
      h('span', { className: 'lifeline-health__name' }, s.name),
      h('span', { className: 'lifeline-health__state' }, serviceStateText(s)),
      s.state === 'down'
        ? h('span', { className: 'lifeline-health__latency' }, 'not answering')
        : h('span', { className: 'lifeline-health__latency' }, `p50 ${fmtMs(s.p50Ms)} · p95 ${fmtMs(s.p95Ms)}`),
      s.state === 'down' ? null : h('span', { className: 'lifeline-health__errors' }, `errors ${fmtPct(s.errorRate)}`),
      s.lastError && s.state !== 'healthy' ? h('span', { className: 'lifeline-health__error' }, `last error: ${errorText(s.lastError)}`) : null,
      renderExtra ? renderExtra(s) : null))));
}
