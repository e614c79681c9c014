// A RouterHub in a worker thread, for tests/react/ai-stream-shared.test.js: a context of its own,
// as the SharedWorker is, with real routers (the router module in Node, global fetch) reached
// over a MessagePort (structured cloning). Each message from the port is one of a tab's r:*.
import { parentPort } from 'node:worker_threads';
import { init, createRouter } from '../../js/index.js';
import { RouterHub } from '../../js/share/router-hub.js';

await init({ router: true });
const hub = new RouterHub('thread', async () => createRouter);
parentPort.on('message', (msg) => {
  if (msg.t === 'test:stop') {
    hub.destroy();
    parentPort.close();
    return;
  }
  hub.receive(msg, (m) => parentPort.postMessage(m));
});
parentPort.postMessage({ t: 'test:up' });
