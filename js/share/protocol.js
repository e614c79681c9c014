/**
 * What tabs and the hub that holds the connections say to each other (docs/sharing.md). The
 * hub runs in a SharedWorker, or in the leader tab where SharedWorker is missing; the words
 * are the same over a MessagePort and over a BroadcastChannel. Every message is a plain object
 * with a `t` (its kind); everything in it survives structured cloning (no functions).
 *
 *   tab → hub: hello {tab}, connect {ch, url, opts, last, recent}, disconnect {ch},
 *              sub {ch, sub, events, priority, replay, after, recent}, unsub {sub}, retry {ch},
 *              metrics {}, ping {}, bye {}, and the test hooks test:die, test:forget
 *   hub → tab: welcome {epoch}, who {} (unknown tab: say hello), status {ch, s},
 *              ev {b: [[sub, type, data, id, flags], ...]} (flags: REPLAYED | CAUGHT_UP),
 *              gap {ch, after} (events after `after` were lost to this tab),
 *              error {ch, e} (e: wire-errors.js), metrics {m}, pong {epoch}
 * Shared routers (createRouter({ share: 'origin' })) speak r:* messages on the same links:
 * js/share/router-hub.js lists them.
 * Internal to js/share/client.js and js/share/hub.js (the tab and hub sides), and to the other
 * modules of js/share/ (hub-session.js, link-locks.js, hub-host.js, router-*.js).
 */

/**
 * True in a document whose origin is opaque (a sandboxed iframe without allow-same-origin, a data:
 * URL): no other context shares that origin, and Chromium denies SharedWorker there (the
 * constructor throws) and Web Locks (navigator.locks is there, every request rejects).
 */
export const opaqueOrigin = () => globalThis.origin === 'null';

/** navigator.locks where its requests can be granted; null where it is missing or denied. */
export const webLocks = () => (opaqueOrigin() ? null : globalThis.navigator?.locks ?? null);

/** Bits of an event's flags in an `ev` batch. */
export const REPLAYED = 1;
export const CAUGHT_UP = 2;

/** The name of the SharedWorker, and the prefix of every Web Lock and BroadcastChannel. */
export const SHARE_NAME = 'lifeline-sse';

/** Web Lock a tab holds for its lifetime: the hub asks for it and so learns when the tab is gone. */
export const tabLock = (tab) => `${SHARE_NAME}:tab:${tab}`;
/** Web Lock the hub holds for its lifetime: tabs ask for it and so learn when the hub is gone. */
export const hubLock = (epoch) => `${SHARE_NAME}:hub:${epoch}`;
/** Web Lock held by the tab that leads (the hub) where SharedWorker is missing. */
export const LEADER_LOCK = `${SHARE_NAME}:leader`;
/** Web Lock a tab holds while it steals the leader's lock from a frozen leader: one steals at a time. */
export const STEAL_LOCK = `${SHARE_NAME}:steal`;

/**
 * The heartbeat on the port: how a tab notices a hub that is gone (where Web Locks are missing)
 * or that came back with a fresh global scope (its epoch changed). A page's timers may be
 * throttled in the background (once a second, or once a minute after five hidden minutes), so
 * a hub is judged dead only when a ping it was sent stayed unanswered for HUB_DEAD_MS.
 */
export const PING_MS = 1000;
export const HUB_DEAD_MS = 3000;
/**
 * A hello not welcomed within this is said again on a new link: a SharedWorker that is closing
 * takes new ports and never answers them (Chromium hands a tab that rebuilds at once the worker
 * that just called close()), and pings only start after a welcome.
 */
export const HELLO_MS = 1000;
/**
 * Where Web Locks are missing, the hub cannot learn that a tab closed or crashed from its lock,
 * and drops a tab it has heard nothing from (pings included) for this long instead. Long, because
 * a tab hidden for five minutes may have its timers run once a minute.
 */
export const TAB_SILENT_MS = 150_000;

/**
 * Events per channel the hub keeps so that a tab that fell behind during a rebuild catches up,
 * and their most bytes (type, data and id, 2 bytes a UTF-16 unit): the hub's memory stays
 * bounded whatever the server sends; a tab behind what is kept is told of the gap.
 */
export const CATCH_UP_EVENTS = 512;
export const CATCH_UP_BYTES = 1 << 20;
/** Event ids per subscription a tab remembers to drop the repeats of a rebuild or handover. */
export const SEEN_IDS = 512;
/** Event ids per channel a tab sends when it rebuilds, so that the hub can order the tabs' positions. */
export const RECENT_IDS = 64;
/**
 * How long a hub that a rebuilding tab brought a stream back to waits for the other tabs'
 * positions before it opens it (they lost the hub at the same moment, so they come within it).
 */
export const GATHER_MS = 120;

/** A random id for a tab or a hub's life (its epoch). */
export function randomId() {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** The hub's name for a tab's channel: tabs share a stream when the name, URL and options match. */
export function hubChannel(ch, url, opts) {
  return `${ch}\u0001${url}\u0001${JSON.stringify(opts ?? {})}`;
}

/**
 * The options of connect() and subscribe() that cannot cross to another tab or a worker: a
 * function stays in the tab that made it.
 */
export function functionOptions(opts, where) {
  const found = [];
  const walk = (v, path) => {
    if (typeof v === 'function') found.push(path);
    else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(opts, '');
  if (found.length) {
    throw new TypeError(`${where}: with share: 'origin' the stream is held in another context, so options cannot be functions (${found.join(', ')})`);
  }
}
