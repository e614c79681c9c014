/**
 * The soak's page: channels on the real built package (js/ + dist/), each with a sentinel
 * subscriber (first in, never leaves) and subscribers that join and leave; every subscriber is
 * checked online against the model (soak-checker.js). The Node side drives faults and drains a
 * bounded journal of the sentinels' progress and of status changes, so the page holds O(1) state
 * per subscriber however long the run.
 */
import { init, createManager } from '/js/index.js';
import { getCore } from '/js/wasm.js';
import { SubscriberModel, DATA_TYPES } from './soak-checker.js';

const EVENT_TYPES = [...DATA_TYPES, 'notice'];
const MAX_ERRORS = 50;

const zeroTotals = () => ({ lost: 0, duplicated: 0, reordered: 0, noticesLost: 0, noticesDuplicated: 0, noticesStale: 0, unexpected: 0, events: 0, notices: 0 });
function addCounts(totals, m) {
  for (const k of Object.keys(totals)) totals[k] += m[k];
}

class SoakPage {
  constructor() {
    this.channels = [];
    this.journal = { progress: [], status: [], streams: [] };
    this.errors = [];
    this.left = []; // problems of subscribers that left
    this.leftCount = 0;
    this.joined = 0;
  }

  error(text) {
    if (this.errors.length < MAX_ERRORS) this.errors.push(text);
  }

  /**
   * channels: [{ name, url, transport, seed }]; perChannelManager: one manager per channel (the
   * heal run's independent seeds) instead of one for the page; subscribers per channel.
   */
  async setup({ channels, perChannelManager = false, subscribers = 8, heartbeatTimeoutMs = 2000 }) {
    await init();
    // The allocator's first allocation claims its heap region, whose 4-byte header stays: make it
    // before the baseline, which is then exactly what destroying every manager returns to.
    const core = getCore();
    core._free(core._malloc(1));
    this.heapBefore = core._lifeline_wasm_heap_in_use();
    this.subscribers = subscribers;
    const managerFor = (seed) => createManager({ seed, onError: (e) => this.error(`callback: ${e?.stack ?? e}`) });
    const shared = perChannelManager ? null : managerFor(channels[0]?.seed ?? 1);
    for (const [idx, c] of channels.entries()) {
      const manager = shared ?? managerFor(c.seed);
      const ch = {
        idx, name: c.name, baseUrl: c.url, transport: c.transport, manager, serial: 0, rebinds: 0, leftTotals: zeroTotals(),
        opts: { transport: c.transport, heartbeatTimeoutMs, eventTypes: EVENT_TYPES }, subs: [], sentinel: null,
        state: 'idle',
      };
      manager.connect(ch.name, c.url, { ...ch.opts, initialLastEventId: '0' });
      manager.onStatus(ch.name, (s) => this.onStatus(ch, s));
      ch.sentinel = this.subscribe(ch, true);
      for (let i = 1; i < subscribers; i++) this.subscribe(ch, false);
      this.channels.push(ch);
    }
    return this.channels.length;
  }

  onStatus(ch, s) {
    if (s.state === 'open' && ch.state !== 'open') ch.serial++;
    ch.state = s.state;
    this.journal.status.push([ch.idx, Date.now(), s.state, s.reason ?? 'none', ch.serial]);
  }

  subscribe(ch, sentinel) {
    const model = new SubscriberModel(sentinel ? null : ch.sentinel.model);
    const sub = { model, sentinel, off: null };
    sub.off = ch.manager.subscribe(ch.name, (e) => {
      const stream = model.stream;
      const fresh = model.take(e);
      if (!sentinel) return;
      if (fresh) this.journal.progress.push([ch.idx, Date.now(), model.last, ch.serial]);
      // The server stream the channel reads (from its hello): tells which stream a fault hit.
      if (model.stream !== stream) this.journal.streams.push([ch.idx, Date.now(), model.stream]);
    });
    if (!sentinel) this.joined++;
    ch.subs.push(sub);
    return sub;
  }

  /**
   * Late joins and leaves: join when asked, else the k-th non-sentinel leaves. The count stays
   * within 2 of the initial one, so that the heap measures the manager, not a random walk.
   */
  churn(idx, join, k) {
    const ch = this.channels[idx];
    const others = ch.subs.filter((s) => !s.sentinel);
    const n = ch.subs.length;
    if (n >= this.subscribers + 2) join = false;
    if (n <= Math.max(2, this.subscribers - 2)) join = true;
    if (join) return this.subscribe(ch, false) && 'join';
    const sub = others[k % others.length];
    sub.off();
    ch.subs.splice(ch.subs.indexOf(sub), 1);
    this.leftCount++;
    for (const p of sub.model.compare(ch.sentinel.model)) this.left.push(`${ch.name}: a subscriber that left: ${p}`);
    this.left.push(...sub.model.notes.map((n) => `${ch.name} (left): ${n}`));
    if (this.left.length > MAX_ERRORS) this.left.length = MAX_ERRORS;
    addCounts(ch.leftTotals, sub.model);
    return 'leave';
  }

  /** Moves the channel to a fresh URL of the same log, resuming from the last delivered id; returns when. */
  rebind(idx) {
    const ch = this.channels[idx];
    ch.rebinds++;
    const sep = ch.baseUrl.includes('?') ? '&' : '?';
    ch.manager.connect(ch.name, `${ch.baseUrl}${sep}rebind=${ch.rebinds}`,
      { ...ch.opts, initialLastEventId: String(ch.sentinel.model.last) });
    return Date.now();
  }

  /** The page is hidden (pagehide, persisted) until show(). */
  hide() {
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
  }

  /** Returns when the page was shown again. */
  show() {
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    return Date.now();
  }

  /** Returns and clears the journal. */
  drain() {
    const j = this.journal;
    this.journal = { progress: [], status: [], streams: [] };
    return j;
  }

  /** Destroys every manager: the core's heap must be back to what it was before the first. */
  teardown() {
    for (const m of new Set(this.channels.map((ch) => ch.manager))) m.destroy();
    return { before: this.heapBefore, after: getCore()._lifeline_wasm_heap_in_use() };
  }

  memory() {
    // Wasm memory only grows (to the allocations' high-water mark); the bytes allocated show a leak.
    const core = getCore();
    return { wasmHeap: core._lifeline_wasm_heap_in_use(), wasmBytes: core.HEAPU8.buffer.byteLength, jsHeap: performance.memory?.usedJSHeapSize ?? null };
  }

  /** Per channel: the sentinel, every subscriber's totals (those that left included), problems. */
  report() {
    const channels = this.channels.map((ch) => {
      const problems = [];
      const totals = { ...ch.leftTotals };
      for (const sub of ch.subs) {
        addCounts(totals, sub.model);
        if (!sub.sentinel) for (const p of sub.model.compare(ch.sentinel.model)) problems.push(p);
        problems.push(...sub.model.notes.slice(0, 4));
      }
      return {
        name: ch.name, transport: ch.transport, state: ch.state, opens: ch.serial, rebinds: ch.rebinds,
        subscribers: ch.subs.length, sentinel: ch.sentinel.model.summary(), totals, problems: problems.slice(0, 20),
        status: ch.manager.getConnectionStatus(ch.name), metrics: ch.manager.getMetrics(),
      };
    });
    return { channels, errors: this.errors, left: this.left, leftCount: this.leftCount, joined: this.joined };
  }
}

window.soak = new SoakPage();
document.getElementById('out').textContent = 'ready';
