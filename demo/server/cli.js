#!/usr/bin/env node
/**
 * Starts the reference SSE server and the mock AI services and prints one JSON line with every
 * URL. Stops cleanly on SIGINT/SIGTERM.
 *   node demo/server/cli.js [--port N] [--host H] [--interval MS] [--heartbeat MS] [--log-size N]
 *     [--retry MS] [--analysis-step MS] [--ai-ports G,P,L] [--ai-latency MS] [--seed N]
 * PORT in the environment is used when --port is absent (default 0: a free port).
 */
import { parseArgs } from 'node:util';
import { startAll } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, host: { type: 'string' }, interval: { type: 'string' },
    heartbeat: { type: 'string' }, 'log-size': { type: 'string' }, retry: { type: 'string' },
    'analysis-step': { type: 'string' }, 'ai-ports': { type: 'string' }, 'ai-latency': { type: 'string' },
    seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: node demo/server/cli.js [--port N] [--host H] [--interval MS] [--heartbeat MS] [--log-size N] [--retry MS] [--analysis-step MS] [--ai-ports G,P,L] [--ai-latency MS] [--seed N]');
  process.exit(0);
}
const num = (v) => (v === undefined ? undefined : Number(v));
const sse = {
  intervalMs: num(values.interval) ?? 1500,
  heartbeatMs: num(values.heartbeat) ?? 15000,
  logSize: num(values['log-size']),
  retryMs: num(values.retry) ?? null,
  analysisStepMs: num(values['analysis-step']),
  seed: num(values.seed),
};
for (const k of Object.keys(sse)) if (sse[k] === undefined) delete sse[k];
const ai = { latencyMs: num(values['ai-latency']), seed: num(values.seed) };
for (const k of Object.keys(ai)) if (ai[k] === undefined) delete ai[k];
if (values['ai-ports']) {
  const [gemini, perplexity, llama] = values['ai-ports'].split(',').map(Number);
  ai.ports = { gemini, perplexity, llama };
}

const all = await startAll({ host: values.host, port: Number(values.port ?? process.env.PORT ?? 0), sse, ai });
console.log(JSON.stringify(all.urls));
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await all.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
