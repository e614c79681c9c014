/**
 * A live feed's display list: events, and markers where the stream was interrupted ("Reconnected
 * after 15 s — 58 events caught up", "No data for 8 s", a server reset). A resumed stream's
 * catch-up burst (events with caughtUp) is folded into its marker, so a burst never pushes what
 * was shown out of a bounded list. Pure reducer plus the hook that feeds it; the manager marks
 * the events and the status, this only arranges them.
 */
import { useEffect, useReducer, useRef } from 'react';
import { useSSE, useSSEStatus } from './hooks.js';

/** Events kept inside one catch-up marker (its count goes on). */
export const MARKER_EVENTS = 200;

/** The feed before anything happened. */
export function initialFeed(max = 20) {
  return { max, entries: [], seq: 0, total: 0, outage: null, open: false, markers: 0 };
}

const secs = (ms) => (ms < 10000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000));

function withEntry(state, entry) {
  const entries = state.entries.concat(entry);
  if (entries.length > state.max) entries.splice(0, entries.length - state.max);
  return { ...state, entries, seq: state.seq + 1 };
}

function replaceLast(state, entry) {
  const entries = state.entries.slice();
  entries[entries.length - 1] = entry;
  return { ...state, entries };
}

/** The marker's sentence. */
export function markerText(m) {
  if (m.kind === 'reset') return 'The server restarted its history: earlier events may be missing';
  if (m.kind === 'silence') return m.ms === null ? 'The stream was silent for a while' : `No data for ${secs(m.ms)} s, then the stream went on`;
  const base = m.ms === null ? 'Reconnected' : `Reconnected after ${secs(m.ms)} s`;
  return m.count ? `${base} — ${m.count} event${m.count === 1 ? '' : 's'} caught up` : base;
}

/**
 * Folds one input into the feed: { type: 'event', event } or { type: 'status', status, now }.
 * Entries: { kind: 'event', key, event } and { kind: 'resumed' | 'silence' | 'reset', key, ms,
 * count, events }.
 */
export function feedReducer(state, input) {
  if (input.type === 'status') {
    const s = input.status;
    const live = s.state === 'open' && !s.stale;
    if (!live) {
      // An outage (or a silence) is running: remember its start for the marker.
      const since = s.outageSince ?? state.outage?.since ?? input.now;
      return { ...state, open: false, outage: { since, stale: s.state === 'open', dropped: state.outage?.dropped || s.state !== 'open' } };
    }
    if (!state.outage) return state.open ? state : { ...state, open: true };
    // Live again after an outage: a marker, which its catch-up events join. Its length in the
    // manager's clock: to the new stream's opening, or to the byte that ended a silence.
    const kind = state.outage.dropped ? 'resumed' : 'silence';
    const end = kind === 'silence' ? s.lastByteAt : s.since;
    const ms = state.outage.since === null || end === null || end === undefined ? null : Math.max(0, end - state.outage.since);
    return withEntry({ ...state, open: true, outage: null, markers: state.markers + 1 },
      { kind, key: `m${state.seq}`, ms, count: 0, events: [] });
  }
  const e = input.event;
  const last = state.entries[state.entries.length - 1];
  if (e.caughtUp && last?.kind === 'resumed') {
    const events = last.events.length >= MARKER_EVENTS ? last.events.slice(1) : last.events.slice();
    events.push(e);
    return { ...replaceLast(state, { ...last, count: last.count + 1, events }), total: state.total + 1 };
  }
  if (e.type === 'reset') {
    return { ...withEntry(state, { kind: 'reset', key: `m${state.seq}`, ms: 0, count: 0, events: [] }), total: state.total + 1, markers: state.markers + 1 };
  }
  return { ...withEntry(state, { kind: 'event', key: `e${state.seq}`, event: e }), total: state.total + 1 };
}

/**
 * The feed of `channel` as { entries, total, markers }, re-rendered at most every `ms` (default
 * 250). options: { max (entries kept, default 20), ms, events (types) }.
 */
export function useSSEFeed(channel, options = {}) {
  const { max = 20, ms = 250, events } = options;
  const [, render] = useReducer((n) => n + 1, 0);
  const ref = useRef(null);
  if (ref.current === null) ref.current = { state: initialFeed(max), timer: null, last: 0, dirty: false };
  const acc = ref.current;
  acc.state.max = Math.max(1, max | 0);
  const schedule = () => {
    acc.dirty = true;
    if (acc.timer !== null) return;
    const wait = Math.max(0, acc.last + ms - Date.now());
    acc.timer = setTimeout(() => {
      acc.timer = null;
      acc.last = Date.now();
      acc.dirty = false;
      render();
    }, wait);
  };
  useSSE(channel, (event) => {
    acc.state = feedReducer(acc.state, { type: 'event', event });
    schedule();
  }, { events });
  const status = useSSEStatus(channel);
  useEffect(() => {
    const before = acc.state;
    acc.state = feedReducer(acc.state, { type: 'status', status, now: Date.now() });
    if (acc.state.entries !== before.entries) schedule();
  }, [status]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    // Strict Mode re-mounts after a cleanup that cancelled a scheduled render: schedule it again.
    if (acc.dirty) schedule();
    return () => {
      if (acc.timer !== null) clearTimeout(acc.timer);
      acc.timer = null;
    };
  }, [acc]); // eslint-disable-line react-hooks/exhaustive-deps
  return acc.state;
}
