/**
 * The in-memory event log: one process, bounded, nothing to install. Per topic, the last
 * `capacity` events with integer ids 1, 2, 3... (as strings); a resume from an id the log
 * trimmed, or from an id it never issued, is a lost position (the handler sends `reset`).
 * A new process starts again at 1: its ids cannot be told from an earlier process's, so a fleet
 * (or restarts without losing positions) needs the Redis log.
 */
const TOPIC_RE = /^[\w.:-]{1,64}$/;

export function memoryLog(opts = {}) {
  return new MemoryLog(opts);
}

export class MemoryLog {
  /** capacity: events kept per topic (1000); maxTopics (64); firstId (1). */
  constructor({ capacity = 1000, maxTopics = 64, firstId = 1 } = {}) {
    this.kind = 'memory';
    this.zeroId = '0';
    this.capacity = Math.max(1, capacity | 0);
    this.maxTopics = Math.max(1, maxTopics | 0);
    this.firstId = Math.max(1, firstId | 0);
    this.topics = new Map();
    this.closed = false;
  }

  #topic(name, create) {
    let t = this.topics.get(name);
    if (!t && create) {
      if (!TOPIC_RE.test(name)) throw new TypeError(`bad topic name ${JSON.stringify(name)}`);
      if (this.topics.size >= this.maxTopics) throw new RangeError(`at most ${this.maxTopics} topics`);
      t = { items: [], next: this.firstId, watchers: new Set() };
      this.topics.set(name, t);
    }
    return t;
  }

  /** A Last-Event-ID as this log writes it ("41"), or null when it is not one. */
  parseId(raw) {
    const s = String(raw).trim();
    return /^\d{1,15}$/.test(s) ? String(Number(s)) : null;
  }

  compare(a, b) {
    return Number(a) - Number(b);
  }

  /** Appends events in order; resolves to their records {id, event, data} (data: the text). */
  async append(topic, events) {
    return this.appendSync(topic, events);
  }

  /** append() at once: the records {id, event, data, ts}, in the log when it returns. */
  appendSync(topic, events) {
    const t = this.#topic(topic, true);
    const out = [];
    const ts = Date.now();
    for (const e of events) {
      const rec = { id: String(t.next++), event: e.event, data: e.data, ts };
      t.items.push(rec);
      out.push(rec);
    }
    if (t.items.length > this.capacity) t.items.splice(0, t.items.length - this.capacity);
    for (const w of [...t.watchers]) w();
    return out;
  }

  /** The records kept for a topic, oldest first (a copy). */
  records(topic) {
    return [...(this.topics.get(topic)?.items ?? [])];
  }

  /** The last id issued on the topic ("0" when none). */
  async last(topic) {
    const t = this.#topic(topic, false);
    return String(t ? t.next - 1 : this.firstId - 1);
  }

  /** Null when the events after `id` can be read, else {reason, lastId} (see lost()). */
  async locate(topic, id) {
    return this.#lost(this.#topic(topic, false), Number(id));
  }

  #lost(t, after) {
    const last = t ? t.next - 1 : this.firstId - 1;
    if (after > last) return { reason: 'unknown-id', lastId: String(last) };
    const oldest = t && t.items.length ? Number(t.items[0].id) : last + 1;
    if (after + 1 < oldest) return { reason: 'trimmed', lastId: String(last) };
    return null;
  }

  /** Up to `max` records after `afterId`: {records, lost} (lost: as locate()). */
  async read(topic, afterId, max) {
    const t = this.#topic(topic, false);
    const after = Number(afterId);
    const lost = this.#lost(t, after);
    if (lost || !t || !t.items.length) return { records: [], lost };
    const start = after + 1 - Number(t.items[0].id);
    return { records: t.items.slice(start, start + max), lost: null };
  }

  /** fn() after every append to the topic; returns the function that stops it. */
  watch(topic, fn) {
    const t = this.#topic(topic, true);
    t.watchers.add(fn);
    return () => t.watchers.delete(fn);
  }

  /** Always ready: there is nothing to reach. */
  async ready() {
    return { ok: true, latencyMs: 0, lagMs: 0 };
  }

  status() {
    const topics = {};
    for (const [name, t] of this.topics) {
      topics[name] = { size: t.items.length, lastId: String(t.next - 1), oldestId: t.items[0]?.id ?? null };
    }
    return { kind: this.kind, capacity: this.capacity, topics };
  }

  /** Empties every topic (ids go on from where they were). */
  clear() {
    for (const t of this.topics.values()) t.items = [];
  }

  async close() {
    this.closed = true;
    for (const t of this.topics.values()) t.watchers.clear();
  }
}
