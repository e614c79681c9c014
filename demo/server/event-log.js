/**
 * A bounded in-memory event log with monotonically increasing integer ids, and the SSE wire
 * format. Used for the feed (one log per server, kept across restarts) and for analysis runs.
 */

/** Serialises one event to SSE text. Multi-line data becomes several `data:` lines. */
export function formatEvent({ id, event, data, retry }) {
  let out = '';
  if (id !== undefined && id !== null) out += `id: ${id}\n`;
  if (event && event !== 'message') out += `event: ${event}\n`;
  if (retry !== undefined) out += `retry: ${retry}\n`;
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}

export function formatComment(text) {
  return `: ${String(text).replace(/[\r\n]+/g, ' ')}\n\n`;
}

export class EventLog {
  /** capacity: how many events are kept (the oldest are dropped first). firstId: id of the first event. */
  constructor(capacity = 1000, firstId = 1) {
    this.capacity = Math.max(1, capacity | 0);
    this.items = [];
    this.nextId = firstId;
    this.appended = 0;
  }

  /** Appends an event; returns the stored record {id, event, data, ts, text}. */
  append(event, data) {
    const rec = { id: this.nextId++, event, data, ts: Date.now() };
    rec.text = formatEvent(rec);
    this.items.push(rec);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
    this.appended++;
    return rec;
  }

  get lastId() { return this.nextId - 1; }
  get oldestId() { return this.items.length ? this.items[0].id : this.nextId; }
  get size() { return this.items.length; }

  /** The first stored event with an id greater than `id`, or undefined. */
  nextAfter(id) {
    if (!this.items.length || id >= this.lastId) return undefined;
    const idx = Math.max(0, id + 1 - this.items[0].id);
    return this.items[idx];
  }

  /** True when events after `id` were dropped from the log (a client resuming from it missed some). */
  hasGapAfter(id) {
    return id + 1 < this.oldestId && id < this.lastId;
  }

  clear() { this.items = []; }
}

/** Parses a Last-Event-ID value: a non-negative integer, or null when absent or not an integer. */
export function parseLastEventId(value) {
  if (value === undefined || value === null) return null;
  const s = String(value).trim();
  if (!/^\d{1,15}$/.test(s)) return null;
  return Number(s);
}
