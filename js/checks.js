/**
 * Argument checks the core cannot make for the resilience modules: types (a string where a
 * number goes), unknown option names, the clock, and the range of a number crossing into a u32.
 * What a value may be is the core's to judge (its init functions). Internal to the shim.
 */

/** A number argument crossing into the core (a u32 there): its type and the u32 range. */
export function checkNumber(name, v, min, max, integer) {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${name} must be a number, got ${typeof v === 'number' ? 'NaN' : typeof v}`);
  if (integer && !Number.isInteger(v)) throw new RangeError(`${name} must be an integer, got ${v}`);
  if (v < min || v > max) throw new RangeError(`${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** The clock option: a function returning milliseconds. */
export function checkClock(clock) {
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
  return clock;
}

/** An options object: no unknown names, a clock that is a function. */
export function checkOptions(options, known, what) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${what} options must be an object`);
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new TypeError(`${what}: unknown option "${k}" (known: ${known.join(', ')})`);
  }
  if (options.clock !== undefined) checkClock(options.clock);
}

/** Numeric options must be numbers (the core judges their values). */
export function checkNumbers(options, names, prefix = '') {
  for (const k of names) {
    const v = options[k];
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) {
      throw new TypeError(`${prefix}${k} must be a number, got ${typeof v === 'number' ? 'NaN' : typeof v}`);
    }
  }
}

/** A random 53-bit seed from the host, used when the caller gives none */
export function hostSeed() {
  const a = new Uint32Array(2);
  globalThis.crypto.getRandomValues(a);
  return (a[0] & 0x1fffff) * 4294967296 + a[1];
}

// %TypedArray%.prototype's Symbol.toStringTag getter gives a typed array's own kind in any realm and
// cannot be spoofed by an object (it returns undefined for anything but a typed array).
const typedArrayTag = /* @__PURE__ */ Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;

/** True for a Uint8Array of any realm (an iframe's, a vm context's), where `instanceof` is false. */
export function isBytes(v) {
  return typedArrayTag.call(v) === 'Uint8Array';
}
