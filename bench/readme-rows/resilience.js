// Rows from bench/results/resilience.json (bench/resilience.bench.js, Node).
import { versus } from './format.js';

// Contenders in parentheses are reference points (no breaker, a free clock), not peers.
const peersOf = (rows) => rows.slice(1).filter((r) => !r.name.startsWith('('));

export function rows(doc) {
  const out = [];
  for (const [key, what] of [['breaker', 'breaker `fire` on an immediately-resolving function'], ['histogram', 'histogram `record`']]) {
    const t = doc.figures[key];
    if (!t) continue;
    const own = t.rows[0];
    for (const peer of peersOf(t.rows)) {
      out.push({ what: `${what} vs ${peer.name}`, target: '', result: `${own.nsPerOp} ns vs ${peer.nsPerOp} ns: ${versus(peer.xVsLifeline)}` });
    }
  }
  return out;
}
