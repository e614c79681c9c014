// Rows from bench/results/storm.json (the reconnection-storm simulator, `npm run simulate`,
// written by its own command): the shipped jitter's runs against the goal, and the other
// jitter modes beside them.
import { s, met, int } from './format.js';

const slot = (r) => `${r.max_slot_after_pct.toFixed(2)}%`;

export function rows(doc) {
  const out = [];
  const n = int(doc.clients);
  const goal = doc.goal ?? {};
  const jitter = doc.defaults?.backoff?.jitter;
  const runs = doc.runs ?? [];
  for (const r of runs.filter((x) => x.jitter === jitter)) {
    const when = r.trigger_at_ms ? ` ${s(Math.abs(r.trigger_at_ms), 0)} ${r.trigger_at_ms < 0 ? 'before' : 'after'} the return` : ' at the return';
    const how = r.trigger === 'none' ? 'timers only' : `\`${r.trigger}\` on every client at once${when}`;
    const what = `reconnection storm, ${n} clients, ${s(doc.outage_ms, 0)} outage, ${jitter} jitter (default), ${how}`;
    out.push({ what: `${what}: busiest 100 ms after the return`, target: `≤ ${goal.max_slot_pct}% of the clients`, result: `${slot(r)}: ${met(r.max_slot_after_pct <= goal.max_slot_pct)}` });
    out.push({
      what: `${what}: last client back after the return`, target: `all back ≤ ${s(goal.all_back_ms, 0)}`,
      result: `${s(r.back_max_ms)} (${int(r.back)} of ${n} back): ${met(r.back === doc.clients && r.back_max_ms <= goal.all_back_ms)}`,
    });
  }
  const others = runs.filter((x) => x.jitter !== jitter && x.trigger === 'none');
  if (others.length) {
    out.push({
      what: `reconnection storm, other jitter modes (timers only): busiest 100 ms after the return`, target: `≤ ${goal.max_slot_pct}%`,
      result: others.map((r) => `${r.jitter} ${slot(r)} (${met(r.max_slot_after_pct <= goal.max_slot_pct)})`).join(', '),
    });
  }
  return out;
}
