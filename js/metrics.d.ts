export interface HistogramSummary {
  count: number; sum: number; min: number; max: number; mean: number;
  p50: number; p90: number; p95: number; p99: number;
}

/** Base-2 exponential histogram (scale 6): quantiles within 0.54% of the exact value. */
export interface Histogram {
  /** Records a finite value >= 0 (RangeError otherwise). */
  record(value: number): void;
  /** q in [0, 1]; 0 when empty. */
  quantile(q: number): number;
  readonly count: number;
  readonly sum: number;
  /** NaN when empty. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  merge(other: Histogram): void;
  reset(): void;
  toJSON(): HistogramSummary;
  free(): void;
}

/** Needs `await init({ router: true })` first (the router module holds the stand-alone objects). */
export function createHistogram(): Histogram;

export interface SloOptions {
  /** Availability target in (0, 1) (default 0.999). */
  target?: number;
  /** Short burn-rate window, a multiple of 60 ms (default 300000). */
  shortWindowMs?: number;
  /** Long burn-rate window (default 3600000). */
  longWindowMs?: number;
  help?: string;
}

export interface SloReport {
  target: number; good: number; total: number; availability: number;
  errorBudgetRemaining: number; burnRateShort: number; burnRateLong: number;
  shortWindowMs: number; longWindowMs: number; alerting: boolean;
}

export interface Counter { add(n?: number, now?: number): void }
export interface Gauge { set(value: number): void }
export interface HistogramMetric { observe(value: number, now?: number): void }
export interface Slo {
  record(good: boolean, now?: number): void;
  recordBatch(good: number, total: number, now?: number): void;
  report(now?: number): SloReport;
}

export interface MetricsSnapshot {
  counters: Record<string, { value: number; rate1m: number; rate5m: number }>;
  gauges: Record<string, number | null>;
  histograms: Record<string, HistogramSummary & { lastMinute: HistogramSummary }>;
  slos: Record<string, SloReport>;
}

export interface Metrics {
  counter(name: string, help?: string): Counter;
  gauge(name: string, help?: string): Gauge;
  histogram(name: string, help?: string): HistogramMetric;
  slo(name: string, options?: SloOptions): Slo;
  json(now?: number): string;
  snapshot(now?: number): MetricsSnapshot;
  prometheus(now?: number): string;
  free(): void;
}

/** Needs `await init({ router: true })` first (the router module holds the stand-alone objects). */
export function createMetrics(options?: { clock?: () => number }): Metrics;
