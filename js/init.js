/**
 * init(): what an app awaits before it creates a manager or a router. It loads the SSE core and,
 * with `router: true`, the router module (js/wasm.js), and with `share: 'origin'` the sharing
 * chunk (js/share/share-tab.js, a chunk of its own: pages that do not share never fetch it).
 * Apart from wasm.js because the sharing chunk's modules use the core: wasm.js must not import
 * them back.
 */
import { init as loadWasm } from './wasm.js';
import { setShare } from './share-slot.js';

let shareLoading = null;

/**
 * Safe to call many times: each part loads once; a failed load is tried again by the next call.
 * @param {import('./wasm.d.ts').InitOptions} [options]
 */
export function init(options = {}) {
  if (options.share !== undefined && options.share !== 'tab' && options.share !== 'origin') {
    return Promise.reject(new TypeError(`init: share must be 'tab' or 'origin', got ${JSON.stringify(options.share)}`));
  }
  const wasm = loadWasm(options);
  if (options.share !== 'origin') return wasm;
  shareLoading ??= import('./share/share-tab.js').then(
    (m) => setShare(m.shareLoader(options)),
    (err) => { shareLoading = null; throw err; },
  );
  return Promise.all([wasm, shareLoading]).then(() => undefined);
}
