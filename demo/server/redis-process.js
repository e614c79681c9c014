// A real redis-server (Debian's) for the tests, the benchmarks and the fleet demo: started on
// loopback on a free port, without persistence unless asked (then an append-only file fsynced on
// every write, so a restart keeps the log, as a production Redis would), stopped at the end.
// Skips nothing: a missing redis-server fails loudly with the command that installs it.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

export function redisServerVersion() {
  try {
    return execFileSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** A free TCP port on 127.0.0.1 (taken and released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts redis-server; resolves to {port, url, stop(), kill(), start(), restart()} once it answers.
 * persist: keep the data across restarts (AOF, fsync always). The process is stopped when the
 * Node process exits too.
 */
export async function startRedis({ persist = false, port } = {}) {
  if (!redisServerVersion()) {
    throw new Error('redis-server is missing: run bash scripts/setup.sh (apt-get install -y redis-server)');
  }
  port ??= await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir,
    '--appendonly', persist ? 'yes' : 'no', '--appendfsync', 'always', '--daemonize', 'no',
    '--loglevel', 'warning', '--protected-mode', 'yes'];
  let proc = null;
  const r = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() { return !!proc; },
    async start() {
      if (proc) return r;
      const p = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', () => { if (proc === p) proc = null; });
      proc = p;
      for (let i = 0; i < 200; i++) {
        if (await answers(port)) return r;
        if (!proc) throw new Error(`redis-server exited: ${err}`);
        await sleep(25);
      }
      throw new Error('redis-server did not start');
    },
    /** SIGTERM (with persistence: the AOF is complete) and waits for the exit. */
    async stop() { await signal('SIGTERM'); },
    /** SIGKILL: a crash. */
    async kill() { await signal('SIGKILL'); },
    async restart(downMs = 0) {
      await r.stop();
      if (downMs) await sleep(downMs);
      return r.start();
    },
    async close() {
      await r.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  async function signal(sig) {
    const p = proc;
    if (!p) return;
    const exited = new Promise((res) => p.once('exit', res));
    p.kill(sig);
    await exited;
    proc = null;
  }
  process.once('exit', () => proc?.kill('SIGKILL'));
  return r.start();
}

/** True when a PING gets +PONG. */
function answers(port) {
  return new Promise((resolve) => {
    import('node:net').then(({ connect }) => {
      const s = connect(port, '127.0.0.1');
      let buf = '';
      s.setTimeout(500, () => { s.destroy(); resolve(false); });
      s.on('connect', () => s.write('PING\r\n'));
      s.on('data', (d) => {
        buf += d;
        if (buf.includes('\r\n')) { s.destroy(); resolve(buf.startsWith('+PONG')); }
      });
      s.on('error', () => resolve(false));
    });
  });
}
