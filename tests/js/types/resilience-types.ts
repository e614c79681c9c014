// Compiled (not run) by tests/js/resilience.test.js: the hand-written .d.ts must describe the API.
import {
  createBackoff, createBreaker, createHistogram, createMetrics,
  type Backoff, type Breaker, type BreakerChange, type Histogram, type SloReport,
} from '../../../js/index.js';

const b: Backoff = createBackoff({ initialMs: 500, jitter: 'equal', seed: 1, clock: () => 0 });
const d: number | null = b.next();
const q: 'good' | 'moderate' | 'poor' = b.quality;
b.setServerRetry(3000);

const br: Breaker = createBreaker({ failureRateThreshold: 0.5, slowCallMs: 2000 });
const off: () => void = br.onStateChange((c: BreakerChange) => { const s: string = c.reason; void s; });
const p: Promise<number> = br.fire(async (x: number, y: number) => x + y, 1, 2);
const w: (s: string) => Promise<number> = br.wrap(async (s: string) => s.length);
const st: 'closed' | 'open' | 'half-open' = br.state();

const h: Histogram = createHistogram();
h.record(12.5);
const p99: number = h.quantile(0.99) + h.count + h.mean;

const m = createMetrics();
m.counter('x_total').add(1);
const r: SloReport = m.slo('api', { target: 0.999 }).report();
const text: string = m.prometheus();
void [d, q, off, p, w, st, p99, r, text];
