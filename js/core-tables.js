/**
 * What the shim reads from the core instead of repeating it: error codes with their names and
 * messages, the names of the core's enums (src/platform/wasm_tables.c), and the resilience
 * configs, filled from the core's defaults and judged by the core's init functions
 * (src/platform/wasm_resilience.c). Read once per loaded core.
 */
import { getCore, coreError } from './wasm.js';
import { LifelineError } from './errors.js';

const TABLES = { mgrState: 0, mgrReason: 1, breakerState: 2, breakerReason: 3, netQuality: 4, health: 5, breakerMode: 6 };
const ERRNO_SPAN = 256; // codes are 0 down to -255 at most
const cache = /* @__PURE__ */ new WeakMap(); // core module -> its tables

/**
 * { mgrState, mgrReason, breakerState, breakerReason, netQuality, health, breakerMode: names by value;
 *   mgrFailure: by reason, whether a status with it is a failure (the last error); codes: name -> code }.
 */
export function coreTables(m = getCore()) {
  let t = cache.get(m);
  if (!t) cache.set(m, (t = build(m)));
  return t;
}

function build(m) {
  const t = {};
  for (const [key, table] of Object.entries(TABLES)) {
    const names = [];
    for (let i = 0, p; (p = m._lifeline_wasm_name(table, i)); i++) names.push(m.UTF8ToString(p));
    t[key] = Object.freeze(names);
  }
  t.mgrFailure = Object.freeze(t.mgrReason.map((_, r) => m._lifeline_wasm_mgr_reason_is_failure(r) === 1));
  const codes = {};
  for (let code = 0; code > -ERRNO_SPAN; code--) {
    const name = m.UTF8ToString(m._lifeline_wasm_errname(code));
    if (name !== 'LIFELINE_ERR_UNKNOWN') codes[name] = code;
  }
  t.codes = Object.freeze(codes);
  return Object.freeze(t);
}

/** coreError for the code the core calls `name` (for example 'LIFELINE_ERR_NO_MEMORY'). */
export function errorNamed(name, context) {
  return coreError(codeOf(name), context);
}

/** A LifelineError with the core's code for `name` (for example 'LIFELINE_ERR_STATE') and our message. */
export function lifelineError(name, message) {
  return new LifelineError(name, message, codeOf(name));
}

function codeOf(name) {
  const code = coreTables().codes[name];
  if (code === undefined) throw new Error(`lifeline: the core has no error named ${name}`);
  return code;
}

/**
 * Builds a backoff or breaker (`kind`) in core module `m`. `fields` names the options in the order of
 * the core's config; the core's defaults fill what `given` leaves out. The core alone judges the
 * values: when it refuses, the error names the given options it refuses (those whose default
 * makes the config pass, or every given one when no single default does).
 */
export function coreConfigured(kind, fields, given, what, m = getCore()) {
  const cfg = m._malloc(fields.length * 8);
  if (!cfg) throw errorNamed('LIFELINE_ERR_NO_MEMORY', what);
  try {
    const at = cfg >> 3;
    m[`_lifeline_wasm_${kind}_defaults`](cfg);
    const defaults = m.HEAPF64.slice(at, at + fields.length);
    const values = fields.map((f, i) => (given[f] === undefined ? defaults[i] : given[f]));
    const create = (v) => {
      m.HEAPF64.set(v, at);
      return m[`_lifeline_wasm_${kind}_new`](cfg);
    };
    const accepted = (v) => {
      const p = create(v);
      if (p) m[`_lifeline_wasm_${kind}_free`](p);
      return p !== 0;
    };
    const ptr = create(values);
    if (ptr) return { ptr, values: Object.fromEntries(fields.map((f, i) => [f, values[i]])) };
    if (!accepted(defaults)) throw errorNamed('LIFELINE_ERR_NO_MEMORY', what);
    const mine = fields.filter((f) => given[f] !== undefined && f !== 'seed'); // every seed is valid
    const refused = mine.filter((f) => accepted(values.map((v, i) => (fields[i] === f ? defaults[i] : v))));
    const named = (refused.length ? refused : mine).map((f) => `${f} = ${JSON.stringify(given[f])}`).join(', ');
    const err = errorNamed('LIFELINE_ERR_INVALID_ARGUMENT', what);
    if (named) err.message += `: ${named}`;
    throw err;
  } finally {
    m._free(cfg);
  }
}

/** The core's value for a jitter name, or -1 (which the core refuses) for an unknown one. */
export function jitterOf(name) {
  const m = getCore();
  const n = m.lengthBytesUTF8(name) + 1;
  const p = m._malloc(n);
  if (!p) throw errorNamed('LIFELINE_ERR_NO_MEMORY', 'jitter');
  m.stringToUTF8(name, p, n);
  try {
    return m._lifeline_wasm_jitter_parse(p);
  } finally {
    m._free(p);
  }
}
