/**
 * The Node side of the chaos soak: starts one reference server per channel, opens the soak page,
 * applies a seeded schedule of faults (server-side, and the browser's offline / hide / freeze),
 * drains the page's journal, samples memory after forced GCs, and collects the records the
 * figures are computed from (demo/server/chaos-analysis.js).
 */
import { startSSEServer } from './sse-server.js';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class SoakDriver {
  constructor(page, context) {
    this.page = page;
    this.context = context;
    this.cdp = null;
    this.frozen = null; // a promise while the page is frozen: page calls wait for it
    this.servers = [];
    this.journal = { progress: [], status: [], streams: [] };
    this.memory = [];
    this.faults = [];
    this.inFlight = new Set();
    this.t0 = 0;
  }

  async startServers(n, opts) {
    for (let i = 0; i < n; i++) {
      this.servers.push(await startSSEServer({ heartbeatMs: 500, helloNotice: true, logSize: 100000, historySize: 20000, seed: i + 1, ...opts }));
    }
  }

  /** page.evaluate, never while the page is frozen (it would wait for the thaw). */
  async eval(fn, arg) {
    while (this.frozen) await this.frozen;
    return this.page.evaluate(fn, arg);
  }

  async openPage(siteUrl, setup) {
    this.cdp = await this.context.newCDPSession(this.page);
    await this.page.goto(`${siteUrl}/e2e/pages/soak.html`);
    await this.page.locator('#out').filter({ hasText: 'ready' }).waitFor({ timeout: 15000 });
    const channels = this.servers.map((s, i) => ({ name: `ch${i}`, url: s.feedUrl, transport: setup.transports[i % setup.transports.length], seed: setup.seeds?.[i] ?? i + 1 }));
    await this.eval((o) => window.soak.setup(o), { ...setup, channels, transports: undefined, seeds: undefined });
    return channels;
  }

  async drain() {
    const j = await this.eval(() => window.soak.drain());
    this.journal.progress.push(...j.progress);
    this.journal.status.push(...j.status);
    this.journal.streams.push(...j.streams);
  }

  /** The state of each channel from the journal so far. */
  states() {
    const s = this.servers.map(() => 'idle');
    for (const [c, , state] of this.journal.status) s[c] = state;
    return s;
  }

  lastIds() {
    const ids = this.servers.map(() => 0);
    for (const [c, , id] of this.journal.progress) ids[c] = Math.max(ids[c], id);
    return ids;
  }

  /** Polls the journal until cond() holds; throws `what` after ms. */
  async until(cond, what, ms) {
    const end = Date.now() + ms;
    for (;;) {
      await this.drain();
      if (cond()) return;
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}: states ${this.states()}, last ids ${this.lastIds()}, server last ids ${this.servers.map((s) => s.log.lastId)}`);
      await sleep(200);
    }
  }

  async sampleMemory() {
    while (this.frozen) await this.frozen;
    await this.cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await this.cdp.send('Runtime.getHeapUsage');
    const { wasmHeap, wasmBytes } = await this.eval(() => window.soak.memory());
    this.memory.push({ t: Date.now() - this.t0, jsHeap: usedSize, wasmHeap, wasmBytes });
  }

  /**
   * Runs a schedule: faults and churn at their offsets, the journal drained every second and
   * memory sampled every sampleMs. Resolves when every fault has ended.
   */
  async run({ faults, churn }, { sampleMs = 0, durationMs }) {
    this.t0 = Date.now();
    const steps = [...faults.map((f) => ({ at: f.at, f })), ...churn.map((c) => ({ at: c.at, c }))].sort((a, b) => a.at - b.at);
    let nextDrain = 1000;
    let nextSample = 0;
    let i = 0;
    while (i < steps.length || Date.now() - this.t0 < durationMs) {
      const now = Date.now() - this.t0;
      if (sampleMs && now >= nextSample) {
        nextSample += sampleMs;
        await this.sampleMemory();
      } else if (now >= nextDrain) {
        nextDrain += 1000;
        await this.drain();
      } else if (i < steps.length && now >= steps[i].at) {
        const step = steps[i++];
        if (step.f) this.track(this.apply(step.f));
        else await this.eval((c) => window.soak.churn(c.channel, c.join, c.k), step.c);
      } else {
        await sleep(Math.max(1, Math.min(nextDrain, steps[i]?.at ?? Infinity, sampleMs ? nextSample : Infinity) - now));
      }
    }
    await Promise.all([...this.inFlight]);
    await this.drain();
  }

  track(p) {
    this.inFlight.add(p);
    p.finally(() => this.inFlight.delete(p));
  }

  /** Applies one fault; records {id, kind, channel, params, start, end} (5xx ends are set by finish()). */
  async apply(f) {
    const rec = { id: f.id, kind: f.kind, channel: f.channel, params: f.params, start: Date.now(), end: null };
    this.faults.push(rec);
    const s = this.servers[f.channel];
    const p = f.params;
    switch (f.kind) {
      case 'drop': case 'truncate': case 'id-only':
        s.fault(f.kind);
        break;
      case 'stall': case 'drip':
        s.fault(f.kind, p);
        await sleep(p.ms);
        break;
      case '500': case '503':
        s.fault(f.kind, { ...(p.ms ? { ms: p.ms } : { count: p.count ?? 1 }), retryAfter: p.retryAfter });
        s.fault('drop');
        if (p.ms) await sleep(p.ms); // a window ends on the clock, when the server is well again
        break;
      case 'restart': await s.restart({ downMs: p.ms }); break;
      case 'notice': for (let k = 0; k < p.count; k++) s.fault('notice'); break;
      case 'retry': s.fault('retry', { ms: p.ms }); break;
      case 'overlap': s.fault('overlap', { count: 1, events: p.events }); s.fault('drop'); break;
      case 'rebind': rec.end = await this.eval((c) => window.soak.rebind(c), f.channel); return rec;
      case 'offline':
        // Offline does not cut open streams: the servers drop them, as a lost network would.
        await this.context.setOffline(true);
        for (const x of this.servers) x.fault('drop');
        await sleep(p.ms);
        await this.context.setOffline(false);
        break;
      case 'hide':
        await this.eval(() => window.soak.hide());
        await sleep(p.ms);
        rec.end = await this.eval(() => window.soak.show());
        return rec;
      case 'freeze': {
        let thaw;
        this.frozen = new Promise((r) => { thaw = r; });
        try {
          await this.cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
          await sleep(p.ms);
          await this.cdp.send('Page.setWebLifecycleState', { state: 'active' });
        } finally {
          this.frozen = null;
          thaw();
        }
        break;
      }
      default: throw new Error(`unknown fault ${f.kind}`);
    }
    rec.end = Date.now();
    return rec;
  }

  /** Clears every fault still queued (answers, truncations, overlaps not yet applied). */
  clearFaults() {
    for (const s of this.servers) s.clearFaults();
  }

  /**
   * Queued faults end when they took effect: a 5xx when its last answer was served, a truncation
   * when an event was cut, an overlap when a resume replayed it (the servers' records). One that
   * never did (cleared at the end) gets end null; one cleared part way (a 500 x3 served twice)
   * ends at its last answer, with applied false. A 5xx window ended when it closed (apply()).
   */
  finish() {
    const used = new Set();
    const take = (list) => {
      const x = list.find((h) => !used.has(h));
      if (x) used.add(x);
      return x;
    };
    for (const rec of this.faults) {
      const s = this.servers[rec.channel];
      let when = [];
      if ((rec.kind === '500' || rec.kind === '503') && rec.params.ms) {
        rec.applied = s.history.some((h) => h.fault === rec.kind && h.t >= rec.start && h.t <= rec.end);
        continue;
      }
      if (rec.kind === '500' || rec.kind === '503') {
        const n = rec.kind === '500' ? rec.params.count : 1;
        const mine = s.history.filter((h) => h.fault === rec.kind && h.t >= rec.start);
        for (let k = 0; k < n; k++) when.push(take(mine));
      } else if (rec.kind === 'truncate' || rec.kind === 'overlap') {
        const a = take(s.applied.filter((x) => x.fault === rec.kind && x.t >= rec.start));
        when.push(a);
        rec.clientId = a?.clientId ?? null; // the server stream it hit
      } else continue;
      rec.applied = when.every(Boolean);
      rec.end = when.filter(Boolean).at(-1)?.t ?? null;
    }
    return this.faults;
  }

  logs() {
    return this.servers.map((s) => s.log.items.map((r) => [r.id, r.ts]));
  }

  async close() {
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
