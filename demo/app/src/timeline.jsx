/**
 * The demo's shared timeline: what the chaos panel did (fault markers), what the feed's status
 * was (segments, from manager.onStatus and a once-a-second check), and one sample a second of the
 * library's own figures (events from manager.getMetrics(), AI latency from router.getHealth()).
 * The chaos panel writes the causes, the charts draw the effects, on one time axis.
 */
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useRouter, useSSEManager } from 'lifeline-sse/react';
import { feedEvents } from './metrics.js';

export const WINDOW_MS = 90_000; // what the charts show
const KEEP_MS = WINDOW_MS + 5_000;
const SAMPLE_MS = 1000;

/** A list of fault markers { id, t, label, tone } with the store protocol. */
function createMarkers() {
  let list = [];
  let seq = 0;
  const listeners = new Set();
  return {
    mark(label, tone = 'fault') {
      const now = Date.now();
      list = [...list.filter((m) => m.t > now - KEEP_MS), { id: ++seq, t: now, label, tone }];
      for (const l of listeners) l();
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => list,
  };
}

/** What the status band shows for a status: its state, or 'stale' when the library says so. */
export function bandState(status) {
  if (!status) return 'connecting';
  if (status.state === 'open' && (status.stale || status.freshness === 'stale')) return 'stale';
  return status.state;
}

// Status segments { t, state } of `channel`, oldest first, pruned to the window.
function useStatusSegments(manager, channel) {
  const [segments, setSegments] = useState([]);
  useEffect(() => {
    if (!manager) return undefined;
    let last = null;
    const record = (status) => {
      const state = bandState(status);
      if (state === last) return;
      last = state;
      const now = Date.now();
      setSegments((s) => [...s.filter((x, i) => i === s.length - 1 || s[i + 1].t > now - KEEP_MS), { t: now, state }]);
    };
    record(manager.getConnectionStatus(channel));
    const off = manager.onStatus(channel, record);
    // Freshness can change without a state change: look once a second as well.
    const id = setInterval(() => record(manager.getConnectionStatus(channel)), SAMPLE_MS);
    return () => { off(); clearInterval(id); };
  }, [manager, channel]);
  return segments;
}

const RATE_SPAN = 3; // events per second over the last 3 samples: the feed's pace is 1 every 1.5 s

// One sample a second: feed events per second (library counter deltas) and AI latency.
function useSamples(manager, router) {
  const [samples, setSamples] = useState([]);
  useEffect(() => {
    if (!manager) return undefined;
    const counts = []; // [t, events] of the last RATE_SPAN + 1 samples
    const id = setInterval(() => {
      const now = Date.now();
      const events = feedEvents(manager.getMetrics());
      counts.push([now, events]);
      if (counts.length > RATE_SPAN + 1) counts.shift();
      const [t0, e0] = counts[0];
      const rate = counts.length > 1 && events != null && e0 != null ? Math.max(0, ((events - e0) * 1000) / (now - t0)) : null;
      const live = (router?.getHealth() ?? []).filter((s) => s.state !== 'down' && s.p50Ms != null);
      const sample = {
        t: now, rate,
        p50: live.length ? Math.min(...live.map((s) => s.p50Ms)) : null,
        p95: live.length ? Math.max(...live.map((s) => s.p95Ms ?? s.p50Ms)) : null,
      };
      setSamples((s) => [...s.filter((x) => x.t > now - KEEP_MS), sample]);
    }, SAMPLE_MS);
    return () => clearInterval(id);
  }, [manager, router]);
  return samples;
}

const TimelineContext = createContext(null);

/** Holds the markers, status segments and samples for everything below it. */
export function TimelineProvider({ channel = 'feed', children }) {
  const manager = useSSEManager();
  const router = useRouter();
  const markers = useMemo(createMarkers, []);
  const list = useSyncExternalStore(markers.subscribe, markers.getSnapshot, markers.getSnapshot);
  const segments = useStatusSegments(manager, channel);
  const samples = useSamples(manager, router);
  const value = useMemo(() => ({ mark: markers.mark, markers: list, segments, samples }), [markers, list, segments, samples]);
  return <TimelineContext.Provider value={value}>{children}</TimelineContext.Provider>;
}

/** { mark(label, tone), markers, segments, samples } of the nearest TimelineProvider. */
export function useTimeline() {
  const t = useContext(TimelineContext);
  if (!t) throw new Error('useTimeline must be used inside <TimelineProvider>');
  return t;
}
