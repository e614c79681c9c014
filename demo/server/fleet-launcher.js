/**
 * Starts fleet instances as real processes (`REDIS_URL=... node demo/server/cli.js --port N
 * --interval 0`), for the tests, the fleet e2e and the benchmark: kill -9 and SIGTERM act on a
 * real process, as they would in production.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));

/**
 * Spawns one instance; resolves once it printed its URLs. opts: redisUrl, port (required, so a
 * restart comes back on the same one), args (extra CLI arguments), env.
 * Resolves to {port, urls, proc, pid, exited (Promise of {code, signal}), stderr(), kill(sig)}.
 */
export function startFleetProcess({ redisUrl, port, args = [], env = {} }) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, '--port', String(port), '--interval', '0', ...args], {
      env: { ...process.env, ...env, REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    proc.stderr.on('data', (d) => { err += d; });
    // An exit before the URLs came is a failure to start (after them, a no-op on a settled promise).
    exited.then(({ code, signal }) => reject(new Error(`fleet instance exited (${code ?? signal}) before it started: ${err}`)));
    proc.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      proc.stdout.removeAllListeners('data');
      proc.stdout.resume();
      resolve({
        port, urls: JSON.parse(line), proc, pid: proc.pid, exited,
        stderr: () => err,
        kill: (sig = 'SIGKILL') => { if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig); return exited; },
      });
    });
  });
}

/** Polls url until it answers `status` (default 200) or ms pass. */
export async function waitForStatus(url, status = 200, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === status) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`${url} did not answer ${status} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
