/**
 * Starts the "Strategist live" demo on 127.0.0.1 and prints its URL: the reference SSE server,
 * the mock AI services and Vite's dev server for demo/app. PORT picks Vite's port (default 5173).
 */
import { launchDemo } from './launch.js';
import { startAll } from './server/index.js';

const demo = await launchDemo({ startAll, port: Number(process.env.PORT ?? 5173) });
console.log(`Lifeline demo: ${demo.url}`);
console.log(`  SSE server ${demo.urls.sse} · AI services ${Object.entries(demo.urls.ai ?? {}).map(([k, v]) => `${k} ${v}`).join(' · ')}`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  demo.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
