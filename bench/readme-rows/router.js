// Rows from bench/results/router-e2e.json (e2e/router.spec.js in Chromium) and
// bench/results/router.json (bench/router.bench.js, per-request overhead in Node).
import { ms, s, met, versus } from './format.js';

const SCENARIOS = [
  ['refuse', 'primary refuses connections', 2000],
  ['http500', 'primary answers 500', 2000],
  ['hang', 'primary hangs, attempt timeout', 2000],
  ['hang-hedged', 'primary hangs, `hedgeMs: 400`', 1000],
];

function e2eRows(f) {
  const out = [];
  for (const [key, label, bound] of SCENARIOS) {
    const x = f[key];
    if (!x) continue;
    out.push({
      what: `AI failover cost, ${label} (${x.requests} requests, ${x.failed} failed, ${x.failedOver} failed over)`,
      target: `failover < ${s(bound, 0)}, no request fails`,
      result: `p50 ${ms(x.failoverP50Ms)}, p99 ${ms(x.failoverP99Ms)}: ${met(x.failoverP99Ms < bound && x.failed === 0)}`,
    });
  }
  const d = f.detection;
  if (d) {
    out.push({
      what: 'dead idle AI service reported down (default probes, killed at a random phase, one run)',
      target: '< 30 s (worst case by arithmetic 20.5 s, docs/router.md)',
      result: `${s(d.detectedDownAfterMs)}: ${met(d.detectedDownAfterMs < 30000)}; taken back ${s(d.takenBackAfterMs)} after it recovered`,
    });
  }
  return out;
}

function overheadRows(f) {
  const out = [];
  const rows = f.firstChoice?.rows;
  if (rows) {
    const [own, ...peers] = rows;
    for (const peer of peers) {
      out.push({
        what: `router per-request overhead (in-memory transport) vs ${peer.name}${peer.name.startsWith('bare') ? ' (the floor)' : ''}`, target: '',
        result: `${own.nsPerOp} ns vs ${peer.nsPerOp} ns: ${versus(peer.nsPerOp / own.nsPerOp)}`,
      });
    }
  }
  const fo = f.failover?.rows?.[0];
  if (fo) out.push({ what: 'router per-request overhead, primary answers 500 and the second answers (2 attempts)', target: '', result: `${fo.nsPerOp} ns` });
  return out;
}

export function rows(doc) {
  return doc.bench === 'router-e2e' ? e2eRows(doc.figures) : overheadRows(doc.figures);
}
