/**
 * AI-service health, shared by a fleet. Each instance probes the services (GET healthPath) and
 * judges each one from its own probes; when its judgement changes, it writes the state to Redis
 * with a compare-and-set and, if it was the first to see the change, publishes a
 * `service-health` event on the health topic, which every client can subscribe to as a stream.
 * Metrics (latency percentiles, error rate, updated-at) are written with every probe. The
 * current state is published again every ttlMs / 3 by one instance (a short Redis lock), so the
 * clients' hints, which expire after ttlMs, stay fresh while the fleet lives and lapse when it
 * does not. Without Redis (the memory log) the same runs inside the one process.
 *
 * The browser's router takes these as hints (js/health-hints.js): its own probes and breakers
 * still decide.
 */

export const HEALTH_EVENT = 'service-health';
const STATES = ['healthy', 'degraded', 'down'];
const WINDOW = 20;

// KEYS: the service's hash. ARGV: state, updatedAt, by. 1 when the shared state changed.
const CAS_LUA = `
local prev = redis.call('HGET', KEYS[1], 'state')
if prev == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'changedAt', ARGV[2], 'by', ARGV[3])
return 1`;

/**
 * opts: sse (createSSEHandler's handler: publishes, and writes the snapshot to new health
 * streams), services ([{name, url, healthPath = '/health'}] or {name: url}), topic ('health'),
 * probeIntervalMs (1000), probeTimeoutMs (800), downAfter (2 failed probes), slowMs (2000),
 * ttlMs (30000), prefix ('lifeline:health:'), instance (a name for `by`), fetch.
 * Returns {start(), stop(), status(), snapshot(), probeNow(name?)}; call start().
 */
export function createHealthMonitor(opts) {
  return new HealthMonitor(opts);
}

class HealthMonitor {
  constructor({ sse, services, topic = 'health', probeIntervalMs = 1000, probeTimeoutMs = 800, downAfter = 2, slowMs = 2000,
    ttlMs = 30000, prefix = 'lifeline:health:', instance = `pid-${process.pid}`, fetch: fetchImpl = globalThis.fetch } = {}) {
    if (!sse?.publish) throw new TypeError('createHealthMonitor: sse (a createSSEHandler handler) is needed');
    this.sse = sse;
    this.log = sse.log;
    this.topic = topic;
    this.cfg = { probeIntervalMs, probeTimeoutMs, downAfter, slowMs, ttlMs, prefix, instance };
    this.fetch = fetchImpl;
    const list = Array.isArray(services) ? services : Object.entries(services ?? {}).map(([name, url]) => ({ name, url }));
    this.services = list.map((s) => ({
      name: s.name, url: String(s.url).replace(/\/$/, ''), healthPath: s.healthPath ?? '/health',
      samples: [], failStreak: 0, own: null, shared: null, probing: false,
    }));
    this.timers = [];
    this.changes = []; // {service, state, detectedAt, published} (bounded), for reports
    this.stopped = true;
    sse.onOpen?.((stream) => { if (stream.topic === this.topic) this.#writeSnapshot(stream); });
  }

  get shared() { return this.log.kind === 'redis'; }

  start() {
    if (!this.stopped) return this;
    this.stopped = false;
    for (const s of this.services) this.#schedule(s, Math.random() * this.cfg.probeIntervalMs * 0.2);
    const refresh = setInterval(() => this.#refresh().catch(() => {}), Math.max(100, this.cfg.ttlMs / 3));
    refresh.unref?.();
    this.timers.push(refresh);
    return this;
  }

  stop() {
    this.stopped = true;
    for (const t of this.timers) { clearTimeout(t); clearInterval(t); }
    this.timers = [];
    for (const s of this.services) clearTimeout(s.timer);
  }

  #schedule(s, ms) {
    if (this.stopped) return;
    clearTimeout(s.timer);
    s.timer = setTimeout(() => this.probeNow(s.name).catch(() => {}), ms);
    s.timer.unref?.();
  }

  /** Probes one service (or all) now; resolves when judged. */
  async probeNow(name) {
    const targets = name ? this.services.filter((s) => s.name === name) : this.services;
    await Promise.all(targets.map((s) => this.#probe(s)));
  }

  async #probe(s) {
    if (s.probing) return;
    s.probing = true;
    const t0 = performance.now();
    let ok = false;
    try {
      const r = await this.fetch(s.url + s.healthPath, { signal: AbortSignal.timeout(this.cfg.probeTimeoutMs) });
      ok = r.status >= 200 && r.status < 300;
      await r.arrayBuffer().catch(() => {});
    } catch {
      ok = false;
    }
    const latency = performance.now() - t0;
    s.probing = false;
    s.samples.push({ ok, latency });
    if (s.samples.length > WINDOW) s.samples.shift();
    s.failStreak = ok ? 0 : s.failStreak + 1;
    await this.#judge(s).catch(() => {});
    this.#schedule(s, this.cfg.probeIntervalMs);
  }

  #figures(s) {
    const lat = s.samples.filter((x) => x.ok).map((x) => x.latency).sort((a, b) => a - b);
    const q = (p) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]) : null);
    const failed = s.samples.filter((x) => !x.ok).length;
    return { p50Ms: q(0.5), p95Ms: q(0.95), p99Ms: q(0.99), errorRate: s.samples.length ? Math.round((failed / s.samples.length) * 1000) / 1000 : 0 };
  }

  /** healthy / degraded / down from this instance's own probes. */
  #state(s, f) {
    if (s.failStreak >= this.cfg.downAfter) return 'down';
    if (s.failStreak > 0) return 'degraded';
    if (s.samples.length >= 5 && f.errorRate >= 0.2) return 'degraded';
    if (f.p95Ms !== null && f.p95Ms > this.cfg.slowMs) return 'degraded';
    return 'healthy';
  }

  async #judge(s) {
    const f = this.#figures(s);
    const state = this.#state(s, f);
    const now = Date.now();
    const changed = state !== s.own;
    s.own = state;
    s.figures = f;
    if (this.shared) {
      const key = this.cfg.prefix + s.name;
      await this.log.sendCommand(['HSET', key, 'p50Ms', String(f.p50Ms ?? ''), 'p95Ms', String(f.p95Ms ?? ''),
        'p99Ms', String(f.p99Ms ?? ''), 'errorRate', String(f.errorRate), 'updatedAt', String(now)]);
      if (changed) {
        const first = await this.log.sendCommand(['EVAL', CAS_LUA, '1', key, state, String(now), this.cfg.instance]);
        if (Number(first) === 1) await this.#publish(s, state, now, true);
        else s.shared = { ...s.shared, state };
      }
    } else if (changed && s.shared?.state !== state) {
      await this.#publish(s, state, now, true);
    }
  }

  #event(s, state, changedAt, detectedAt) {
    return { service: s.name, state, ...s.figures, changedAt, detectedAt, updatedAt: Date.now(), ttlMs: this.cfg.ttlMs, by: this.cfg.instance };
  }

  async #publish(s, state, at, detected) {
    const data = this.#event(s, state, at, detected ? at : null);
    s.shared = { state, changedAt: at };
    if (detected) {
      this.changes.push({ service: s.name, state, detectedAt: at });
      if (this.changes.length > 100) this.changes.shift();
    }
    await this.sse.publish(this.topic, [{ event: HEALTH_EVENT, data }]);
  }

  // One instance at a time (a lock for ttl/3) republishes the shared states, so hints stay
  // fresh; every instance refreshes its view of the shared states for its snapshots.
  async #refresh() {
    if (this.stopped) return;
    if (!this.shared) {
      for (const s of this.services) if (s.shared) await this.#publish(s, s.shared.state, s.shared.changedAt, false);
      return;
    }
    const lock = await this.log.sendCommand(['SET', `${this.cfg.prefix}refresh`, this.cfg.instance, 'NX', 'PX', String(Math.max(100, Math.floor(this.cfg.ttlMs / 3) - 50))]);
    for (const s of this.services) {
      const h = await this.log.sendCommand(['HGETALL', this.cfg.prefix + s.name]);
      const m = Array.isArray(h) ? Object.fromEntries(pairs(h)) : h ?? {};
      if (!STATES.includes(m.state)) continue;
      s.shared = { state: m.state, changedAt: Number(m.changedAt) || null };
      if (lock === 'OK') await this.sse.publish(this.topic, [{ event: HEALTH_EVENT, data: this.#event(s, m.state, s.shared.changedAt, null) }]);
    }
  }

  /** The id-less snapshot a new health stream starts with (what every service is now). */
  snapshot() {
    return this.services.filter((s) => s.shared || s.own).map((s) => this.#event(s, s.shared?.state ?? s.own, s.shared?.changedAt ?? null, null));
  }

  #writeSnapshot(stream) {
    for (const d of this.snapshot()) stream.write(`event: ${HEALTH_EVENT}\ndata: ${JSON.stringify(d)}\n\n`);
  }

  status() {
    return Object.fromEntries(this.services.map((s) => [s.name, { own: s.own, shared: s.shared?.state ?? null, failStreak: s.failStreak, ...s.figures }]));
  }
}

function pairs(a) {
  const out = [];
  for (let i = 0; i + 1 < a.length; i += 2) out.push([a[i], a[i + 1]]);
  return out;
}
