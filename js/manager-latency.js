/**
 * The `measureLatency` manager option: end-to-end event latency from a server timestamp in the
 * event's JSON data, read on the manager's own clock. Off by default, since it costs a regular
 * expression per event. Internal to js/manager.js.
 */

const UNITS = { ms: 1, s: 1000 };
// A sample beyond these bounds means a unit or clock mismatch (epoch seconds read as ms are
// decades), not latency: it is ignored rather than recorded. A server clock slightly ahead of
// the client's gives a small negative difference, recorded as 0.
const MAX_AHEAD_MS = 60_000;
const MAX_LATENCY_MS = 24 * 3600_000;

/**
 * option: false/undefined (off), true (`ts` in epoch ms) or { field = 'ts', unit = 'ms' | 's' }.
 * Returns null when off, else latencyOf(data, nowMs) -> ms >= 0, or null when the data has no
 * usable timestamp.
 */
export function latencyProbe(option) {
  if (option === undefined || option === null || option === false) return null;
  const o = option === true ? {} : option;
  if (typeof o !== 'object') throw new TypeError('createManager: measureLatency must be a boolean or { field, unit }');
  const field = o.field ?? 'ts';
  if (typeof field !== 'string' || !field || /["\\\r\n]/.test(field)) {
    throw new TypeError('createManager: measureLatency.field must be a non-empty JSON key without quotes or backslashes');
  }
  const scale = UNITS[o.unit ?? 'ms'];
  if (!scale) throw new RangeError(`createManager: measureLatency.unit must be one of ${Object.keys(UNITS).join(', ')}`);
  const re = new RegExp(`"${field.replace(/[.*+?^${}()|[\]]/g, '\\$&')}"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`);
  return (data, nowMs) => {
    if (data.length < field.length + 4 || data.charCodeAt(0) !== 123 /* { */) return null;
    const m = re.exec(data);
    if (!m) return null;
    const latency = nowMs - Number(m[1]) * scale;
    if (!(latency >= -MAX_AHEAD_MS && latency <= MAX_LATENCY_MS)) return null;
    return Math.max(0, latency);
  };
}
