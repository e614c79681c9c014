/**
 * Seeded fault schedules for the chaos soak (e2e/soak.spec.js): the same seed gives the same
 * faults at the same offsets, so a failing run is replayed with its seed. Pure: no I/O.
 *
 * Channel faults are applied by the channel's reference server; page faults (offline, hide,
 * freeze) by the browser driver and hit every channel. Faults that last (stall, drip, restart,
 * page faults) never overlap another lasting fault on the same channel, so each one's end is
 * well defined.
 */
import { prng } from './http-util.js';

/** scope: 'channel' | 'page'; disrupting: recovery needs a new stream; params(rnd) -> options. */
export const FAULT_KINDS = {
  drop: { scope: 'channel', disrupting: true, params: () => ({}) },
  stall: { scope: 'channel', disrupting: false, lasts: true, params: (r, o) => ({ ms: between(r, o.stallMs ?? [2500, 4000]) }) },
  // 500: the next 1-3 connects; 503: the next one. With o.statusWindowMs, every connect during a
  // window of that length instead (a server that fails for a while, however often clients come).
  500: { scope: 'channel', disrupting: true, params: (r, o) => (o.statusWindowMs ? { ms: between(r, o.statusWindowMs) } : { count: 1 + Math.floor(r() * 3) }) },
  503: { scope: 'channel', disrupting: true, params: (r, o) => ({ retryAfter: pick(r, o.retryAfterS ?? [1, 2]), ...(o.statusWindowMs ? { ms: between(r, o.statusWindowMs) } : {}) }) },
  drip: { scope: 'channel', disrupting: false, lasts: true, params: (r, o) => ({ ms: between(r, o.dripMs ?? [1500, 3000]), byteMs: 2 + Math.floor(r() * 2) }) },
  truncate: { scope: 'channel', disrupting: true, params: () => ({}) },
  restart: { scope: 'channel', disrupting: true, lasts: true, params: (r) => ({ ms: between(r, [300, 1500]) }) },
  notice: { scope: 'channel', disrupting: false, params: (r) => ({ count: 1 + Math.floor(r() * 3) }) },
  'id-only': { scope: 'channel', disrupting: false, params: () => ({}) },
  retry: { scope: 'channel', disrupting: false, params: (r) => ({ ms: pick(r, [100, 250, 500, 1000, 2000]) }) },
  overlap: { scope: 'channel', disrupting: true, params: (r) => ({ events: 2 + Math.floor(r() * 4) }) },
  rebind: { scope: 'channel', disrupting: true, params: () => ({}) },
  offline: { scope: 'page', disrupting: true, lasts: true, params: (r) => ({ ms: between(r, [1000, 2500]) }) },
  hide: { scope: 'page', disrupting: false, lasts: true, params: (r) => ({ ms: between(r, [500, 2000]) }) },
  freeze: { scope: 'page', disrupting: false, lasts: true, params: (r) => ({ ms: between(r, [500, 2000]) }) },
};

/** Every kind once per cycle of the soak's weights: the quiet blocks are more frequent. */
export const SOAK_WEIGHTS = {
  drop: 3, stall: 2, 500: 2, 503: 2, drip: 2, truncate: 3, restart: 2, notice: 3, 'id-only': 2, retry: 2,
  overlap: 3, rebind: 2, offline: 1, hide: 1, freeze: 1,
};
export const HEAL_WEIGHTS = { drop: 1, stall: 1, truncate: 1, overlap: 1, drip: 1 };
export const HEAL_STATUS_WEIGHTS = { ...HEAL_WEIGHTS, 500: 1, 503: 1 };

const between = (r, [lo, hi]) => Math.round(lo + r() * (hi - lo));
const pick = (r, list) => list[Math.floor(r() * list.length)];

/**
 * Builds { faults: [{id, at, kind, channel (-1: page), params}], churn: [{at, channel, join, k}] }
 * over durationMs: one fault every gapMs[0]..gapMs[1] ms, churn (a join or a leave) every
 * churnMs ms on average (0: none). o.stallMs, o.dripMs, o.retryAfterS, o.statusWindowMs tune the kinds. When a
 * lasting fault holds the channel(s), the slot gets a notice, or nothing if !quietWhenBusy.
 */
export function buildSchedule({ seed, durationMs, channels, weights = SOAK_WEIGHTS, gapMs = [600, 1800], churnMs = 0, startMs = 500, quietWhenBusy = true, ...o }) {
  if (!Number.isInteger(seed)) throw new TypeError('buildSchedule: seed must be an integer');
  if (!(channels >= 1)) throw new TypeError('buildSchedule: channels must be >= 1');
  for (const k of Object.keys(weights)) if (!FAULT_KINDS[k]) throw new TypeError(`buildSchedule: unknown fault kind ${k}`);
  const r = prng(seed);
  const bag = Object.entries(weights).flatMap(([k, w]) => Array(w).fill(k));
  const busy = Array(channels).fill(0); // a lasting fault on the channel until then (ms)
  const faults = [];
  for (let at = startMs; at < durationMs; at += between(r, gapMs)) {
    let kind = pick(r, bag);
    const def = FAULT_KINDS[kind];
    let channel = -1;
    if (def.scope === 'page') {
      if (busy.some((b) => b > at)) kind = 'notice';
    }
    if (FAULT_KINDS[kind].scope === 'channel') {
      const first = Math.floor(r() * channels);
      channel = [...Array(channels).keys()].map((i) => (first + i) % channels).find((c) => busy[c] <= at) ?? -1;
      if (channel < 0) {
        channel = first;
        kind = 'notice'; // every channel is in a lasting fault: a quiet block keeps the pace
      }
    }
    if (kind === 'notice' && !weights.notice && !quietWhenBusy) continue;
    const params = FAULT_KINDS[kind].params(r, o);
    if (FAULT_KINDS[kind].lasts) {
      const until = at + params.ms + 1000;
      if (channel < 0) busy.fill(until);
      else busy[channel] = until;
    }
    faults.push({ id: faults.length, at, kind, channel, params });
  }
  const churn = [];
  if (churnMs > 0) {
    for (let at = startMs + between(r, [0, churnMs]); at < durationMs; at += between(r, [churnMs / 2, churnMs * 1.5])) {
      churn.push({ at, channel: Math.floor(r() * channels), join: r() < 0.5, k: Math.floor(r() * 1000) });
    }
  }
  return { faults, churn };
}
