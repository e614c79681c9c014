/**
 * createRouter({ share: 'origin' }): the router's API in a tab whose router runs in the origin's
 * hub (js/share/router-hub.js; docs/sharing.md). Health arrives pushed from the hub, so
 * getHealth() and getSnapshot() answer at once from the last report; requests cross as plain
 * objects and their errors are rebuilt here as the same classes (LifelineError with its code,
 * capability and attempts; AbortError). When the hub is lost (its Web Lock is released, or a new
 * leader asks who is there) the tab opens its router again on the new hub; requests in flight
 * on the lost hub are rejected with LIFELINE_ERR_UNAVAILABLE (whether the service saw them is
 * unknown, so they are not resent), and so are its streams (js/share/stream-client.js).
 * Internal to js/share/share-tab.js.
 */
import { lifelineError } from '../core-tables.js';
import { functionOptions, randomId } from './protocol.js';
import { HubSession } from './hub-session.js';
import { errorFromWire } from './wire-errors.js';
import { SharedStream } from './stream-client.js';
import { checkStreamOptions } from '../stream-options.js';

// Options that would have to run where the router is held, in another context.
const LOCAL_ONLY = ['transport', 'clock', 'environment'];

export class SharedRouter {
  #session;
  #onError;
  #cfg;
  #rid = 1; // one router per object; the id names it in the hub's messages
  #health = [];
  #listeners = { status: new Set(), degraded: new Set(), recovered: new Set() };
  #storeListeners = new Set();
  #waiting = new Map(); // q -> { resolve, reject, off, stream? (a SharedStream: its r:sev go to it) }
  #nextQ = 1;
  #closed = false;
  #ready;
  #readyDone;

  /** options: the router's (no functions: see LOCAL_ONLY), connectHub as for SharedManager, onError. */
  constructor({ connectHub, onError, ...cfg }) {
    for (const k of LOCAL_ONLY) {
      if (cfg[k] !== undefined) throw new TypeError(`createRouter: "${k}" cannot be used with share: 'origin' (the router runs in a SharedWorker or another tab)`);
    }
    functionOptions(cfg, 'createRouter');
    if (!Array.isArray(cfg.services) || !cfg.services.length) throw lifelineError('LIFELINE_ERR_INVALID_ARGUMENT', 'createRouter: `services` is empty');
    this.#cfg = cfg;
    this.#onError = onError ?? ((err) => queueMicrotask(() => { throw err; }));
    this.#ready = new Promise((resolve, reject) => { this.#readyDone = { resolve, reject }; });
    this.#ready.catch(() => {}); // also reported to onError
    this.#session = new HubSession({
      tab: randomId(), hello: 'r:hello', ping: 'r:ping', connectHub,
      owner: { message: (msg) => this.#receive(msg), opening: () => this.#opening(), error: (err) => this.#onError(err) },
    });
  }

  /** Resolves once the hub holds this router (its first health report is in); rejects on a bad configuration. */
  get ready() {
    return this.#ready;
  }

  // ---- the router's API ----

  request(capability, opts = {}) {
    if (this.#closed) return Promise.reject(lifelineError('LIFELINE_ERR_STATE', 'router is closed'));
    const { signal, ...rest } = opts ?? {};
    try {
      functionOptions(rest, `request '${capability}'`);
    } catch (e) {
      return Promise.reject(e);
    }
    if (signal?.aborted) return Promise.reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    const q = this.#nextQ++;
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, off: null };
      if (signal) {
        // The caller hears the abort at once, as with a tab's own router; the hub cancels its attempts.
        const onAbort = () => {
          this.#settle(q);
          this.#send({ t: 'r:abort', q });
          reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        w.off = () => signal.removeEventListener('abort', onAbort);
      }
      this.#waiting.set(q, w);
      this.#whenOpen(() => this.#send({ t: 'r:req', rid: this.#rid, q, cap: String(capability), opts: rest }));
    });
  }

  /**
   * A streamed call run by the hub's router (its failover, breakers and health are the
   * origin's); the same API as a tab's own router.stream(). onStatus, onSwitch and signal stay
   * in this tab; the other options cross as plain objects, so a function among them (a path or
   * body function, a format adapter) throws a TypeError that names it. Option errors throw at once.
   */
  stream(capability, opts = {}) {
    if (this.#closed) throw lifelineError('LIFELINE_ERR_STATE', 'router is closed');
    const cap = String(capability);
    checkStreamOptions(cap, opts ?? {});
    const { signal, onStatus, onSwitch, ...rest } = opts ?? {};
    functionOptions(rest, `stream '${cap}'`);
    const q = this.#nextQ++;
    const st = new SharedStream({ onStatus, onSwitch, signal }, () => {
      this.#settle(q);
      this.#send({ t: 'r:abort', q });
    });
    if (signal?.aborted) return st; // it aborts itself in a microtask, as a tab's own stream does
    this.#waiting.set(q, { resolve: (v) => st.resolve(v), reject: (e) => st.reject(e), off: null, stream: st });
    // An abort before the hub had the router open: nothing is sent.
    this.#whenOpen(() => this.#waiting.has(q) && this.#send({ t: 'r:stream', rid: this.#rid, q, cap, opts: rest }));
    return st;
  }

  /** The hub's last health report, in registration order ([] until the first one). */
  getHealth() {
    return this.#health;
  }

  getSnapshot() {
    return this.#health;
  }

  subscribe(listener) {
    this.#storeListeners.add(listener);
    return () => this.#storeListeners.delete(listener);
  }

  /** Resolves to the hub router's explanation (it holds the breakers and health). */
  explain(capability) {
    const q = this.#nextQ++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(q, { resolve, reject, off: null });
      this.#whenOpen(() => this.#send({ t: 'r:explain', rid: this.#rid, q, cap: String(capability) }));
    });
  }

  onStatus(cb) { return this.#listen('status', cb); }
  onDegraded(cb) { return this.#listen('degraded', cb); }
  onRecovered(cb) { return this.#listen('recovered', cb); }

  /** Sent to the hub's router: it counts for every tab that shares it. */
  setOnline(online) {
    this.#whenOpen(() => this.#send({ t: 'r:online', rid: this.#rid, online: !!online }));
  }

  /** Sent to the hub's router; false for a service not in this router's configuration. */
  hint(name, hint = {}) {
    if (this.#closed || !this.#cfg.services.some((s) => s.name === name)) return false;
    functionOptions(hint, 'hint');
    this.#whenOpen(() => this.#send({ t: 'r:hint', rid: this.#rid, name, hint }));
    return true;
  }

  /** Leaves the hub's router (it closes when no tab holds it), rejects this tab's pending requests and aborts its streams. */
  close() {
    if (this.#closed) return;
    const closed = lifelineError('LIFELINE_ERR_STATE', 'router closed');
    for (const w of [...this.#waiting.values()]) w.stream?.abort(closed); // each tells the hub
    this.#send({ t: 'r:close', rid: this.#rid });
    this.#closed = true;
    this.#failPending(closed);
    this.#session.close();
    for (const set of Object.values(this.#listeners)) set.clear();
    this.#storeListeners.clear();
  }

  /** For share-tab.js: the worker failed to start; the next link goes to the leader. */
  reconnectHub() {
    if (!this.#closed) this.#session.lost();
  }

  // ---- the link to the hub ----

  // The hub that had the router open is gone: what it was running has no answer coming, and
  // what the app asks from now on waits for the next hub.
  #opening() {
    if (!this.#opened) return;
    this.#opened = false;
    this.#failLost();
  }

  // Requests and streams sent to a lost hub have no answer coming: whether the service saw them is unknown.
  #failLost() {
    this.#failPending(lifelineError('LIFELINE_ERR_UNAVAILABLE', 'share: the hub holding the router was lost during the request'));
  }

  #opened = false;
  #queued = [];

  // Messages about the router wait until the hub has it open (its r:open went first on this link).
  #whenOpen(run) {
    if (this.#opened) run();
    else this.#queued.push(run);
  }

  #send(msg) {
    if (!this.#closed) this.#session.send(msg);
  }

  #receive(msg) {
    if (this.#closed) return;
    switch (msg.t) {
      case 'r:welcome': return this.#welcome(msg.epoch);
      // A new leader, or a hub that does not know this tab: say hello again on the same link
      // (a new link here would be heard by the very loop that asks, link-locks.js).
      case 'who': return this.#session.who();
      case 'r:health': return this.#setHealth(msg.h);
      case 'r:note': return this.#emit(msg.kind, msg.a);
      case 'r:res': return this.#settle(msg.q)?.resolve(msg.v);
      case 'r:sev': return this.#waiting.get(msg.q)?.stream?.heard(msg.k, msg.v);
      case 'r:err': return this.#error(msg);
      default: return undefined;
    }
  }

  #welcome(epoch) {
    const again = this.#opened; // a new leader's welcome on the same link
    this.#session.welcomed(epoch);
    this.#opened = true;
    if (again) this.#failLost();
    this.#send({ t: 'r:open', rid: this.#rid, cfg: this.#cfg });
    for (const run of this.#queued.splice(0)) run();
    // A router-only tab must notice a frozen Web Locks leader as a manager's tab does.
    this.#session.startPing();
  }

  #setHealth(h) {
    this.#health = h;
    this.#readyDone.resolve();
    for (const cb of [...this.#storeListeners]) cb();
  }

  #error({ q, open, e }) {
    const err = errorFromWire(e);
    if (q != null) return this.#settle(q)?.reject(err);
    if (!open) return this.#onError(err);
    // The hub could not open the router (a bad service or option value): nothing of it will work.
    this.#readyDone.reject(err);
    this.#failPending(err);
    return this.#onError(err);
  }

  #settle(q) {
    const w = this.#waiting.get(q);
    if (!w) return undefined;
    this.#waiting.delete(q);
    w.off?.();
    return w;
  }

  #failPending(err) {
    for (const q of [...this.#waiting.keys()]) this.#settle(q).reject(err);
  }

  #listen(type, cb) {
    if (typeof cb !== 'function') throw new TypeError(`on${type[0].toUpperCase()}${type.slice(1)}: callback must be a function`);
    const set = this.#listeners[type];
    set.add(cb);
    return () => set.delete(cb);
  }

  #emit(type, args) {
    for (const cb of [...(this.#listeners[type] ?? [])]) {
      try {
        cb(...args);
      } catch (e) {
        this.#onError(e);
      }
    }
  }
}
