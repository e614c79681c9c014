/**
 * Hooks over the provider's manager and router. Status and health are bound with
 * useSyncExternalStore (no tearing, a re-render only when the snapshot object changes); event
 * hooks subscribe in effects for the component's lifetime.
 */
import { useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import { useBinding, useIsoLayoutEffect, useLifelineState } from './provider.js';
import { PENDING_STATUS, constantStore, failedStatus, healthStoreOf, parseData, statusStoreOf } from './stores.js';

const getServerStatus = () => PENDING_STATUS;
const EMPTY_HEALTH = /* @__PURE__ */ Object.freeze([]);
const emptyHealthStore = /* @__PURE__ */ constantStore(EMPTY_HEALTH);

/** The manager of the nearest provider, or null while init() is pending. */
export function useSSEManager() {
  return useLifelineState('useSSEManager').manager;
}

/** The router of the nearest provider, or null while it is being created or when none was configured. */
export function useRouter() {
  return useLifelineState('useRouter').router;
}

/**
 * Calls handler(event) for every event on `channel` while the component is mounted.
 * The handler may change between renders without resubscribing. options: { events, priority, replay }.
 */
export function useSSE(channel, handler, options = {}) {
  const binding = useBinding('useSSE');
  const { manager } = useLifelineState('useSSE');
  const handlerRef = useRef(handler);
  useIsoLayoutEffect(() => {
    handlerRef.current = handler;
  });
  const { events, priority, replay } = options;
  const eventsKey = events ? [].concat(events).join('\u0000') : '';
  useEffect(() => {
    if (!manager || channel == null) return undefined;
    const cb = (event) => handlerRef.current?.(event);
    const subOptions = {};
    if (events) subOptions.events = [].concat(events);
    if (priority !== undefined) subOptions.priority = priority;
    if (replay !== undefined) subOptions.replay = replay;
    let subscribed = false;
    let off = null;
    const attempt = () => {
      try {
        off = manager.subscribe(channel, cb, subOptions);
        subscribed = true;
      } catch (err) {
        if (!isUnknownChannel(err)) throw err;
      }
    };
    const leave = () => {
      if (!subscribed) return;
      subscribed = false;
      if (typeof off === 'function') off();
      else manager.unsubscribe(channel, cb);
    };
    attempt();
    // A channel not connected yet is subscribed once the provider connects it. A channel the
    // provider removed took its subscribers with it: subscribe again when it comes back.
    const unlisten = binding.subscribe((change) => {
      if (change?.removed?.includes(channel)) leave();
      if (!subscribed) attempt();
    });
    return () => {
      unlisten();
      leave();
    };
    // `events` is tracked through eventsKey so an inline array does not resubscribe each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [binding, manager, channel, eventsKey, priority, replay]);
}

// The manager refuses subscriptions to a channel that connect() has not bound.
function isUnknownChannel(err) {
  return err?.code === 'LIFELINE_ERR_NOT_FOUND';
}

/** The connection status of `channel`; re-renders only when the status changes. */
export function useSSEStatus(channel) {
  const { manager, error } = useLifelineState('useSSEStatus');
  const store = useMemo(() => {
    if (manager) return statusStoreOf(manager, channel);
    return constantStore(error ? failedStatus(error) : PENDING_STATUS);
  }, [manager, channel, error]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, getServerStatus);
}

/**
 * Whole seconds until the next reconnection attempt of `channel` (null when none is scheduled),
 * ticking once a second. Kept apart from useSSEStatus so only the countdown re-renders each second.
 */
export function useReconnectCountdown(channel) {
  const status = useSSEStatus(channel);
  return useCountdown(status);
}

// When each status snapshot was first seen: every component showing the same snapshot counts
// down to the same deadline (an indicator and an alert never disagree by a second).
const firstSeen = /* @__PURE__ */ new WeakMap();
function seenAt(status) {
  if (!status || typeof status !== 'object') return Date.now();
  let t = firstSeen.get(status);
  if (t === undefined) firstSeen.set(status, (t = Date.now()));
  return t;
}

/** The countdown for a status snapshot already in hand. */
export function useCountdown(status) {
  const waiting = status.reconnectInMs != null && status.reconnectInMs > 0
    && (status.state === 'reconnecting' || status.state === 'circuit-open' || status.state === 'offline');
  // The deadline is fixed when this snapshot is first seen: a new snapshot means a new schedule.
  const deadline = useMemo(() => (waiting ? seenAt(status) + status.reconnectInMs : null), [status, waiting]);
  const [, tick] = useReducer((n) => n + 1, 0);
  useEffect(() => {
    if (deadline === null) return undefined;
    let id = null;
    // Re-render when the shown second changes, on the deadline's own second boundaries.
    const next = () => {
      const left = deadline - Date.now();
      if (left <= 0) return;
      id = setTimeout(() => { tick(); next(); }, (left % 1000) || 1000);
    };
    next();
    return () => clearTimeout(id);
  }, [deadline]);
  if (deadline === null) return null;
  return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
}

/**
 * Whole seconds of silence of a stale channel (status.stale), counted up once a second while it
 * lasts; null while the channel is not stale. Measured from the stale snapshot's threshold and
 * the time since it was first seen, so it needs no shared clock with the manager.
 */
export function useStaleSeconds(status) {
  const stale = status.state === 'open' && status.stale === true;
  // One silence, one count: a later status of the same silence (its last byte unchanged, e.g.
  // the alert coming after the grace time) must not restart it.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const since = useMemo(() => (stale ? seenAt(status) : null), [stale, status.lastByteAt]);
  const [, tick] = useReducer((n) => n + 1, 0);
  useEffect(() => {
    if (since === null) return undefined;
    const id = setInterval(tick, 1000);
    return () => clearInterval(id);
  }, [since]);
  if (since === null) return null;
  return Math.max(1, Math.floor(((status.staleAfterMs || 0) + Date.now() - since) / 1000));
}

/** The origin's analysis stages, in order (the progress events count them from 1): the default stage list. */
export const ANALYSIS_STAGES = /* @__PURE__ */ Object.freeze([
  'Initializing Analysis', 'Gathering Intelligence', 'Processing Data',
  'Analyzing Patterns', 'Generating Insights', 'Finalizing Report',
]);
/** The default event names of a progress stream: which SSE event type starts, advances, adds a section, ends or fails a run. */
export const PROGRESS_EVENTS = /* @__PURE__ */ Object.freeze({
  start: 'analysis:start', progress: 'progress', section: 'analysis:section', complete: 'analysis:complete', error: 'analysis:error',
});

/** The state before any event, for a list of `stages`. */
export function initialProgress(stages = ANALYSIS_STAGES) {
  return Object.freeze({
    stage: 0, total: stages.length, name: null, message: null, sections: Object.freeze([]),
    running: false, done: false, error: null, runId: null, ward: null,
  });
}
export const INITIAL_PROGRESS = /* @__PURE__ */ initialProgress();

/** A pure reducer folding progress events into the state, for the given stages and event names. */
export function progressReducer({ stages = ANALYSIS_STAGES, events = PROGRESS_EVENTS } = {}) {
  const names = { ...PROGRESS_EVENTS, ...events };
  const initial = initialProgress(stages);
  return (state, event) => {
    const d = parseData(event.data) ?? {};
    const data = typeof d === 'object' ? d : { message: String(d) };
    switch (event.type) {
      case names.start:
        return { ...initial, running: true, runId: data.runId ?? null, ward: data.ward ?? null,
          total: data.stages ?? stages.length, message: data.message ?? 'Starting analysis…' };
      case names.progress: {
        const stage = Number(data.stage) || state.stage;
        const total = Number(data.total) || state.total;
        return { ...state, running: true, stage, total,
          name: data.name ?? stages[stage - 1] ?? null, message: data.message ?? state.message };
      }
      case names.section:
        return { ...state, sections: [...state.sections, { title: data.title ?? '', content: data.content ?? '', stage: data.stage }] };
      case names.complete:
        return { ...state, stage: state.total, running: false, done: true, message: data.message ?? 'Analysis complete' };
      case names.error:
        return { ...state, running: false, done: true,
          error: data.message ?? data.error ?? 'Analysis failed', message: data.message ?? state.message };
      default:
        return state;
    }
  };
}

/** Folds one event of the default protocol into the progress state (pure; exported for tests and custom hooks). */
export const reduceProgress = /* @__PURE__ */ progressReducer();

const RESTART = /* @__PURE__ */ Object.freeze({ type: 'lifeline:restart' }); // by identity: no server event is it

/**
 * A staged progress stream on `channel` as { stage, total, name, message, sections, running, done,
 * error }. options: { stages (default ANALYSIS_STAGES), events (event names, default PROGRESS_EVENTS) }.
 * A new channel (or new stages/events) starts again from the initial state.
 */
export function useSSEProgress(channel, options = {}) {
  const { stages = ANALYSIS_STAGES, events } = options;
  const stagesKey = stages.join('\u0000');
  const eventsKey = events ? JSON.stringify(events) : '';
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const reducer = useMemo(() => {
    const reduce = events || stages !== ANALYSIS_STAGES ? progressReducer({ stages, events }) : reduceProgress;
    return (s, e) => (e === RESTART ? initialProgress(stages) : reduce(s, e));
  }, [stagesKey, eventsKey]);
  const [state, dispatch] = useReducer(reducer, stages, initialProgress);
  // Another channel (or protocol) is another run: start from the initial state in this render,
  // not after the old channel's progress was shown once more. No channel (null: stop listening)
  // keeps what the last one showed.
  const key = `${channel}\u0001${stagesKey}\u0001${eventsKey}`;
  const [shownKey, setShownKey] = useState(key);
  if (shownKey !== key && channel != null) {
    setShownKey(key);
    dispatch(RESTART);
  }
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const types = useMemo(() => Object.values({ ...PROGRESS_EVENTS, ...events }), [eventsKey]);
  useSSE(channel, dispatch, { events: types });
  return state;
}

const EMPTY_BUFFER = /* @__PURE__ */ Object.freeze({ latest: null, items: Object.freeze([]), total: 0, dropped: 0, firstSeq: 0 });

/**
 * Rate-limits re-renders from a busy channel. Returns { latest, items, total, dropped, firstSeq }:
 * items are the last `max` events (bounded), total counts every event seen, and items[i] is the
 * (firstSeq + i)-th delivery since mount: a stable React key (event ids repeat: an event without
 * an id field carries the last id, and a server may send the same id twice).
 *  mode 'throttle' (default): at most one render per `ms` (first event at once, last one kept);
 *  mode 'debounce': a render after `ms` without events (or after maxWaitMs, when given);
 *  mode 'buffer': a render when `max` new events are pending or `ms` after the first pending one.
 */
export function useSSEBuffer(channel, options = {}) {
  const { mode = 'throttle', ms = 250, max = 100, events, maxWaitMs } = options;
  const [snapshot, setSnapshot] = useState(EMPTY_BUFFER);
  const acc = useRef(null);
  if (acc.current === null) acc.current = { items: [], total: 0, dropped: 0, pending: 0, timer: null, last: -Infinity, first: 0 };
  const settings = useRef(null);
  settings.current = { mode, ms, max: Math.max(1, max | 0), maxWaitMs };

  const flush = useRef(null);
  flush.current = () => {
    const a = acc.current;
    if (a.timer !== null) { clearTimeout(a.timer); a.timer = null; }
    a.last = Date.now();
    if (a.pending === 0) return;
    a.pending = 0;
    setSnapshot({
      latest: a.items[a.items.length - 1], items: a.items.slice(), total: a.total, dropped: a.dropped, firstSeq: a.total - a.items.length,
    });
  };

  const onEvent = (event) => {
    const a = acc.current;
    const s = settings.current;
    a.items.push(event);
    if (a.items.length > s.max) { a.items.splice(0, a.items.length - s.max); a.dropped++; }
    a.total++;
    if (a.pending++ === 0) a.first = Date.now();
    const now = Date.now();
    if (s.mode === 'debounce') {
      if (a.timer !== null) clearTimeout(a.timer);
      a.timer = null;
      if (s.maxWaitMs != null && now - a.first >= s.maxWaitMs) return flush.current();
      a.timer = setTimeout(() => flush.current(), s.ms);
    } else if (s.mode === 'buffer') {
      if (a.pending >= s.max) return flush.current();
      if (a.timer === null) a.timer = setTimeout(() => flush.current(), s.ms);
    } else if (a.timer === null) {
      const wait = a.last + s.ms - now;
      if (wait <= 0) flush.current();
      a.timer = setTimeout(() => flush.current(), wait <= 0 ? s.ms : wait);
    }
    return undefined;
  };
  useSSE(channel, onEvent, { events });
  useEffect(() => {
    const a = acc.current;
    // Strict Mode re-mounts after a cleanup that cancelled a scheduled flush: reschedule it.
    if (a.pending > 0 && a.timer === null) a.timer = setTimeout(() => flush.current(), settings.current.ms);
    return () => {
      if (a.timer !== null) clearTimeout(a.timer);
      a.timer = null;
    };
  }, []);
  return snapshot;
}

/** manager.getMetrics() re-read every intervalMs (default 1000); null until the manager exists. */
export function useSSEMetrics(intervalMs = 1000) {
  const { manager } = useLifelineState('useSSEMetrics');
  const [metrics, setMetrics] = useState(null);
  useEffect(() => {
    if (!manager) return undefined;
    const read = () => setMetrics(manager.getMetrics());
    read();
    const id = setInterval(read, Math.max(50, intervalMs));
    return () => clearInterval(id);
  }, [manager, intervalMs]);
  return metrics;
}

/**
 * Per-service health of the provider's router as an array of
 * { name, state, p50Ms, p95Ms, errorRate, lastError, since }; empty until a router exists. Bound
 * to the router's store protocol (subscribe/getSnapshot): a new array only when a figure changes.
 */
export function useServiceHealth() {
  const { router } = useLifelineState('useServiceHealth');
  const store = router ? healthStoreOf(router) : emptyHealthStore;
  return useSyncExternalStore(store.subscribe, store.getSnapshot, () => EMPTY_HEALTH);
}
