/**
 * createManager({ share: 'origin' }): the manager's API in a tab whose streams are held by the
 * origin's hub (a SharedWorker; where that is missing, the leader tab). See docs/sharing.md.
 *
 * The tab keeps what it needs to rebuild: its channels (URL, options, last event id) and its
 * subscriptions. When the hub is lost (hub-session.js: its Web Lock is released, a ping goes
 * unanswered, or it answers with a new epoch) the tab connects to a new one and sends all of it
 * again on the welcome; each subscription drops the ids it already delivered, so a rebuild
 * repeats nothing.
 * Internal to js/share/share-tab.js.
 */
import { lifelineError } from '../core-tables.js';
import { normalize, IDLE_SNAPSHOT } from '../manager-options.js';
import { checkOptions } from '../checks.js';
import { errorFromWire } from './wire-errors.js';
import { CAUGHT_UP, RECENT_IDS, REPLAYED, SEEN_IDS, functionOptions, randomId } from './protocol.js';
import { HubSession } from './hub-session.js';

const SHARED_OPTIONS = ['share', 'onError', 'connectHub'];

/**
 * options.connectHub(onMessage) -> { kind, post(msg), close() }: opens a link to the hub (the
 * SharedWorker's port, or the leader's channel); called again after the hub is lost.
 */
export function createSharedManager(options) {
  return new SharedManager(options);
}

export class SharedManager {
  #onError;
  #session;
  #channels = new Map(); // name -> { url, options, last, recent: [ids, oldest first], snapshot }
  #subs = new Map(); // id -> { channel, callback, events, priority, replay, seen: Set, order: [] }
  #listeners = new Map(); // name -> Set of status callbacks
  #stores = new Map();
  #nextSub = 1;
  #welcomes = 0;
  #destroyed = false;
  #origin = null;
  #metricsWaiting = [];
  #counts = { delivered: 0, duplicatesDropped: 0, rebuilds: 0 };

  constructor(options = {}) {
    checkOptions(options, SHARED_OPTIONS, 'createManager');
    this.#onError = options.onError ?? ((err) => queueMicrotask(() => { throw err; }));
    this.#session = new HubSession({
      tab: randomId(), hello: 'hello', ping: 'ping', connectHub: options.connectHub,
      owner: { message: (msg) => this.#receive(msg), opening: () => {}, error: (err) => this.#onError(err) },
    });
  }

  /** 'worker' or 'leader' / 'follower' (the Web Locks fallback): where this tab's streams are held. */
  get sharing() {
    return this.#session.link?.kind ?? 'starting';
  }

  // ---- the manager's API ----

  connect(channel, url, options = {}) {
    this.#alive();
    if (typeof channel !== 'string' || !channel) throw new TypeError('connect: channel must be a non-empty string');
    if (typeof url !== 'string' || !url) throw new TypeError('connect: url must be a non-empty string');
    functionOptions(options, 'connect');
    normalize(url, options); // the same validation, with the same errors, as in the tab's own manager
    const existing = this.#channels.get(channel);
    if (existing && existing.url === url && JSON.stringify(existing.options) === JSON.stringify(options)) return () => this.disconnect(channel);
    const record = { url, options, last: null, recent: [], snapshot: existing?.snapshot ?? IDLE_SNAPSHOT };
    this.#channels.set(channel, record);
    this.#send({ t: 'connect', ch: channel, url, opts: options, last: null, recent: [] });
    for (const [id, s] of this.#subs) if (s.channel === channel) this.#send(this.#subMessage(id, s, null));
    // A first channel after the welcome: the pings start now (the welcome starts them otherwise).
    if (this.#session.epoch !== null) this.#session.startPing();
    return () => this.disconnect(channel);
  }

  disconnect(channel) {
    if (!this.#channels.has(channel) || this.#destroyed) return;
    for (const [id, s] of this.#subs) if (s.channel === channel) this.#subs.delete(id);
    this.#channels.delete(channel);
    this.#send({ t: 'disconnect', ch: channel });
    this.#setSnapshot(channel, IDLE_SNAPSHOT);
    if (!this.#listeners.has(channel)) this.#stores.delete(channel);
    if (!this.#channels.size) this.#session.stopPing();
  }

  subscribe(channel, callback, options = {}) {
    this.#alive();
    if (typeof callback !== 'function') throw new TypeError('subscribe: callback must be a function');
    if (!this.#channels.has(channel)) throw lifelineError('LIFELINE_ERR_NOT_FOUND', `subscribe: unknown channel "${channel}" (call connect first)`);
    const events = options.events === undefined || options.events === null ? [] : [].concat(options.events).map(String);
    if (events.some((t) => !t || /[\r\n]/.test(t))) throw new TypeError('subscribe: event types must be non-empty single-line strings');
    const id = this.#nextSub++;
    const s = { channel, callback, events, priority: options.priority | 0, replay: options.replay >>> 0, seen: new Set(), order: [] };
    this.#subs.set(id, s);
    this.#send(this.#subMessage(id, s, null));
    return () => this.#unsubscribeId(id);
  }

  unsubscribe(channel, callback) {
    for (const [id, s] of [...this.#subs]) if (s.channel === channel && s.callback === callback) this.#unsubscribeId(id);
  }

  getConnectionStatus(channel) {
    return { ...this.#snapshotOf(channel) };
  }

  onStatus(channel, cb) {
    if (typeof cb !== 'function') throw new TypeError('onStatus: callback must be a function');
    let set = this.#listeners.get(channel);
    if (!set) this.#listeners.set(channel, (set = new Set()));
    const entry = (s) => cb(s);
    set.add(entry);
    return () => {
      if (!set.delete(entry) || set.size || this.#listeners.get(channel) !== set) return;
      this.#listeners.delete(channel);
      if (!this.#channels.has(channel)) this.#stores.delete(channel);
    };
  }

  statusStore(channel) {
    let store = this.#stores.get(channel);
    if (!store) {
      store = Object.freeze({
        subscribe: (cb) => {
          const off = this.onStatus(channel, () => cb());
          if (!this.#stores.has(channel)) this.#stores.set(channel, store);
          return off;
        },
        getSnapshot: () => this.#snapshotOf(channel),
      });
      if (this.#channels.has(channel)) this.#stores.set(channel, store);
    }
    return store;
  }

  retryNow(channel) {
    if (this.#channels.has(channel)) this.#send({ t: 'retry', ch: channel });
  }

  /**
   * This tab's figures, and under `origin` the hub's (every tab's streams: the manager's
   * metrics plus `tabs`) as last reported; the call asks the hub for fresh ones (originMetrics()
   * waits for them).
   */
  getMetrics() {
    let subscribers = 0;
    for (const s of this.#subs.values()) if (this.#channels.has(s.channel)) subscribers++;
    this.#send({ t: 'metrics' });
    return {
      connections: 0, channels: this.#channels.size, subscribers, sharing: this.sharing, ...this.#counts, origin: this.#origin,
    };
  }

  /** Resolves to the hub's figures (those under getMetrics().origin), fresh. */
  originMetrics() {
    return new Promise((resolve) => {
      this.#metricsWaiting.push(resolve);
      this.#send({ t: 'metrics' });
    });
  }

  /** The Prometheus text is the hub's: ask it with originMetrics(); a shared tab has none of its own. */
  getPrometheusMetrics() {
    return null;
  }

  retainedState() {
    return {
      channels: this.#channels.size, channelHandles: this.#channels.size, connections: 0, subscribers: this.#subs.size,
      snapshots: this.#channels.size, listeners: this.#listeners.size, stores: this.#stores.size,
    };
  }

  closeAll() {
    for (const name of [...this.#channels.keys()]) this.disconnect(name);
  }

  /** closeAll, then leaves the hub: its streams close after their linger when no tab uses them. */
  destroy() {
    if (this.#destroyed) return;
    this.closeAll();
    this.#send({ t: 'bye' });
    this.#destroyed = true;
    this.#session.close();
  }

  /** The worker's test hooks, 'test:die' and 'test:forget': what browsers do to shared workers. */
  testHook(name) {
    if (name === 'test:die' || name === 'test:forget') this.#session.sendNow({ t: name });
  }

  /** For share-tab.js: the link failed to open (the worker did not start); opens another. */
  reconnectHub() {
    if (!this.#destroyed) this.#session.lost();
  }

  /** For share-tab.js: an error of the link, to the app's onError. */
  reportError(err) {
    this.#onError(err);
  }

  // ---- the link to the hub ----

  #send(msg) {
    if (!this.#destroyed) this.#session.send(msg);
  }

  #receive(msg) {
    if (this.#destroyed) return;
    switch (msg.t) {
      case 'welcome': return this.#welcome(msg.epoch);
      case 'who': return this.#session.who();
      case 'ev': return this.#events(msg.b);
      case 'status': return this.#status(msg.ch, msg.s);
      case 'gap': return this.#gap(msg.ch, msg.after);
      case 'metrics': return this.#metrics(msg.m);
      case 'error': return this.#onError(errorFromWire(msg.e));
      default: return undefined;
    }
  }

  // Registered with a hub: all of this tab's state goes to it. After a rebuild each subscription
  // asks from its channel's last event, and the hub's first connection resumes from there.
  #welcome(epoch) {
    const rebuilt = this.#welcomes++ > 0 || [...this.#channels.values()].some((c) => c.last !== null);
    this.#session.welcomed(epoch);
    if (rebuilt) this.#counts.rebuilds++;
    for (const [ch, c] of this.#channels) this.#send({ t: 'connect', ch, url: c.url, opts: c.options, last: c.last, recent: c.recent });
    for (const [id, s] of this.#subs) if (this.#channels.has(s.channel)) this.#send(this.#subMessage(id, s, this.#channels.get(s.channel)));
    if (this.#channels.size) this.#session.startPing();
  }

  // A rebuild (c: the channel's record) asks for what came after the tab's last event.
  #subMessage(id, s, c) {
    return { t: 'sub', ch: s.channel, sub: id, events: s.events, priority: s.priority, replay: s.replay, after: c?.last ?? null, recent: c?.recent ?? [] };
  }

  #events(batch) {
    for (const [id, type, data, eventId, flags] of batch) {
      const s = this.#subs.get(id);
      if (!s || !this.#channels.has(s.channel)) continue;
      const replayed = (flags & REPLAYED) !== 0;
      if (eventId && !replayed) {
        if (s.seen.has(eventId)) {
          this.#counts.duplicatesDropped++;
          continue;
        }
        s.seen.add(eventId);
        if (s.order.push(eventId) > SEEN_IDS) s.seen.delete(s.order.shift());
        const c = this.#channels.get(s.channel);
        if (c.last !== eventId) {
          c.last = eventId;
          if (c.recent.push(eventId) > RECENT_IDS) c.recent.shift();
        }
      }
      const event = { type, data, id: eventId, channel: s.channel };
      if (replayed) event.replayed = true;
      if (flags & CAUGHT_UP) event.caughtUp = true;
      this.#counts.delivered++;
      try {
        s.callback(event);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  #status(channel, s) {
    if (!this.#channels.has(channel)) return;
    this.#setSnapshot(channel, Object.freeze(s));
  }

  // The new hub's stream does not reach back to this tab's last event: say so as a server that
  // cannot resume does (the status's lastReset), and to onError.
  #gap(channel, after) {
    const c = this.#channels.get(channel);
    if (!c) return;
    const lastReset = Object.freeze({ at: Date.now(), data: 'share: gap' });
    this.#setSnapshot(channel, Object.freeze({ ...c.snapshot, lastReset }));
    this.#onError(lifelineError('LIFELINE_ERR_STATE', `share: the rebuilt stream of "${channel}" does not reach back to event ${JSON.stringify(after)}: events after it may be missing in this tab`));
  }

  #metrics(m) {
    this.#origin = m;
    for (const resolve of this.#metricsWaiting.splice(0)) resolve(m);
  }

  #setSnapshot(channel, snap) {
    const c = this.#channels.get(channel);
    if (c) c.snapshot = snap;
    for (const cb of [...(this.#listeners.get(channel) ?? [])]) cb(snap);
  }

  #snapshotOf(channel) {
    return this.#channels.get(channel)?.snapshot ?? IDLE_SNAPSHOT;
  }

  #unsubscribeId(id) {
    if (!this.#subs.delete(id)) return;
    this.#send({ t: 'unsub', sub: id });
  }

  #alive() {
    if (this.#destroyed) throw lifelineError('LIFELINE_ERR_STATE', 'the manager was destroyed');
  }
}
