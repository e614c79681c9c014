/**
 * Latency histograms (base-2 exponential buckets, <= 0.54% relative error) and a metrics registry
 * (counters with 1 m / 5 m rates, gauges, histograms with last-minute quantiles, SLOs with error
 * budget and burn rates) over the C core, with JSON and Prometheus text snapshots.
 */
import { getRouterCore, coreError } from './wasm.js';
import { errorNamed } from './core-tables.js';
import { defaultClock } from './manager-env.js';
import { checkNumber, checkClock, checkOptions } from './checks.js';

const histRegistry = /* @__PURE__ */ new FinalizationRegistry(({ core, ptr }) => core._lifeline_wasm_histogram_free(ptr));
const metricsRegistry = /* @__PURE__ */ new FinalizationRegistry(({ core, ptr }) => core._lifeline_wasm_metrics_free(ptr));

class Histogram {
  #core;
  #ptr;

  constructor(core, ptr) {
    this.#core = core;
    this.#ptr = ptr;
    histRegistry.register(this, { core, ptr }, this);
  }

  #live() {
    if (this.#ptr === 0) throw errorNamed('LIFELINE_ERR_STATE', 'histogram used after free()');
    return this.#ptr;
  }

  /** Records one value >= 0 (ms by convention). One Wasm call. */
  record(value) {
    if (typeof value !== 'number') throw new TypeError(`record expects a number, got ${typeof value}`);
    if (this.#core._lifeline_wasm_histogram_record(this.#ptr || this.#live(), value) !== 0) {
      throw new RangeError(`record expects a finite number >= 0, got ${value}`);
    }
  }

  /** The value at quantile q in [0, 1] (0 when empty). */
  quantile(q) {
    checkNumber('q', q, 0, 1);
    return this.#core._lifeline_wasm_histogram_quantile(this.#live(), q);
  }

  #stat(i) {
    const core = this.#core;
    const p = core._lifeline_wasm_histogram_stats(this.#live()) >> 3;
    return core.HEAPF64[p + i];
  }

  get count() { return this.#stat(0); }
  get sum() { return this.#stat(1); }
  get min() { return this.count ? this.#stat(2) : NaN; }
  get max() { return this.count ? this.#stat(3) : NaN; }
  get mean() { return this.count ? this.#stat(4) : NaN; }

  /** Adds other's counts into this histogram. */
  merge(other) {
    if (!(other instanceof Histogram)) throw new TypeError('merge expects a histogram from createHistogram()');
    this.#core._lifeline_wasm_histogram_merge(this.#live(), other.#live());
  }

  reset() { this.#core._lifeline_wasm_histogram_reset(this.#live()); }

  /** { count, sum, min, max, mean, p50, p90, p95, p99 } */
  toJSON() {
    const core = this.#core;
    const p = core._lifeline_wasm_histogram_stats(this.#live()) >> 3;
    const [count, sum, min, max, mean] = core.HEAPF64.subarray(p, p + 5);
    const q = (x) => core._lifeline_wasm_histogram_quantile(this.#ptr, x);
    return { count, sum, min, max, mean, p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99) };
  }

  free() {
    if (this.#ptr === 0) return;
    histRegistry.unregister(this);
    this.#core._lifeline_wasm_histogram_free(this.#ptr);
    this.#ptr = 0;
  }
}

/** A new empty histogram (about 6.7 KB of Wasm memory; free() it, or let the GC do it). */
export function createHistogram() {
  const core = getRouterCore('createHistogram');
  const ptr = core._lifeline_wasm_histogram_new();
  if (ptr === 0) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'createHistogram');
  return new Histogram(core, ptr);
}

const TYPE = { counter: 0, gauge: 1, histogram: 2, slo: 3 };

class Metrics {
  #core;
  #ptr;
  #clock;
  #buf = 0;
  #cap = 0;

  constructor(core, ptr, clock) {
    this.#core = core;
    this.#ptr = ptr;
    this.#clock = clock;
    metricsRegistry.register(this, { core, ptr }, this);
  }

  #live() {
    if (this.#ptr === 0) throw errorNamed('LIFELINE_ERR_STATE', 'metrics used after free()');
    return this.#ptr;
  }

  #register(type, name, help, target = 0, shortMs = 0, longMs = 0) {
    if (typeof name !== 'string') throw new TypeError('metric name must be a string');
    if (help !== undefined && typeof help !== 'string') throw new TypeError('metric help must be a string');
    const core = this.#core;
    const n = core.lengthBytesUTF8(name) + 1;
    const h = core.lengthBytesUTF8(help ?? '') + 1;
    const mem = core._malloc(n + h);
    if (mem === 0) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'metrics');
    core.stringToUTF8(name, mem, n);
    core.stringToUTF8(help ?? '', mem + n, h);
    const id = core._lifeline_wasm_metrics_register(this.#live(), type, mem, mem + n, target, shortMs, longMs);
    core._free(mem);
    if (id < 0) throw coreError(id, `metric "${name}" (names: [a-zA-Z_:][a-zA-Z0-9_:]*, unique, <= 63 bytes)`);
    return id;
  }

  #check(rc, what) {
    if (rc < 0) throw coreError(rc, what);
  }

  /** A counter; its handle's add(n = 1, now) also feeds the 1 m / 5 m rates. */
  counter(name, help) {
    const id = this.#register(TYPE.counter, name, help);
    return {
      add: (n = 1, now = this.#clock()) => {
        checkNumber('n', n, 0, 4294967295, true);
        this.#check(this.#core._lifeline_wasm_metrics_add(this.#live(), id, n, now), name);
      },
    };
  }

  gauge(name, help) {
    const id = this.#register(TYPE.gauge, name, help);
    return {
      set: (v) => {
        if (typeof v !== 'number') throw new TypeError(`gauge value must be a number, got ${typeof v}`);
        this.#check(this.#core._lifeline_wasm_metrics_set(this.#live(), id, v), name);
      },
    };
  }

  /** A latency histogram: cumulative figures and quantiles over the last minute. */
  histogram(name, help) {
    const id = this.#register(TYPE.histogram, name, help);
    return {
      observe: (v, now = this.#clock()) => {
        if (typeof v !== 'number') throw new TypeError(`observe expects a number, got ${typeof v}`);
        const rc = this.#core._lifeline_wasm_metrics_observe(this.#live(), id, v, now);
        if (rc < 0) throw new RangeError(`observe expects a finite number >= 0, got ${v}`);
      },
    };
  }

  /** An SLO: record(good, now) per event or recordBatch(good, total, now); report(now). */
  slo(name, { target = 0.999, shortWindowMs = 300000, longWindowMs = 3600000, help } = {}) {
    if (typeof target !== 'number' || !(target > 0 && target < 1)) throw new RangeError(`SLO target must be in (0, 1), got ${target}`);
    for (const [k, v] of [['shortWindowMs', shortWindowMs], ['longWindowMs', longWindowMs]]) {
      checkNumber(k, v, 60, 4294967295, true);
      if (v % 60) throw new RangeError(`${k} must be a multiple of 60 (60 buckets), got ${v}`);
    }
    const id = this.#register(TYPE.slo, name, help, target, shortWindowMs, longWindowMs);
    const core = this.#core;
    const recordBatch = (good, total, now = this.#clock()) => {
      checkNumber('total', total, 0, 4294967295, true);
      checkNumber('good', good, 0, total, true);
      this.#check(core._lifeline_wasm_metrics_slo_record(this.#live(), id, good, total, now), name);
    };
    return {
      record: (good, now = this.#clock()) => recordBatch(good ? 1 : 0, 1, now),
      recordBatch,
      report: (now = this.#clock()) => {
        const p = core._lifeline_wasm_metrics_slo_report(this.#live(), id, now) >> 3;
        const v = core.HEAPF64.subarray(p, p + 10);
        return {
          target: v[0], good: v[1], total: v[2], availability: v[3], errorBudgetRemaining: v[4],
          burnRateShort: v[5], burnRateLong: v[6], shortWindowMs: v[7], longWindowMs: v[8],
          alerting: v[9] === 1,
        };
      },
    };
  }

  #text(format, now) {
    const core = this.#core;
    for (;;) {
      const need = core._lifeline_wasm_metrics_write(this.#live(), format, now, this.#buf, this.#cap);
      if (need < this.#cap) return core.UTF8ToString(this.#buf, need);
      if (this.#buf) core._free(this.#buf);
      this.#cap = Math.max(4096, need + 1, this.#cap * 2);
      this.#buf = core._malloc(this.#cap);
      if (this.#buf === 0) { this.#cap = 0; throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'metrics snapshot'); }
    }
  }

  /** The JSON text described in include/lifeline/metrics.h. */
  json(now = this.#clock()) { return this.#text(0, now); }
  /** The same, parsed. */
  snapshot(now = this.#clock()) { return JSON.parse(this.#text(0, now)); }
  /** Prometheus text exposition format 0.0.4. */
  prometheus(now = this.#clock()) { return this.#text(1, now); }

  free() {
    if (this.#ptr === 0) return;
    metricsRegistry.unregister(this);
    if (this.#buf) this.#core._free(this.#buf);
    this.#core._lifeline_wasm_metrics_free(this.#ptr);
    this.#ptr = 0;
    this.#buf = 0;
  }
}

/**
 * A metrics registry (C-owned memory; free() it when done).
 * @param {{ clock?: () => number }} [options]
 */
export function createMetrics(options = {}) {
  checkOptions(options, ['clock'], 'createMetrics');
  const clock = checkClock(options.clock ?? defaultClock());
  const core = getRouterCore('createMetrics');
  const ptr = core._lifeline_wasm_metrics_new();
  if (ptr === 0) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'createMetrics');
  return new Metrics(core, ptr, clock);
}
