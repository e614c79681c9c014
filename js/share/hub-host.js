/**
 * Starts a hub where the connections are held (the SharedWorker, or the leader tab): loads the
 * SSE core, creates the hub's manager, holds the hub's Web Lock (tabs wait on it to learn the hub
 * is gone) and drops each tab whose own lock is released (it closed or crashed), or, where Web
 * Locks are missing, each tab silent for TAB_SILENT_MS.
 * Internal to js/share/share-worker.js and js/share/link-locks.js.
 */
import { init } from '../wasm.js';
import { createManager } from '../manager.js';
import { ShareHub } from './hub.js';
import { RouterHub } from './router-hub.js';
import { TAB_SILENT_MS, hubLock, randomId, tabLock, webLocks } from './protocol.js';

/**
 * Resolves to { hub, release() }: release() lets the hub's lock go and closes its streams.
 * initOptions: what init() is given (locateFile, wasmBinary); tabSilentMs: see TAB_SILENT_MS.
 */
export async function startHub(initOptions = {}, { tabSilentMs = TAB_SILENT_MS } = {}) {
  await init(initOptions);
  const epoch = randomId();
  const locks = webLocks();
  let release = () => {};
  if (locks) {
    await new Promise((held) => {
      locks.request(hubLock(epoch), () => new Promise((done) => { release = done; held(); }));
    });
  }
  // The hub's streams outlive any one tab: the linger is the manager's default.
  const hub = new ShareHub(createManager({ storage: null }), epoch);
  // Shared routers (createRouter({ share: 'origin' })): the router's JS and Wasm load when a tab
  // first asks, so a hub that only holds streams never fetches them.
  const routers = new RouterHub(epoch, async () => {
    await init({ ...initOptions, router: true });
    return (await import('../router.js')).createRouter;
  });
  const watched = new Set();
  const heard = new Map(); // tab id -> when it last said anything (only without Web Locks)
  const drop = (tab) => { hub.dropTab(tab); routers.dropTab(tab); };
  const sweep = locks ? null : setInterval(() => {
    const now = Date.now();
    for (const [tab, at] of heard) if (now - at > tabSilentMs) { heard.delete(tab); drop(tab); }
  }, Math.min(tabSilentMs, 30_000));
  const receive = (msg, send) => {
    if (sweep && typeof msg.tab === 'string') heard.set(msg.tab, Date.now());
    if ((msg.t === 'hello' || msg.t === 'r:hello') && locks && !watched.has(msg.tab)) {
      watched.add(msg.tab);
      // Granted once the tab lets its lock go: it closed, crashed, or was destroyed.
      locks.request(tabLock(msg.tab), () => { watched.delete(msg.tab); drop(msg.tab); });
    }
    if (msg.t.startsWith('r:')) routers.receive(msg, send);
    else hub.receive(msg, send);
  };
  return { hub, routers, receive, release: () => { clearInterval(sweep); routers.destroy(); hub.destroy(); release(); } };
}
