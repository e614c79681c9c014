// Rows from bench/results/parser-build.json (bench/parser-build.bench.js: the shipped SSE core
// against the same sources at -O3, the C parser alone, in Chromium).
export function rows(doc) {
  const w = doc.figures.workloads ?? {};
  const parts = Object.entries(w).map(([name, x]) => `${name} ${x.shippedMbPerS} vs ${x.referenceMbPerS} MB/s (${x.shippedOverReference.toFixed(2)}×)`);
  if (!parts.length) return [];
  const worst = Math.min(...Object.values(w).map((x) => x.shippedOverReference));
  return [{
    what: 'C parser in the shipped size-optimised SSE core vs the same sources built -O3 (core alone, same page)', target: 'no slower (within 10%: runs on the shared machine scatter that much)',
    result: `${parts.join(', ')}; ${worst >= 0.9 ? 'met' : '**not met**'}`,
  }];
}
