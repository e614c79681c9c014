/**
 * The option checks of router.stream(), apart from the driver so that a tab whose router runs
 * in the origin's hub (js/share/router-client.js) throws the same errors at once, without
 * loading the router module: unknown names (TypeError), out-of-range values (LifelineError
 * LIFELINE_ERR_INVALID_ARGUMENT). Internal to js/router-stream.js and js/share/router-client.js.
 */
import { lifelineError } from './core-tables.js';
import { checkOptions } from './checks.js';

const STREAM_OPTIONS = ['path', 'method', 'body', 'headers', 'signal', 'ttftMs', 'idleMs', 'afterCommit', 'format',
  'onStatus', 'onSwitch'];
// The names of lifeline_after_commit (stream-core.js AFTER_COMMIT holds their values).
const AFTER_COMMIT_NAMES = ['fail', 'restart', 'continue'];

const invalid = (message) => lifelineError('LIFELINE_ERR_INVALID_ARGUMENT', message);

/** Throws on an unknown option or a value out of range. */
export function checkStreamOptions(capability, opts) {
  checkOptions(opts, STREAM_OPTIONS, `stream '${capability}'`);
  for (const k of ['ttftMs', 'idleMs']) {
    const v = opts[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 600000)) throw invalid(`stream '${capability}': ${k} must be an integer of ms from 1 to 600000`);
  }
  if (opts.afterCommit !== undefined && !AFTER_COMMIT_NAMES.includes(opts.afterCommit)) {
    throw invalid(`stream '${capability}': afterCommit must be 'fail', 'restart' or 'continue'`);
  }
  if (opts.afterCommit === 'continue' && opts.body != null && typeof opts.body !== 'function' && typeof opts.body !== 'object') {
    throw invalid(`stream '${capability}': afterCommit 'continue' needs an object body or a body function`);
  }
}
