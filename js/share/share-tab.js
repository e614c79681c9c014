/**
 * The tab side of share: 'origin' (loaded by init({ share: 'origin' }), a chunk of its own):
 * picks where the origin's hub runs. A SharedWorker where there is one; otherwise, or when
 * the worker fails to start, a tab elected with Web Locks (link-locks.js).
 * Internal to js/wasm.js (a chunk loaded by init({ share: 'origin' })).
 */
import { SharedManager } from './client.js';
import { hasSharedWorker, workerLink } from './link-worker.js';
import { hasLocks, leaderLink } from './link-locks.js';

const VIA = ['auto', 'worker', 'locks'];

/** What init() keeps: createManager(options) for options.share === 'origin'. */
export function shareLoader() {
  return { createManager };
}

// The options a shared manager takes: the rest (clock, timers, fetch, storage, transports...)
// would have to run where the streams are held, in another context.
const OPTIONS = ['share', 'shareVia', 'onError'];

function createManager(options) {
  for (const k of Object.keys(options)) {
    if (!OPTIONS.includes(k)) throw new TypeError(`createManager: "${k}" cannot be used with share: 'origin' (the streams are held in a SharedWorker or another tab; known: ${OPTIONS.join(', ')})`);
  }
  const { shareVia = 'auto', ...rest } = options;
  if (!VIA.includes(shareVia)) throw new TypeError(`createManager: shareVia must be one of ${VIA.join(', ')}, got ${JSON.stringify(shareVia)}`);
  const worker = shareVia !== 'locks' && hasSharedWorker();
  if (!worker && !hasLocks()) {
    throw new TypeError("createManager: share: 'origin' needs SharedWorker or Web Locks and BroadcastChannel, and this engine has neither (use share: 'tab')");
  }
  let failed = !worker;
  const connectHub = (onMessage) => {
    if (failed) return leaderLink(onMessage);
    return workerLink(onMessage, (err) => {
      // A worker that cannot start (a blocked script, a CSP without worker-src) leaves the tab to the locks.
      if (failed || !hasLocks()) return manager.reportError(err);
      failed = true;
      return manager.reconnectHub();
    });
  };
  const manager = new SharedManager({ ...rest, connectHub });
  return manager;
}
