// Injected before a page's own scripts (page.addInitScript) by bench/wakeups.bench.js: wraps
// setTimeout, setInterval and requestAnimationFrame so that every callback that runs while
// counting is on is counted, with the delay it was set for. A wakeup is a callback that ran.
export function countTimers() {
  const state = { counting: false, fired: 0, armed: 0, byDelay: {} };
  globalThis.__timerCount = state;
  const wrap = (orig, kind) => function wrapped(fn, delay, ...rest) {
    if (typeof fn !== 'function') return orig.call(this, fn, delay, ...rest);
    const label = `${kind} ${kind === 'raf' ? '' : Math.round(Number(delay) || 0)}`.trim();
    if (state.counting) state.armed++;
    return orig.call(this, function timerCallback(...args) {
      if (state.counting) {
        state.fired++;
        state.byDelay[label] = (state.byDelay[label] ?? 0) + 1;
      }
      return fn.apply(this, args);
    }, delay, ...rest);
  };
  globalThis.setTimeout = wrap(globalThis.setTimeout, 'setTimeout');
  globalThis.setInterval = wrap(globalThis.setInterval, 'setInterval');
  if (globalThis.requestAnimationFrame) globalThis.requestAnimationFrame = wrap(globalThis.requestAnimationFrame, 'raf');
}
