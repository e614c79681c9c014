/**
 * Where the document's origin is opaque (a sandboxed iframe without allow-same-origin, a data:
 * URL): no other context shares that origin, and the browser denies SharedWorker and Web Locks
 * there, so the tab holds the hub itself. Each link is a MessageChannel, as a worker's port is:
 * messages are cloned (neither side holds an object the other mutates) and are tasks that a
 * hidden page's timer throttling does not delay.
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
  const { port1: tab, port2: hubSide } = new MessageChannel();
  const reply = (msg) => hubSide.postMessage(msg);
  hubSide.onmessage = (e) => hub.then((host) => host.receive(e.data, reply), () => {});
  tab.onmessage = (e) => onMessage(e.data);
  return {
    kind: 'leader',
    post: (msg) => tab.postMessage(msg),
    close: () => tab.close(),
  };
}
