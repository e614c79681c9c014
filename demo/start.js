/** Starts the demo on 127.0.0.1 and prints its URL. PORT picks the port (default 5173). */
import { startStaticServer } from './static-server.js';

const server = await startStaticServer({ port: Number(process.env.PORT ?? 5173) });
console.log(`Lifeline demo: ${server.url}/demo/`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
