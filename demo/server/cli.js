#!/usr/bin/env node
/**
 * Starts the reference SSE server and the mock AI services and prints one JSON line with every
 * URL. Stops cleanly on SIGINT/SIGTERM.
 *   node demo/server/cli.js [--port N] [--host H] [--interval MS] [--heartbeat MS] [--log-size N]
 *     [--retry MS] [--analysis-step MS] [--ai-ports G,P,L] [--ai-latency MS] [--seed N]
 * PORT in the environment is used when --port is absent (default 0: a free port).
 *
 * With REDIS_URL set, it starts one instance of a fleet instead (demo/server/fleet.js): the feed
 * and publish API over the shared Redis Streams log, /health/live, /health/ready, AI-service
 * health on ?topic=health, and SIGTERM drains. Fleet options: [--probe name=url,...] (services to
 * monitor; default the mock services it starts) [--no-ai] [--drain-spread MS] [--drain-timeout MS]
 * [--max-len N] [--probe-interval MS] [--name NAME] [--topics feed,ops] (topics besides health).
 */
import { parseArgs } from 'node:util';
import { startAll } from './index.js';
import { startFleetInstance } from './fleet.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, host: { type: 'string' }, interval: { type: 'string' },
    heartbeat: { type: 'string' }, 'log-size': { type: 'string' }, retry: { type: 'string' },
    'analysis-step': { type: 'string' }, 'ai-ports': { type: 'string' }, 'ai-latency': { type: 'string' },
    seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    probe: { type: 'string' }, 'no-ai': { type: 'boolean' }, 'drain-spread': { type: 'string' },
    'drain-timeout': { type: 'string' }, 'max-len': { type: 'string' }, 'probe-interval': { type: 'string' },
    name: { type: 'string' }, topics: { type: 'string' },
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

const port = Number(values.port ?? process.env.PORT ?? 0);
if (process.env.REDIS_URL) await fleet();
else {
  const all = await startAll({ host: values.host, port, sse, ai });
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
}

async function fleet() {
  const probe = values.probe ? Object.fromEntries(values.probe.split(',').map((p) => p.split(/=(.*)/s).slice(0, 2))) : undefined;
  const inst = await startFleetInstance({
    host: values.host, port, intervalMs: sse.intervalMs, heartbeatMs: sse.heartbeatMs, retryMs: sse.retryMs, seed: sse.seed,
    maxLen: num(values['max-len']), probe, probeIntervalMs: num(values['probe-interval']), name: values.name,
    topics: values.topics ? values.topics.split(',') : undefined,
    drain: { spreadMs: num(values['drain-spread']) ?? 1000, timeoutMs: num(values['drain-timeout']) ?? 10000 },
    ai: values['no-ai'] ? false : { ...ai, basePort: port && !ai.ports ? port + 1 : undefined },
  });
  console.log(JSON.stringify({ fleet: true, name: inst.name, ...inst.urls }));
  let stopping = false;
  const drain = async () => {
    if (stopping) return;
    stopping = true;
    const r = await inst.drain();
    console.error(`drained: ${r.left}/${r.streams} streams left by themselves`);
    process.exit(0);
  };
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);
}
