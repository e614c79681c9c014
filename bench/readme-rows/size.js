// Rows from bench/results/size.json (bench/size.bench.js: Vite production builds opened in Chromium).
import { met } from './format.js';

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

export function rows(doc) {
  const f = doc.figures;
  if (!f?.sseOnly) return [];
  const peers = Object.entries(f.peers ?? {}).map(([name, p]) => `${name} ${kb(p.gzip)}`).join(', ');
  return [
    {
      what: 'shipped JS + Wasm, SSE-only app (createManager, EventSource, SSEProvider, useSSE, useSSEStatus, SSEStatusIndicator; React excluded), gzip',
      target: `≤ ${kb(f.budget.sseOnly)}`,
      result: `${kb(f.sseOnly.gzip)} (brotli ${kb(f.sseOnly.brotli)}); ${met(f.sseOnly.met)}${peers ? `; peers, each in a minimal app: ${peers}` : ''}`,
    },
    {
      what: 'whole package: every file an app importing everything emits (no-SIMD fallback apart), gzip',
      target: `≤ ${kb(f.budget.wholePackage)}`,
      result: `${kb(f.wholePackage.gzip)} (brotli ${kb(f.wholePackage.brotli)}); ${met(f.wholePackage.met)}`,
    },
  ];
}
