// Number formats shared by the README row makers; every figure comes from a result file.
export const ms = (v) => `${Math.round(v)} ms`;
export const s = (v, digits = 1) => `${(v / 1000).toFixed(digits)} s`;
/** Under a second in ms, else in s. */
export const dur = (v) => (Math.abs(v) < 1000 ? ms(v) : s(v));
export const met = (ok) => (ok ? 'met' : '**not met**');
export const int = (n) => Number(n).toLocaleString('en-US');
export const pct = (x, digits = 1) => `${(x * 100).toFixed(digits)}%`;

/**
 * A comparison of times where `x` is the peer's time over lifeline's: above 1 lifeline is
 * faster, below 1 it is slower; both are said in words.
 */
export function versus(x) {
  const r = (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));
  return x >= 1 ? `lifeline ${r(x)}× faster` : `lifeline slower: ${x < 0.1 ? x.toPrecision(2) : x.toFixed(2)}× (the peer is ${r(1 / x)}× faster)`;
}
