/**
 * The hub: one SSE manager serving many tabs (docs/sharing.md). It runs in the SharedWorker, or
 * in the leader tab where SharedWorker is missing. Each tab's channels map onto the hub's
 * (same name, URL and options: one stream); each tab subscription is a subscription of the hub's
 * manager, so types, priorities and replay mean what they mean without sharing. Events are sent
 * to a tab in one message per task. The hub keeps the last CATCH_UP_EVENTS events per channel
 * (at most CATCH_UP_BYTES of them): a tab that rebuilt its subscriptions behind the others
 * catches up from them.
 * Internal to js/share/hub-host.js.
 */
import { CATCH_UP_BYTES, CATCH_UP_EVENTS, CAUGHT_UP, GATHER_MS, REPLAYED, hubChannel } from './protocol.js';
import { catchUp, earliest } from './positions.js';
import { errorToWire } from './wire-errors.js';

export class ShareHub {
  #manager;
  #epoch;
  #tabs = new Map(); // tab id -> { send, channels: Map(ch -> hub channel), subs: Map(sub -> { ch, off }), out: [] }
  #channels = new Map(); // hub channel -> { tabs: Set(tab id), ring: [], off: [] }

  /** manager: an SSEManager this hub owns; epoch: this hub's life (new on every start). */
  constructor(manager, epoch) {
    this.#manager = manager;
    this.#epoch = epoch;
  }

  get epoch() {
    return this.#epoch;
  }

  /** The tabs attached (for tests and the origin's metrics). */
  get tabCount() {
    return this.#tabs.size;
  }

  /**
   * One message from a tab. `send(msg)` answers that tab; `hello` registers it. A message of a
   * tab the hub does not know (it forgot, or dropped it) is answered with welcome, so the tab
   * sees the epoch and rebuilds.
   */
  receive(msg, send) {
    if (msg.t === 'hello') {
      this.dropTab(msg.tab); // a tab that rebuilds starts again
      this.#tabs.set(msg.tab, { send, channels: new Map(), subs: new Map(), out: [] });
      send({ t: 'welcome', epoch: this.#epoch });
      return;
    }
    if (msg.t === 'ping') return send({ t: 'pong', epoch: this.#epoch });
    const tab = this.#tabs.get(msg.tab);
    if (!tab) return send({ t: 'who' }); // it forgot the tab, or dropped it: the tab says hello again
    try {
      this.#handle(msg, tab);
    } catch (err) {
      send({ t: 'error', ch: msg.ch ?? null, e: errorToWire(err) });
    }
  }

  #handle(msg, tab) {
    switch (msg.t) {
      case 'connect': return this.#connect(msg, tab);
      case 'disconnect': return this.#disconnect(msg.ch, msg.tab, tab);
      case 'sub': return this.#subscribe(msg, tab);
      case 'unsub': return this.#unsubscribe(tab, msg.sub);
      case 'retry': return tab.channels.has(msg.ch) && this.#manager.retryNow(tab.channels.get(msg.ch));
      case 'metrics': return tab.send({ t: 'metrics', m: this.metrics() });
      case 'bye': return this.dropTab(msg.tab);
      default: throw new TypeError(`share: unknown message "${msg.t}"`);
    }
  }

  #connect({ ch, url, opts, last, recent, tab: id }, tab) {
    const name = hubChannel(ch, url, opts);
    if (tab.channels.get(ch) === name) return;
    if (tab.channels.has(ch)) this.#disconnect(ch, id, tab);
    let shared = this.#channels.get(name);
    if (!shared) {
      shared = { tabs: new Set(), ring: [], ringBytes: 0, from: null, open: false, pending: [], positions: [], off: [], url, opts };
      this.#channels.set(name, shared);
      // A stream a rebuilding tab brings back: the other tabs' positions arrive within moments,
      // and the stream must resume from the earliest of them, or the tabs behind would miss events.
      if (last != null) setTimeout(() => this.#open(name, shared), GATHER_MS);
      else this.#open(name, shared);
    }
    if (last != null && !shared.open) shared.positions.push({ last, recent: recent ?? [] });
    shared.tabs.add(id);
    tab.channels.set(ch, name);
    tab.send({ t: 'status', ch, s: this.#manager.getConnectionStatus(name) });
  }

  #open(name, shared) {
    if (this.#channels.get(name) !== shared || shared.open) return;
    shared.from = earliest(shared.positions);
    const { opts } = shared;
    try {
      this.#manager.connect(name, shared.url, shared.from == null ? opts : { ...opts, initialLastEventId: shared.from });
    } catch (err) {
      this.#refused(name, shared, err);
      return;
    }
    shared.open = true;
    shared.off.push(this.#manager.subscribe(name, (e) => this.#record(shared, e)));
    shared.off.push(this.#manager.onStatus(name, () => this.#statusToAll(name, shared)));
    this.#statusToAll(name, shared);
    for (const run of shared.pending.splice(0)) run();
  }

  // The manager refused the stream (a bad option, a limit): the hub forgets it, so that a
  // repeat is refused again. Opened in place, receive() answers; after a gather, from a timer,
  // each tab that asked for it is told and loses the channel.
  #refused(name, shared, err) {
    this.#channels.delete(name);
    if (!shared.tabs.size) throw err;
    for (const id of shared.tabs) {
      const tab = this.#tabs.get(id);
      for (const [ch, n] of tab?.channels ?? []) {
        if (n !== name) continue;
        tab.channels.delete(ch);
        tab.send({ t: 'error', ch, e: errorToWire(err) });
      }
    }
  }

  #record(shared, e) {
    if (e.replayed) return;
    shared.ring.push([e.type, e.data, e.id]);
    shared.ringBytes += entryBytes(shared.ring.at(-1));
    const { ring } = shared;
    let drop = 0;
    while (drop < ring.length && (ring.length - drop > CATCH_UP_EVENTS || shared.ringBytes > CATCH_UP_BYTES)) {
      shared.ringBytes -= entryBytes(ring[drop++]);
    }
    if (drop) shared.from = ring.splice(0, drop).at(-1)[2];
  }

  #statusToAll(name, shared) {
    const s = this.#manager.getConnectionStatus(name);
    for (const id of shared.tabs) {
      const tab = this.#tabs.get(id);
      for (const [ch, n] of tab?.channels ?? []) if (n === name) tab.send({ t: 'status', ch, s });
    }
  }

  #subscribe(msg, tab) {
    const name = tab.channels.get(msg.ch);
    if (!name) throw new TypeError(`subscribe: unknown channel "${msg.ch}"`);
    const shared = this.#channels.get(name);
    if (!shared.open) {
      shared.pending.push(() => tab.channels.get(msg.ch) === name && this.#attach(msg, tab, name, shared));
      // Registered now, so that an unsub before the stream opens finds it.
      tab.subs.set(msg.sub, { ch: msg.ch, off: () => { msg.gone = true; } });
      return;
    }
    this.#attach(msg, tab, name, shared);
  }

  #attach({ ch, sub, events, priority, replay, after, recent, gone }, tab, name, shared) {
    if (gone) return;
    // A tab rebuilding after the hub was lost asks from its last event: what the hub has seen
    // since then is sent first, in order, as live events; the tab drops what it already had.
    if (after != null) {
      const wanted = events?.length ? new Set(events) : null;
      const { events: owed, gap } = catchUp(shared, after, recent ?? []);
      if (gap) tab.send({ t: 'gap', ch, after });
      for (const [type, data, id] of owed) if (!wanted || wanted.has(type)) this.#queue(tab, [sub, type, data, id, 0]);
    }
    const off = this.#manager.subscribe(name, (e) => this.#queue(tab, [sub, e.type, e.data, e.id, (e.replayed ? REPLAYED : 0) | (e.caughtUp ? CAUGHT_UP : 0)]), {
      events, priority, replay,
    });
    tab.subs.set(sub, { ch, off });
  }

  #unsubscribe(tab, sub) {
    tab.subs.get(sub)?.off();
    tab.subs.delete(sub);
  }

  // A tab's events of one task go in one message.
  #queue(tab, entry) {
    if (tab.out.push(entry) > 1) return;
    queueMicrotask(() => {
      const b = tab.out;
      tab.out = [];
      tab.send({ t: 'ev', b });
    });
  }

  #disconnect(ch, id, tab) {
    const name = tab.channels.get(ch);
    if (!name) return;
    for (const [sub, s] of tab.subs) if (s.ch === ch) this.#unsubscribe(tab, sub);
    tab.channels.delete(ch);
    if ([...tab.channels.values()].includes(name)) return;
    const shared = this.#channels.get(name);
    shared.tabs.delete(id);
    if (shared.tabs.size) return;
    for (const off of shared.off) off();
    this.#channels.delete(name);
    this.#manager.disconnect(name);
  }

  /** Forgets a tab that closed, crashed or said goodbye: its subscriptions and channels go. */
  dropTab(id) {
    const tab = this.#tabs.get(id);
    if (!tab) return;
    for (const ch of [...tab.channels.keys()]) this.#disconnect(ch, id, tab);
    this.#tabs.delete(id);
  }

  /** The origin's figures: the manager's metrics and how many tabs it serves. */
  metrics() {
    let catchUpBytes = 0;
    for (const shared of this.#channels.values()) catchUpBytes += shared.ringBytes;
    return { ...this.#manager.getMetrics(), tabs: this.#tabs.size, catchUpBytes };
  }

  /** Closes every stream (the hub is done: the worker was told to die, or the leader stepped down). */
  destroy() {
    this.#manager.destroy();
    this.#tabs.clear();
    this.#channels.clear();
  }
}

// What a ring entry [type, data, id] holds, in bytes (2 a UTF-16 unit).
function entryBytes([type, data, id]) {
  return 2 * (type.length + data.length + (id?.length ?? 0));
}
