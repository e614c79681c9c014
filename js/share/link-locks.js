/**
 * Where SharedWorker is missing (or fails to start): the tabs elect a leader with the Web Locks
 * API and the leader runs the hub; every tab talks to it over a BroadcastChannel. A leader that
 * closes or crashes lets its lock go and the next tab in the lock's queue takes over at once. A
 * frozen leader keeps its lock, so a tab whose pings go unanswered steals the lock; the old
 * leader steps down when it wakes. Of the tabs that find the leader frozen at the same moment
 * one steals: the one that gets STEAL_LOCK, held until its hub is announced; a steal by each
 * made one new hub after another, each with its gather wait and its own stream (a takeover
 * took 810-890 ms instead of about 700). Two leaders can live side by side for a moment: tabs
 * drop repeated event ids.
 * Internal to js/share/share-tab.js.
 */
import { LEADER_LOCK, SHARE_NAME, STEAL_LOCK, webLocks } from './protocol.js';
import { startHub } from './hub-host.js';

/**
 * How a follower judges the leader frozen: pings every PING_MS, none answered for DEAD_MS. The
 * issue's bound is a takeover within 1 s; after the verdict come the steal, the new
 * hub's start, its GATHER_MS wait for positions and a new stream. The price: a leader whose main
 * thread is busy for DEAD_MS (a long task) loses the lead, which costs a handover, not events.
 */
const PING_MS = 150;
const DEAD_MS = 450;

/** True where the fallback can run. */
export function hasLocks() {
  return !!webLocks() && typeof globalThis.BroadcastChannel === 'function';
}

// One election per page, whatever the number of managers in it.
let page = null;

function election() {
  if (page) return page;
  const bus = new BroadcastChannel(`${SHARE_NAME}:bus`);
  page = { bus, links: new Set(), host: null, announcedAt: -Infinity };
  // Each delivery walks a copy of the links: a message can make a tab rebuild, which closes its
  // link and opens another; walking the live Set would reach the new link with the same message
  // (a pong of another epoch) and rebuild again, for ever: an old leader hung so after a steal.
  bus.onmessage = (e) => {
    const m = e.data;
    if (m.t === 'leader') {
      page.announcedAt = Date.now();
      for (const link of [...page.links]) link.hear({ t: 'who' });
    } else if (m.to !== 'hub') {
      for (const link of [...page.links]) if (link.tab === m.to) link.hear(m.msg);
    }
  };
  campaign(false);
  return page;
}

// Waits in the lock's queue (or steals it); once granted, this page leads until the lock goes.
// led() is called once this page's hub is announced, or the attempt failed.
function campaign(steal, led = () => {}) {
  const locks = globalThis.navigator.locks;
  locks.request(LEADER_LOCK, steal ? { steal: true } : {}, async () => {
    let host;
    try {
      host = await startHub();
    } finally {
      if (!host) led();
    }
    const hubBus = new BroadcastChannel(`${SHARE_NAME}:bus`);
    const self = { ...host, hubBus, leading: true };
    // The hub keeps each tab's send and uses it later too (statuses, events): a hub that stepped
    // down says nothing more, neither what closing its streams reports nor on a closed channel.
    hubBus.onmessage = (e) => {
      if (e.data.to === 'hub') host.receive(e.data.msg, (msg) => { if (self.leading) hubBus.postMessage({ to: e.data.msg.tab, msg }); });
    };
    page.host = self;
    hubBus.postMessage({ t: 'leader', epoch: host.hub.epoch }); // this page's bus hears it too
    led();
    for (const link of [...page.links]) link.hear({ t: 'who' });
    return new Promise((done) => { page.host.done = done; });
  }).catch(() => {
    // The lock was stolen from this page (it was thought frozen): step down, and queue again.
    led();
    stepDown();
    campaign(false);
  });
}

function stepDown() {
  const host = page.host;
  if (!host) return;
  page.host = null;
  host.leading = false;
  host.release();
  host.hubBus.close();
  host.done?.();
}

/**
 * A link to the leader. The leader may be this very tab: its hub listens on a BroadcastChannel
 * object of its own, which hears this page's other objects like any other tab's.
 */
export function leaderLink(onMessage) {
  const p = election();
  const link = {
    tab: null,
    pingMs: PING_MS,
    deadMs: DEAD_MS,
    hear: (msg) => onMessage(msg),
    post(msg) {
      link.tab = msg.tab;
      p.bus.postMessage({ to: 'hub', msg });
    },
    close() {
      p.links.delete(link);
    },
    // The leader did not answer in time: unless another tab takes over or just took over, take over.
    suspect() {
      const fresh = () => p.host || Date.now() - p.announcedAt < DEAD_MS;
      if (fresh()) return;
      globalThis.navigator.locks.request(STEAL_LOCK, { ifAvailable: true }, (lock) => {
        if (!lock || fresh()) return undefined;
        return new Promise((done) => campaign(true, done));
      });
    },
  };
  Object.defineProperty(link, 'kind', { get: () => (p.host ? 'leader' : 'follower') });
  p.links.add(link);
  return link;
}
