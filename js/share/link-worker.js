/**
 * The link from a tab to the origin's SharedWorker hub. The worker script ships in the package
 * and is named by a literal `new URL(..., import.meta.url)` inside `new SharedWorker(...)`, which
 * bundlers (Vite, webpack 5) recognise: they bundle the worker and rewrite its URL, in dev and
 * in a production build, with no configuration in the app.
 * Internal to js/share/share-tab.js.
 */

/** True where this engine has SharedWorker (missing on Chrome for Android before 2024, and in Node). */
export function hasSharedWorker() {
  return typeof globalThis.SharedWorker === 'function';
}

/**
 * Opens a port to the worker (starting it if no tab has). onMessage(msg) hears the hub;
 * onFail(err) hears that the worker could not start (its script failed to load or threw).
 */
export function workerLink(onMessage, onFail) {
  const worker = new SharedWorker(new URL('./share-worker.js', import.meta.url), { type: 'module', name: 'lifeline-sse' });
  worker.onerror = (e) => onFail(new Error(`share: the SharedWorker failed to start (${e.message || 'script error'})`));
  worker.port.onmessage = (e) => onMessage(e.data);
  worker.port.start();
  return { kind: 'worker', post: (msg) => worker.port.postMessage(msg), close: () => worker.port.close() };
}
