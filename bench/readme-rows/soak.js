// Rows from bench/results/soak.json (e2e/soak.spec.js, the chaos soak in Chromium, written by
// its own command). Only the figures the file holds become rows.
import { ms, dur, met, int, pct } from './format.js';

const num = (x) => typeof x === 'number' && Number.isFinite(x);
const sign = (x) => `${x >= 0 ? '+' : ''}${x}`;

function soakRows(k, seed) {
  const out = [];
  const run = `${k.durationS} s run, seed ${seed}`;
  if (num(k.faultsInjected)) out.push({ what: `chaos soak: faults injected (${run})`, target: '≥ 500 over the full run', result: `${int(k.faultsInjected)}: ${met(k.faultsInjected >= 500)}` });
  const r = k.recovery;
  if (r && num(r.rate)) out.push({ what: `chaos soak: faults recovered from (${int(r.hits)} fault hits on channels)`, target: '> 99% (goal 100%)', result: `${pct(r.rate, 2)} (${int(r.recovered)} of ${int(r.hits)}): ${met(r.rate > 0.99)}` });
  const e = k.events;
  if (e && num(e.lost)) {
    out.push({
      what: `chaos soak: events lost / duplicated / reordered (${int(e.subscriberEvents)} deliveries to subscribers)`,
      target: '0 / 0 / 0', result: `${e.lost} / ${e.duplicated} / ${e.reordered}: ${met(e.lost === 0 && e.duplicated === 0 && e.reordered === 0)}`,
    });
  }
  const kinds = Object.entries(k.recoveryMsByKind ?? {}).filter(([, x]) => num(x.p99));
  if (kinds.length) {
    const [kind, worst] = kinds.reduce((a, b) => (b[1].p99 > a[1].p99 ? b : a));
    out.push({ what: `chaos soak: fault end → first resumed event, p99 of the slowest of ${kinds.length} fault kinds`, target: '', result: `${kind}: p50 ${ms(worst.p50)}, p99 ${ms(worst.p99)}, max ${ms(worst.max)}` });
  }
  if (num(k.stallDetectMs?.p99)) {
    out.push({ what: `chaos soak: stall detected after the stall begins (\`heartbeatTimeoutMs\` ${k.heartbeatTimeoutMs}, ${k.stallDetectMs.n} stalls)`, target: '', result: `p50 ${ms(k.stallDetectMs.p50)}, p99 ${ms(k.stallDetectMs.p99)}` });
  }
  const js = k.memory?.js;
  if (js && num(js.growthPct)) out.push({ what: 'chaos soak: JS heap, last tenth of the run vs the first', target: '≤ +10%', result: `${sign(js.growthPct)}%: ${met(js.growthPct <= 10)}` });
  // The Wasm heap is judged on the run's second half (buffers kept at their largest burst step up
  // early: e2e/soak.spec.js); the whole run's trend is shown beside it.
  const half = k.memory?.wasmSecondHalf;
  const whole = k.memory?.wasm;
  if (half && num(half.growthPct)) {
    out.push({ what: 'chaos soak: Wasm heap in use, last tenth of the run vs its middle', target: '≤ +10%', result: `${sign(half.growthPct)}%: ${met(half.growthPct <= 10)}${whole ? ` (whole run ${sign(whole.growthPct)}%)` : ''}` });
  }
  const freed = k.memory?.wasmHeapAfterDestroy;
  if (freed) out.push({ what: 'chaos soak: Wasm heap in use after every manager is destroyed', target: 'as before the first', result: `${int(freed.after)} B (before: ${int(freed.before)} B): ${met(freed.after === freed.before)}` });
  return out;
}

function healRows(h) {
  const out = [];
  const g = [['plain', 'drops, stalls, truncations, overlaps, drip', 'within 5 s of the last fault (p99)'], ['withStatus', `the same with 500/503${h.statusWindowMs ? ` (each a ${h.statusWindowMs[0] / 1000}–${h.statusWindowMs[1] / 1000} s window)` : ''}`, 'within max(5 s, Retry-After + 1 s) (p99)']];
  for (const [key, faults, target] of g) {
    const x = h[key];
    if (!x?.healMs) continue;
    // A seed that never healed is Infinity in the soak, null once in JSON: say so, never drop the row.
    const t = (v) => (num(v) ? dur(v) : 'never');
    out.push({
      what: `heal after a ${h.burstS} s burst of faults (${faults}, one every ${h.gapMs?.[0]}–${h.gapMs?.[1]} ms), ${x.seeds} seeds`,
      target, result: `p50 ${t(x.healMs.p50)}, p99 ${t(x.healMs.p99)}, max ${t(x.healMs.max)}; ${x.withinBound} of ${x.seeds} within the bound: ${met(num(x.p99OverBoundMs) && x.p99OverBoundMs <= 0)}`,
    });
  }
  return out;
}

export function rows(doc) {
  return [...(doc.soak ? soakRows(doc.soak, doc.seed) : []), ...(doc.heal ? healRows(doc.heal) : [])];
}
