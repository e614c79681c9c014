/**
 * Where SharedWorker is missing (or fails to start): the tabs elect a leader with the Web Locks
 * API and the leader runs the hub; every tab talks to it over a BroadcastChannel. A leader that
 * closes or crashes lets its lock go and the next tab in the lock's queue takes over at once. A
 * frozen leader keeps its lock, so a tab whose pings go unanswered steals the lock; the old
 * leader steps down when it wakes. Two leaders can live side by side for a moment: tabs drop
 * repeated event ids.
 * Internal to js/share/share-tab.js.
 */
import { LEADER_LOCK, SHARE_NAME } from './protocol.js';
import { startHub } from './hub-host.js';

/** How a follower judges the leader frozen: pings every PING_MS, none answered for DEAD_MS. */
const PING_MS = 200;
const DEAD_MS = 700;
// Followers that find the leader frozen at the same moment wait a random part of this before
// stealing, and do not steal once another has announced itself.
const STEAL_SPREAD_MS = 150;

/** True where the fallback can run. */
export function hasLocks() {
  return !!globalThis.navigator?.locks && typeof globalThis.BroadcastChannel === 'function';
}

// One election per page, whatever the number of managers in it.
let page = null;

function election() {
  if (page) return page;
  const bus = new BroadcastChannel(`${SHARE_NAME}:bus`);
  page = { bus, links: new Set(), host: null, announced: 0 };
  bus.onmessage = (e) => {
    const m = e.data;
    if (m.t === 'leader') {
      page.announced++;
      for (const link of page.links) link.hear({ t: 'who' });
    } else if (m.to !== 'hub') {
      for (const link of page.links) if (link.tab === m.to) link.hear(m.msg);
    }
  };
  campaign(false);
  return page;
}

// Waits in the lock's queue (or steals it); once granted, this page leads until the lock goes.
function campaign(steal) {
  const locks = globalThis.navigator.locks;
  locks.request(LEADER_LOCK, steal ? { steal: true } : {}, async () => {
    const host = await startHub();
    const hubBus = new BroadcastChannel(`${SHARE_NAME}:bus`);
    hubBus.onmessage = (e) => {
      if (e.data.to === 'hub') host.receive(e.data.msg, (msg) => hubBus.postMessage({ to: e.data.msg.tab, msg }));
    };
    page.host = { ...host, hubBus };
    hubBus.postMessage({ t: 'leader', epoch: host.hub.epoch });
    for (const link of page.links) link.hear({ t: 'who' });
    return new Promise((done) => { page.host.done = done; });
  }).catch(() => {
    // The lock was stolen from this page (it was thought frozen): step down, and queue again.
    stepDown();
    campaign(false);
  });
}

function stepDown() {
  const host = page.host;
  if (!host) return;
  page.host = null;
  host.hubBus.close();
  host.release();
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
    // The leader did not answer in time: unless another tab took over meanwhile, take over.
    suspect() {
      if (p.host) return;
      const seen = p.announced;
      setTimeout(() => { if (p.announced === seen && !p.host) campaign(true); }, Math.random() * STEAL_SPREAD_MS);
    },
  };
  Object.defineProperty(link, 'kind', { get: () => (p.host ? 'leader' : 'follower') });
  p.links.add(link);
  return link;
}
