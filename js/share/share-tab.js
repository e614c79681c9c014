/**
 * The tab side of share: 'origin' (loaded by init({ share: 'origin' }), a chunk of its own):
 * picks where the origin's hub runs. A SharedWorker where there is one; otherwise, or when
 * the worker fails to start, a tab elected with Web Locks (link-locks.js); in a document whose
 * origin is opaque, which no other context shares, the tab itself (link-solo.js).
 * Internal to js/wasm.js (a chunk loaded by init({ share: 'origin' })).
 */
import { SharedManager } from './client.js';
import { SharedRouter } from './router-client.js';
import { hasSharedWorker, workerLink } from './link-worker.js';
import { hasLocks, leaderLink } from './link-locks.js';
import { soloLink } from './link-solo.js';
import { opaqueOrigin } from './protocol.js';

const VIA = ['auto', 'worker', 'locks'];

/** What init() keeps: createManager(options) and createRouter(options) for options.share === 'origin'. */
export function shareLoader() {
  return { createManager, createRouter };
}

// The options a shared manager takes: the rest (clock, timers, fetch, storage, transports...)
// would have to run where the streams are held, in another context.
const OPTIONS = ['share', 'shareVia', 'onError'];

function createManager(options) {
  for (const k of Object.keys(options)) {
    if (!OPTIONS.includes(k)) throw new TypeError(`createManager: "${k}" cannot be used with share: 'origin' (the streams are held in a SharedWorker or another tab; known: ${OPTIONS.join(', ')})`);
  }
  const { shareVia = 'auto', ...rest } = options;
  const hub = hubLinks(whereToShare(shareVia, 'createManager'));
  const manager = new SharedManager({ ...rest, connectHub: hub.connect });
  hub.owner = { failed: (err) => manager.reportError(err), retry: () => manager.reconnectHub() };
  return manager;
}

// Opens links to the hub: the worker's port, or, once the worker failed to start, the leader's
// channel; in an opaque origin, the page's own hub.
function hubLinks(where) {
  let failed = where !== 'worker';
  const hub = {
    owner: null,
    connect: (onMessage) => {
      if (where === 'solo') return soloLink(onMessage);
      if (failed) return leaderLink(onMessage);
      return workerLink(onMessage, (err) => {
        // A worker that cannot start (a blocked script, a CSP without worker-src) leaves the tab to the locks.
        if (failed || !hasLocks()) return hub.owner.failed(err);
        failed = true;
        return hub.owner.retry();
      });
    },
  };
  return hub;
}

/**
 * createRouter({ share: 'origin', shareVia, onError, ...router options }): the router runs in the
 * hub, one per identical configuration for the origin (js/share/router-hub.js).
 */
function createRouter(options) {
  const { share, shareVia = 'auto', onError, ...cfg } = options;
  const hub = hubLinks(whereToShare(shareVia, 'createRouter'));
  let router = null;
  hub.owner = {
    failed: (err) => (onError ? onError(err) : queueMicrotask(() => { throw err; })),
    // The worker failed to start before the router had a hub: the tab's next link goes to the leader.
    retry: () => router?.reconnectHub(),
  };
  router = new SharedRouter({ ...cfg, onError, connectHub: hub.connect });
  return router;
}

// 'worker', 'locks' (a leader tab) or 'solo' (an opaque origin: whatever shareVia says, neither
// the worker nor the locks can run there); throws where the engine has neither.
function whereToShare(shareVia, where) {
  if (!VIA.includes(shareVia)) throw new TypeError(`${where}: shareVia must be one of ${VIA.join(', ')}, got ${JSON.stringify(shareVia)}`);
  if (opaqueOrigin()) return 'solo';
  if (shareVia !== 'locks' && hasSharedWorker()) return 'worker';
  if (!hasLocks()) {
    throw new TypeError(`${where}: share: 'origin' needs SharedWorker or Web Locks and BroadcastChannel, and this engine has neither (use share: 'tab')`);
  }
  return 'locks';
}
