/**
 * The hub side of createRouter({ share: 'origin' }) (docs/sharing.md): one router per identical
 * configuration for the whole origin, held by the hub (the SharedWorker or the leader tab), so
 * each service is probed once per interval however many tabs are open, and a breaker trips once.
 * Tabs hold it by reference: the last tab to close it (or to go) closes it. Its health and its
 * notices (status, degraded, recovered) are pushed to every tab that holds it; requests and
 * streams run here and their answers, events, or errors, go back as plain objects.
 *
 *   tab → hub: r:hello {tab}, r:ping {}, r:open {rid, cfg}, r:close {rid},
 *              r:req {rid, q, cap, opts},
 *              r:stream {rid, q, cap, opts}, r:abort {q} (a request or a stream),
 *              r:explain {rid, q, cap}, r:hint {rid, name, hint}, r:online {rid, online}
 *   hub → tab: r:welcome {epoch}, who {}, r:health {rid, h}, r:note {rid, kind, a},
 *              r:sev {q, k, v} (a stream's event k 'e', status 's' or switch notice 'w'),
 *              r:res {q, v} (an answer, a stream's result),
 *              r:err {q, open, e} (q null: not a request's; open: the router could not be made)
 *
 * A stream's events are posted as the hub's router yields them, none kept here: a slow tab's
 * backlog waits in its own message queue (structured clones, one answer's worth), not in the hub.
 * Internal to js/share/hub-host.js.
 */
import { lifelineError } from '../core-tables.js';
import { errorToWire } from './wire-errors.js';

// One configuration, one router: the key is its JSON (services in order, every option).
const keyOf = (cfg) => JSON.stringify(cfg);

export class RouterHub {
  #epoch;
  #load; // () => Promise<createRouter>, loads the router module on the first open
  #routers = new Map(); // key -> { router, holders: Set('tab\u0001rid'), off: [] }
  #tabs = new Map(); // tab id -> { send, rids: Map(rid -> key), reqs: Map(q -> AbortController) } (requests and streams)
  #chain = Promise.resolve();

  /** epoch: the hub's life; loadRouter(): resolves to createRouter once the router module is loaded. */
  constructor(epoch, loadRouter) {
    this.#epoch = epoch;
    this.#load = loadRouter;
  }

  /** Routers held (for tests and metrics). */
  get routerCount() {
    return this.#routers.size;
  }

  /**
   * One r:* message from a tab; send(msg) answers it. Opens wait for the router module, and
   * everything of a tab after its open waits with it, in order.
   */
  receive(msg, send) {
    if (msg.t === 'r:hello') {
      this.dropTab(msg.tab);
      this.#tabs.set(msg.tab, { send, rids: new Map(), reqs: new Map() });
      send({ t: 'r:welcome', epoch: this.#epoch });
      return;
    }
    if (msg.t === 'r:ping') return send({ t: 'pong', epoch: this.#epoch });
    const tab = this.#tabs.get(msg.tab);
    if (!tab) {
      send({ t: 'who' });
      return;
    }
    // open: the router could not be made (a bad service or option value), so nothing of it will work.
    this.#chain = this.#chain.then(() => this.#handle(msg, tab))
      .catch((err) => tab.send({ t: 'r:err', q: msg.q ?? null, open: msg.t === 'r:open', e: errorToWire(err) }));
  }

  async #handle(msg, tab) {
    if (msg.t === 'r:open') return this.#open(msg, tab);
    if (msg.t === 'r:abort') return tab.reqs.get(msg.q)?.abort();
    if (msg.t === 'r:close') return this.#release(tab, msg.tab, msg.rid);
    const router = this.#routers.get(tab.rids.get(msg.rid))?.router;
    if (!router) throw new TypeError(`share: unknown router ${msg.rid}`);
    switch (msg.t) {
      case 'r:req': return this.#request(router, msg, tab);
      case 'r:stream': return this.#stream(router, msg, tab);
      case 'r:explain': return tab.send({ t: 'r:res', q: msg.q, v: router.explain(msg.cap) });
      case 'r:hint': return router.hint(msg.name, msg.hint);
      case 'r:online': return router.setOnline(msg.online);
      default: throw new TypeError(`share: unknown message "${msg.t}"`);
    }
  }

  async #open({ rid, cfg, tab: id }, tab) {
    const key = keyOf(cfg);
    let held = this.#routers.get(key);
    if (!held) {
      const createRouter = await this.#load();
      if (this.#tabs.get(id) !== tab) return; // the tab left while the module loaded
      held = this.#routers.get(key) ?? this.#start(key, createRouter(cfg));
    }
    held.holders.add(`${id}\u0001${rid}`);
    tab.rids.set(rid, key);
    tab.send({ t: 'r:health', rid, h: held.router.getSnapshot() });
  }

  // A new router: its health and notices go to every tab that holds it.
  #start(key, router) {
    const held = { router, holders: new Set(), off: [] };
    this.#routers.set(key, held);
    let last = null;
    held.off.push(router.subscribe(() => {
      const h = router.getSnapshot();
      if (h === last) return;
      last = h;
      this.#toHolders(held, (rid) => ({ t: 'r:health', rid, h }));
    }));
    for (const kind of ['status', 'degraded', 'recovered']) {
      const on = { status: 'onStatus', degraded: 'onDegraded', recovered: 'onRecovered' }[kind];
      held.off.push(router[on]((...a) => this.#toHolders(held, (rid) => ({ t: 'r:note', rid, kind, a }))));
    }
    return held;
  }

  #toHolders(held, make) {
    for (const holder of held.holders) {
      const [id, rid] = holder.split('\u0001');
      this.#tabs.get(id)?.send(make(Number(rid)));
    }
  }

  // Not awaited: requests of one tab run side by side; an abort message reaches its controller.
  #request(router, { q, cap, opts }, tab) {
    const ctrl = new AbortController();
    tab.reqs.set(q, ctrl);
    router.request(cap, { ...opts, signal: ctrl.signal }).then(
      (v) => tab.send({ t: 'r:res', q, v }),
      (err) => tab.send({ t: 'r:err', q, e: errorToWire(err) }),
    ).finally(() => tab.reqs.delete(q));
  }

  // Not awaited, like a request. The router's own option errors throw here, and so reach the
  // tab as r:err. The abort controller is the r:abort's, and dropTab's when the tab goes.
  #stream(router, { q, cap, opts }, tab) {
    const ctrl = new AbortController();
    const st = router.stream(cap, {
      ...opts, signal: ctrl.signal,
      onStatus: (v) => tab.send({ t: 'r:sev', q, k: 's', v }),
      onSwitch: (v) => tab.send({ t: 'r:sev', q, k: 'w', v }),
    });
    tab.reqs.set(q, ctrl);
    (async () => {
      for await (const v of st) tab.send({ t: 'r:sev', q, k: 'e', v });
      return st.result;
    })().then(
      (v) => tab.send({ t: 'r:res', q, v }),
      (err) => tab.send({ t: 'r:err', q, e: errorToWire(err) }),
    ).finally(() => tab.reqs.delete(q));
  }

  #release(tab, id, rid) {
    const key = tab.rids.get(rid);
    if (key === undefined) return;
    tab.rids.delete(rid);
    const held = this.#routers.get(key);
    held.holders.delete(`${id}\u0001${rid}`);
    if (held.holders.size) return;
    for (const off of held.off) off();
    held.router.close();
    this.#routers.delete(key);
  }

  /**
   * A tab that closed, crashed or rebuilt, or every tab when the hub closes: its requests and
   * streams are aborted (a stream's fetch with them) and its routers released. The abort's
   * reason is what a tab still listening hears: not an AbortError, since the tab did not abort.
   */
  dropTab(id) {
    const tab = this.#tabs.get(id);
    if (!tab) return;
    const reason = lifelineError('LIFELINE_ERR_UNAVAILABLE', 'share: the hub holding the router closed during the request');
    for (const ctrl of tab.reqs.values()) ctrl.abort(reason);
    for (const rid of [...tab.rids.keys()]) this.#release(tab, id, rid);
    this.#tabs.delete(id);
  }

  /** Closes every router (the hub is done). */
  destroy() {
    for (const id of [...this.#tabs.keys()]) this.dropTab(id);
    for (const held of this.#routers.values()) held.router.close();
    this.#routers.clear();
  }
}
