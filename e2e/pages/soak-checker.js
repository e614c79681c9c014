/**
 * The reference model of one subscriber, checked online with O(1) memory (a soak delivers
 * hundreds of thousands of events; keeping them would make the heap measurement meaningless).
 *
 * Id'd events: the server's log ids from the moment of subscribing, each once, in order. A
 * subscriber that joins late starts after the channel's sentinel's last id at that moment (the
 * sentinel subscribes first and never leaves); one that stays must end at the server's last id.
 *
 * Id-less notices: the server numbers them per stream ({stream, n}: n = 0, 1, ... on stream
 * `stream`, stream ids increase). On a stream the client read, every notice is delivered once in
 * order: a new stream's first notice is n = 0 (the hello), the next is n + 1. A notice from an
 * older stream after a newer one means a replaced stream delivered (stale).
 */
const MAX_NOTES = 12;
export const DATA_TYPES = ['poll', 'sentiment', 'intel', 'alert'];

export class SubscriberModel {
  /** from: the checker of the channel's sentinel when joining late (null for the sentinel). */
  constructor(from) {
    this.last = from ? from.last : 0; // the last id this subscriber must have
    this.stream = from ? from.stream : 0;
    this.nextN = from ? from.nextN : 0;
    this.joinNotices = from ? from.notices : 0;
    this.events = 0;
    this.notices = 0;
    this.lost = 0;
    this.duplicated = 0;
    this.reordered = 0;
    this.noticesLost = 0;
    this.noticesDuplicated = 0;
    this.noticesStale = 0;
    this.unexpected = 0;
    this.gaps = []; // [from, to] id ranges skipped, to classify a late arrival as reordered
    this.notes = [];
  }

  note(text) {
    if (this.notes.length < MAX_NOTES) this.notes.push(text);
  }

  /** Checks one delivered event; returns true when it is a new id'd event (progress). */
  take(e) {
    if (e.type === 'notice') {
      this.takeNotice(e);
      return false;
    }
    if (!DATA_TYPES.includes(e.type) || !/^\d+$/.test(e.id ?? '')) {
      this.unexpected++;
      this.note(`unexpected event type=${e.type} id=${e.id} data=${String(e.data).slice(0, 80)}`);
      return false;
    }
    const id = Number(e.id);
    this.events++;
    if (id === this.last + 1) {
      this.last = id;
      return true;
    }
    if (id > this.last + 1) {
      this.lost += id - this.last - 1;
      if (this.gaps.length < 64) this.gaps.push([this.last + 1, id - 1]);
      this.note(`lost ${this.last + 1}..${id - 1} (got ${id})`);
      this.last = id;
      return true;
    }
    const gap = this.gaps.find(([a, b]) => id >= a && id <= b);
    if (gap) {
      this.reordered++;
      this.lost--;
      this.note(`reordered ${id} after ${this.last}`);
    } else {
      this.duplicated++;
      this.note(`duplicate ${id} after ${this.last}`);
    }
    return false;
  }

  takeNotice(e) {
    let n;
    let stream;
    try {
      ({ n, stream } = JSON.parse(e.data));
    } catch {
      this.unexpected++;
      this.note(`notice with bad data ${String(e.data).slice(0, 80)}`);
      return;
    }
    this.notices++;
    if (stream === this.stream) {
      if (n === this.nextN) this.nextN++;
      else if (n < this.nextN) {
        this.noticesDuplicated++;
        this.note(`notice ${stream}/${n} again (next ${this.nextN})`);
      } else {
        this.noticesLost += n - this.nextN;
        this.note(`notices ${stream}/${this.nextN}..${n - 1} lost`);
        this.nextN = n + 1;
      }
    } else if (stream > this.stream) {
      if (n !== 0) {
        this.noticesLost += n;
        this.note(`first notice of stream ${stream} is n=${n}: 0..${n - 1} lost`);
      }
      this.stream = stream;
      this.nextN = n + 1;
    } else {
      this.noticesStale++;
      this.note(`notice from replaced stream ${stream} after stream ${this.stream}`);
    }
  }

  /** Problems against the sentinel (same deliveries expected while both were subscribed). */
  compare(sentinel) {
    const out = [];
    if (this.last !== sentinel.last) out.push(`last id ${this.last}, the sentinel's ${sentinel.last}`);
    if (this.notices !== sentinel.notices - this.joinNotices) {
      out.push(`${this.notices} notices, the sentinel got ${sentinel.notices - this.joinNotices} meanwhile`);
    }
    return out;
  }

  summary() {
    return {
      last: this.last, events: this.events, notices: this.notices, lost: this.lost, duplicated: this.duplicated,
      reordered: this.reordered, noticesLost: this.noticesLost, noticesDuplicated: this.noticesDuplicated,
      noticesStale: this.noticesStale, unexpected: this.unexpected, notes: this.notes,
    };
  }
}
