/**
 * Where a shared stream resumes, and what a rebuilding tab is owed, from what tabs know of their
 * own position: event ids are opaque strings, so "earlier" is only known from a tab's recent ids
 * in the order it received them (RECENT_IDS of them ending with its last). Pure functions, for
 * js/share/hub.js.
 * Internal to js/share/hub.js.
 */

/**
 * The resume id of a stream that rebuilding tabs bring back: a position no tab is behind (every
 * other tab has it among its recent ids, or stands on it), so that nobody misses an event; the
 * tabs ahead drop the repeats. Where no such position exists (tabs that were far apart), the one
 * the most tabs have seen. positions: [{ last, recent }]; null for none.
 */
export function earliest(positions) {
  let best = null;
  let bestCovered = -1;
  for (const p of positions) {
    const covered = positions.filter((q) => q.last === p.last || q.recent.includes(p.last)).length;
    if (covered > bestCovered) {
      best = p.last;
      bestCovered = covered;
    }
  }
  return best;
}

/**
 * What a tab that rebuilds onto an open stream is sent from the hub's ring ([type, data, id] in
 * stream order; `from` is the id just before its first entry, null when the stream started at the
 * server's "now"): the events after its last id `after`. `gap` is true when the ring does not
 * reach back to it, so events between were lost to that tab.
 */
export function catchUp({ ring, from }, after, recent) {
  const at = ring.findIndex((r) => r[2] === after);
  if (at >= 0) return { events: ring.slice(at + 1), gap: false };
  if (from != null && (after === from || recent.includes(from))) return { events: ring, gap: false };
  // Ahead of the ring's start: everything in it from its last known id on is owed.
  for (let i = recent.length - 1; i >= 0; i--) {
    const k = ring.findIndex((r) => r[2] === recent[i]);
    if (k >= 0) return { events: ring.slice(k + 1), gap: false };
  }
  return { events: ring, gap: true };
}
