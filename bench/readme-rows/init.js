// Rows from bench/results/init.json (bench/init.bench.js, headless Chromium).
export function rows(doc) {
  const f = doc.figures;
  if (!f.initMs) return [];
  return [{
    what: 'init() in a fresh page (the Wasm core fetched over loopback, compiled, instantiated; no cache)', target: '',
    result: `median ${f.initMs.median.toFixed(1)} ms, slowest ${f.initMs.max.toFixed(1)} ms of ${doc.params.samples} pages (loading the package's unbundled modules before it: median ${f.importMs.median.toFixed(0)} ms)`,
  }];
}
