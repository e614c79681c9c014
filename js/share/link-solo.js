/**
 * Where the document's origin is opaque (a sandboxed iframe without allow-same-origin, a data:
 * URL): no other context shares that origin, and the browser denies SharedWorker and Web Locks
 * there, so the tab holds the hub itself and its managers and routers talk to it in the page.
 * What crosses is cloned and comes a task later, as over a port: neither side keeps or mutates
 * an object the other still holds.
 * Internal to js/share/share-tab.js.
 */
import { startHub } from './hub-host.js';

let started = null; // this page's hub, started by its first link

/** A link to the page's own hub ({ kind: 'leader', post(msg), close() }). */
export function soloLink(onMessage) {
  if (!started) {
    started = startHub();
    // A hub that could not start is tried again by the next link (the tab's hello is said again).
    started.catch(() => { started = null; });
  }
  const hub = started;
  let open = true;
  const send = (msg) => {
    const copy = structuredClone(msg);
    setTimeout(() => { if (open) onMessage(copy); }, 0);
  };
  return {
    kind: 'leader',
    post(msg) {
      const copy = structuredClone(msg);
      // Also after close(): a goodbye said just before it must reach the hub.
      hub.then((host) => host.receive(copy, send), () => {});
    },
    close() {
      open = false;
    },
  };
}
