/**
 * The SharedWorker that holds an origin's streams for all its tabs (createManager({ share:
 * 'origin' })). Each tab connects a MessagePort; messages wait for the hub to start, in order.
 * Two test hooks stand for what browsers do to shared workers: `test:die` ends the worker (as
 * mobile Chrome does in the background), `test:forget` gives it a fresh state on the same ports
 * (as Safari does when it re-runs a worker's script).
 * Internal to js/share/link-worker.js (the SharedWorker it starts).
 */
import { startHub } from './hub-host.js';
import { errorToWire } from './wire-errors.js';

let host = null;
let starting = startHub();
starting.then((h) => { host = h; });

async function onMessage(port, msg) {
  if (!host) await starting;
  if (msg.t === 'test:die') {
    host.release();
    globalThis.close();
    return;
  }
  if (msg.t === 'test:forget') {
    host.release();
    host = null;
    starting = startHub();
    host = await starting;
    return;
  }
  host.receive(msg, (m) => port.postMessage(m));
}

globalThis.onconnect = (e) => {
  const port = e.ports[0];
  // One chain per port keeps each tab's messages in order while the hub starts or restarts.
  let chain = Promise.resolve();
  port.onmessage = (m) => { chain = chain.then(() => onMessage(port, m.data)).catch((err) => port.postMessage({ t: 'error', ch: null, e: errorToWire(err) })); };
};
