/**
 * Starts a hub where the connections are held (the SharedWorker, or the leader tab): loads the
 * SSE core, creates the hub's manager, holds the hub's Web Lock (tabs wait on it to learn the hub
 * is gone) and drops each tab whose own lock is released (it closed or crashed).
 * Internal to js/share/share-worker.js and js/share/link-locks.js.
 */
import { init } from '../wasm.js';
import { createManager } from '../manager.js';
import { ShareHub } from './hub.js';
import { RouterHub } from './router-hub.js';
import { hubLock, randomId, tabLock } from './protocol.js';

/**
 * Resolves to { hub, release() }: release() lets the hub's lock go and closes its streams.
 * initOptions: what init() is given (locateFile, wasmBinary).
 */
export async function startHub(initOptions = {}) {
  await init(initOptions);
  const epoch = randomId();
  const locks = globalThis.navigator?.locks;
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
  const receive = (msg, send) => {
    if ((msg.t === 'hello' || msg.t === 'r:hello') && locks && !watched.has(msg.tab)) {
      watched.add(msg.tab);
      // Granted once the tab lets its lock go: it closed, crashed, or was destroyed.
      locks.request(tabLock(msg.tab), () => { watched.delete(msg.tab); hub.dropTab(msg.tab); routers.dropTab(msg.tab); });
    }
    if (msg.t.startsWith('r:')) routers.receive(msg, send);
    else hub.receive(msg, send);
  };
  return { hub, routers, receive, release: () => { routers.destroy(); hub.destroy(); release(); } };
}
