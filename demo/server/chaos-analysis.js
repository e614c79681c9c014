/**
 * Figures of a chaos run from its records: the faults (start and end, server time), the page's
 * journal (sentinel progress [channel, t, lastId, streamSerial] and status changes [channel, t,
 * state, reason, streamSerial]) and each channel's log (id, ts). Pure: the soak's JSON is built
 * from these, and the report from the JSON.
 *
 * Recovery of a fault: the first new event the channel delivers at or after the fault's end; for
 * a disrupting fault (drop, 5xx, truncation, restart, overlap, rebind, offline) it must come from
 * a stream opened after the fault began (an event read from the old stream is not a recovery).
 */
import { FAULT_KINDS } from './chaos-schedule.js';

/** Nearest-rank percentile of a list of numbers (null when empty). */
export function percentile(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export function summarize(values) {
  return {
    n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : null,
  };
}

/**
 * Splits the journal by channel: { progress: [[t, lastId, serial]], status: [[t, state, reason,
 * serial]], streams: [[t, server stream id]] }[].
 */
export function byChannel(journal, channels) {
  const out = Array.from({ length: channels }, () => ({ progress: [], status: [], streams: [] }));
  for (const [c, t, id, serial] of journal.progress) out[c].progress.push([t, id, serial]);
  for (const [c, t, state, reason, serial] of journal.status) out[c].status.push([t, state, reason, serial]);
  for (const [c, t, stream] of journal.streams ?? []) out[c].streams.push([t, stream]);
  return out;
}

/**
 * Whether a queued fault that took effect on server stream `clientId` hit the stream the channel
 * reads: a truncation the one it read at the cut, an overlap the next one it read. Another one
 * is a stream left over from before a rebind (lingering) or a late reconnect of it.
 */
export function hitChannel(f, track) {
  if (f.clientId === undefined || f.clientId === null || !track.streams?.length) return true;
  if (f.kind === 'truncate') return (track.streams.filter(([t]) => t <= f.end).at(-1)?.[1] ?? null) === f.clientId;
  if (f.kind === 'overlap') return (track.streams.find(([t]) => t >= f.end)?.[1] ?? null) === f.clientId;
  return true;
}

/** The page's stream serial at time t (streams opened up to t). */
export function serialAt(track, t) {
  let s = 0;
  for (const [ts, , , serial] of track.status) {
    if (ts > t) break;
    s = serial;
  }
  return s;
}

/** The first progress entry at or after `from` (on a stream newer than `serial` when given). */
export function firstProgress(track, from, serial = -1) {
  return track.progress.find(([t, , s]) => t >= from && s > serial) ?? null;
}

/**
 * One record per fault and channel it hit: {id, kind, channel, start, end, recoveredAt,
 * recoveryMs (null: not recovered), stallDetectMs (stalls)}.
 */
export function recoveries(faults, tracks) {
  const out = [];
  for (const f of faults) {
    if (f.end === null) continue; // a queued fault that never took effect
    const def = FAULT_KINDS[f.kind];
    const hit = f.channel < 0 ? tracks.map((_, i) => i) : [f.channel];
    for (const c of hit) {
      const track = tracks[c];
      if (!hitChannel(f, track)) {
        out.push({ id: f.id, kind: f.kind, channel: c, start: f.start, end: f.end, otherStream: true, recoveredAt: null, recoveryMs: null });
        continue;
      }
      const p = firstProgress(track, f.end, def.disrupting ? serialAt(track, f.start) : -1);
      const rec = { id: f.id, kind: f.kind, channel: c, start: f.start, end: f.end, recoveredAt: p ? p[0] : null, recoveryMs: p ? p[0] - f.end : null };
      if (f.kind === 'stall') {
        const d = track.status.find(([t, , reason]) => t >= f.start && t <= f.end + 5000 && reason === 'stall');
        rec.stallDetectMs = d ? d[0] - f.start : null;
      }
      out.push(rec);
    }
  }
  return out;
}

/**
 * The slowest recoveries (unrecovered first), each with the channel's status changes from the
 * fault's start to its recovery (times relative to the start): what the client did meanwhile.
 */
export function slowest(recs, tracks, n = 12) {
  const key = (r) => (r.recoveryMs === null ? Infinity : r.recoveryMs);
  return [...recs].sort((a, b) => key(b) - key(a)).slice(0, n).map((r) => ({
    ...r,
    trace: tracks[r.channel].status
      .filter(([t]) => t >= r.start && t <= (r.recoveredAt ?? Infinity))
      .slice(0, 24).map(([t, state, reason]) => `${t - r.start}:${state}:${reason}`),
  }));
}

/** Figures per fault kind: recovery times (fault end to first resumed event) and success rate. */
export function perKind(recs) {
  const kinds = [...new Set(recs.map((r) => r.kind))].sort();
  const table = {};
  for (const k of kinds) {
    const all = recs.filter((r) => r.kind === k);
    const rs = all.filter((r) => !r.otherStream);
    const ok = rs.filter((r) => r.recoveryMs !== null);
    table[k] = { hits: rs.length, recovered: ok.length, otherStream: all.length - rs.length, ...summarize(ok.map((r) => r.recoveryMs)) };
  }
  return table;
}

/** The id of the last event the log had appended at time t (0: none). */
export function lastIdAt(log, t) {
  let lo = 0;
  let hi = log.length; // log: [[id, ts]] in id order
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (log[mid][1] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo ? log[lo - 1][0] : 0;
}

/**
 * Heal after a burst: from the end of the last fault until the channel is caught up on a stream
 * opened after the last disrupting fault began: the first delivery at or after that end whose id
 * is at least the log's last id `liveMs` before the delivery. Returns {lastEnd, healedAt, healMs}.
 */
export function healTime(faults, track, log, liveMs = 250) {
  if (!faults.length) return { lastEnd: null, healedAt: null, healMs: null };
  const lastEnd = Math.max(...faults.map((f) => f.end));
  const disrupting = faults.filter((f) => FAULT_KINDS[f.kind].disrupting);
  const serial = disrupting.length ? serialAt(track, Math.max(...disrupting.map((f) => f.start))) : -1;
  const p = track.progress.find(([t, id, s]) => t >= lastEnd && s > serial && id >= lastIdAt(log, t - liveMs));
  return { lastEnd, healedAt: p ? p[0] : null, healMs: p ? p[0] - lastEnd : null };
}

/**
 * The bound a heal must meet: 5 s after the last fault, or 1 s after the last Retry-After
 * expired, whichever is later (a 503 asks the client to stay away that long).
 */
export function healBoundMs(faults, lastEnd, baseMs = 5000) {
  let bound = baseMs;
  for (const f of faults) if (f.kind === '503') bound = Math.max(bound, f.end + f.params.retryAfter * 1000 + 1000 - lastEnd);
  return bound;
}
