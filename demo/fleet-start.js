/**
 * The demo as a fleet of three instances over Redis (docs/servers.md, "A fleet over Redis"):
 * a redis-server of its own on a free loopback port (or REDIS_URL's), three processes of
 * `REDIS_URL=... node demo/server/cli.js --port N`, the first also running the mock AI services
 * and generating the strategist feed, all three probing the services into Redis. Prints what to
 * try; Ctrl-C stops everything. PORT sets the first instance's port (default 8081; the others
 * take the next two, the AI services the three after).
 */
import { startRedis } from './server/redis-process.js';
import { startFleetProcess, waitForStatus } from './server/fleet-launcher.js';

const first = Number(process.env.PORT ?? 8081);
const ports = [first, first + 1, first + 2];
const aiPorts = [first + 3, first + 4, first + 5];
const redis = process.env.REDIS_URL ? null : await startRedis({ persist: true });
const redisUrl = process.env.REDIS_URL ?? redis.url;
const probe = `gemini=http://127.0.0.1:${aiPorts[0]},perplexity=http://127.0.0.1:${aiPorts[1]},llama=http://127.0.0.1:${aiPorts[2]}`;
const instances = [];
const start = (i) => startFleetProcess({
  redisUrl, port: ports[i],
  args: i === 0
    ? ['--interval', '1500', '--ai-ports', aiPorts.join(','), '--name', 'fleet-1']
    : ['--no-ai', '--probe', probe, '--name', `fleet-${i + 1}`],
});
for (let i = 0; i < 3; i++) instances.push(await start(i));
for (const x of instances) await waitForStatus(x.urls.ready);
const [a, b, c] = instances.map((x) => x.urls);
console.log(`Lifeline fleet: three instances over ${redisUrl}
  ${a.sse}  ${b.sse}  ${c.sse}
Try:
  curl -N ${b.feed}                          # the feed from any instance (one shared log)
  curl -N -H 'Last-Event-ID: 0-0' ${c.feed}  # replayed from the start, by another instance
  curl -N '${a.health}'        # AI-service health as the fleet sees it
  curl ${a.ready}                            # readiness (Redis, lag, capacity, draining)
  kill -9 ${instances[1].pid}   # an instance dies; kill -TERM ${instances[2].pid}: it drains
  curl -X POST ${a.sse}/__ai/gemini/mode -d '{"mode":"refuse"}'   # an AI service dies
A client holds the list: createManager().connect('feed', '${a.feed}', { endpoints: ['${b.feed}', '${c.feed}'] })`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all(instances.map((x) => x.kill('SIGTERM')));
  await redis?.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
