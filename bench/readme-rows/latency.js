// Rows from bench/results/latency.json (bench/latency.bench.js, headless Chromium, loopback).
import { met } from './format.js';

const f3 = (x) => x.toFixed(3);
const sign = (x) => `${x >= 0 ? '+' : ''}${f3(x)}`;

export function rows(doc) {
  const c = doc.figures.clients ?? {};
  const base = c['native EventSource'];
  if (!base) return [];
  return Object.entries(c).filter(([n]) => n !== 'native EventSource').map(([name, x]) => ({
    what: `event latency, server write → callback, ${name} vs native EventSource (p50 / p99)`,
    target: name.startsWith('lifeline') ? 'p50 at most 0.2 ms over native' : '',
    result: `${f3(x.p50Ms)} / ${f3(x.p99Ms)} ms vs ${f3(base.p50Ms)} / ${f3(base.p99Ms)} ms (p50 ${sign(x.p50OverNativeMs)} ms)` +
      (x.goalMet === undefined ? '' : `; ${met(x.goalMet)}`),
  }));
}
