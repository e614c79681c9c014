/**
 * The reference server's feed log: lifeline-sse/server's memory log (so the feed is served by
 * the module's handler) with the synchronous view the tests and tools read: numeric ids, the
 * last and oldest id, the records with their times. It outlives the server that used it, as a
 * persisted log outlives a process.
 */
import { MemoryLog } from '../../server/index.js';

export const FEED_TOPIC = 'feed';

export class FeedLog extends MemoryLog {
  constructor(capacity = 1000) {
    super({ capacity, maxTopics: 4 });
  }

  /** Appends one event (data as text); returns its record {id, event, data, ts} with a numeric id. */
  add(event, dataText) {
    const [rec] = this.appendSync(FEED_TOPIC, [{ event, data: dataText }]);
    return rec;
  }

  get lastId() {
    const t = this.topics.get(FEED_TOPIC);
    return t ? t.next - 1 : 0;
  }

  get oldestId() {
    const t = this.topics.get(FEED_TOPIC);
    return t && t.items.length ? Number(t.items[0].id) : this.lastId + 1;
  }

  get size() {
    return this.topics.get(FEED_TOPIC)?.items.length ?? 0;
  }

  /** The kept records, oldest first, with numeric ids: [{id, event, data, ts}]. */
  get items() {
    return this.records(FEED_TOPIC).map((r) => ({ ...r, id: Number(r.id) }));
  }
}
