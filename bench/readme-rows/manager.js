// Rows from bench/results/manager.json (bench/manager.bench.js, Node, no network).
import { versus } from './format.js';

export function rows(doc) {
  const out = [];
  for (const [subs, x] of Object.entries(doc.figures.subscribers ?? {})) {
    const own = x.lifeline;
    const [name, peer] = Object.entries(x).find(([k]) => k !== 'lifeline') ?? [];
    if (!own || !peer) continue;
    out.push({
      what: `manager per-event cost, ${subs} subscriber(s), vs ${name} (keeps no ids, no duplicate check, no status)`, target: '',
      result: `${own.nsPerEvent} vs ${peer.nsPerEvent} ns/event: ${versus(peer.xVsLifeline)}`,
    });
  }
  for (const [subs, x] of Object.entries(doc.figures.defaults ?? {})) {
    const own = x.lifeline;
    const [name, peer] = Object.entries(x).find(([k]) => k !== 'lifeline') ?? [];
    if (!own || !peer) continue;
    out.push({
      what: `manager per-event cost with the shipped defaults, ${subs} subscriber(s), vs ${name} (both reading one ReadableStream)`, target: '',
      result: `${own.nsPerEvent} vs ${peer.nsPerEvent} ns/event: ${versus(peer.xVsLifeline)}`,
    });
  }
  return out;
}
