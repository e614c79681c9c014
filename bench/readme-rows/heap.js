// Rows from bench/results/heap.json (bench/heap.bench.js, headless Chromium).
import { met } from './format.js';

const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;

export function rows(doc) {
  const total = doc.params?.totalEvents;
  return Object.entries(doc.figures.clients ?? {}).map(([name, x]) => {
    const first = x.after1000;
    const all = x[`after${total}`];
    const wasm = first.wasmBytes ? ` (of which Wasm memory ${mb(first.wasmBytes)} / ${mb(all.wasmBytes)})` : '';
    return {
      what: `heap after 1,000 / ${Number(total).toLocaleString('en-US')} delivered events, ${name} (JS heap after a full GC${first.wasmBytes ? ' + Wasm memory' : ''})`,
      target: name.startsWith('lifeline') ? 'under 50 MB after 1,000' : '',
      result: `${mb(first.totalBytes)} / ${mb(all.totalBytes)}${wasm}; the page alone ${mb(x.baseline.totalBytes)}` + (x.goalMet === undefined ? '' : `; ${met(x.goalMet)}`),
    };
  });
}
