/**
 * The tab side of share: 'origin' once init({ share: 'origin' }) has loaded it (js/init.js):
 * createManager and createRouter hand a shared call to it. A slot of its own, so that the
 * modules of the sharing chunk, which use the core, never import the loader that loads them.
 * Internal to js/init.js (writes), js/manager.js and js/router.js (read).
 */
import { LifelineError } from './errors.js';
import { NOT_READY_CODE } from './wasm.js';

let share = null;

/** For js/init.js: what the sharing chunk's shareLoader() returned. */
export function setShare(loaded) {
  share = loaded;
}

/** { createManager, createRouter } of the sharing chunk; a clear error before init() loaded it. */
export function getShare() {
  if (!share) throw new LifelineError('LIFELINE_ERR_STATE', "share: 'origin' needs `await init({ share: 'origin' })` first", NOT_READY_CODE);
  return share;
}
