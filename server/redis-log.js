/**
 * The Redis Streams event log: every instance of a fleet shares it, so any instance resumes any
 * client and all of them deliver one global order. One stream per topic (XADD appends, the
 * stream ids are the SSE ids), trimmed to a window (a length, MAXLEN, or an age, MINID). Two
 * keys beside it: the epoch holds the first id of the stream's current incarnation, so an id
 * from a log that was lost (a Redis without persistence restarted, a FLUSHALL) is told from a
 * live one; trimmed-through holds the last id the trimming removed.
 *
 * Every read is a Lua script that returns the facts with the entries, atomically: the last id
 * Redis generated, `max-deleted-entry-id` and the first entry (XINFO STREAM, Redis >= 7), the
 * epoch and trimmed-through. From them a position is judged lost (lostPosition below) and the
 * client gets `reset`, never a silent gap.
 *
 * One blocking connection per instance follows every topic that has streams (XREAD BLOCK, used
 * only as a wake-up: the entries are then read with the script, so they are validated the same
 * way) into a bounded ring per topic, from which live streams are fed without a Redis call each.
 *
 * The client library's offline queue is off: while Redis is unreachable a command fails at once
 * (`LogUnavailableError`, written: false) and can never be sent later behind the caller's back.
 * A connection that breaks while an append is in flight gives written: 'unknown'.
 */
import { createRequire } from 'node:module';
import { LogUnavailableError } from './errors.js';

const TOPIC_RE = /^[\w.:-]{1,64}$/;
const ID_RE = /^(\d{1,20})(?:-(\d{1,20}))?$/;
const MAX_U64 = 2n ** 64n - 1n;
const ZERO = '0-0';

// KEYS: stream, epoch, trimmed-through. Returns {exists, last-generated-id, max-deleted-entry-id,
// epoch, trimmed-through, recorded-first-entry-id, entries-added, length}.
const FACTS_LUA = `
local function facts(key, epochKey, trimKey)
  local epoch = redis.call('GET', epochKey) or ''
  local trimmed = redis.call('GET', trimKey) or ''
  if redis.call('EXISTS', key) == 0 then return {0, '0-0', '0-0', epoch, trimmed, '', 0, 0} end
  local info = redis.call('XINFO', 'STREAM', key)
  local f = {}
  for i = 1, #info, 2 do f[info[i]] = info[i + 1] end
  return {1, f['last-generated-id'], f['max-deleted-entry-id'] or '0-0', epoch, trimmed,
    f['recorded-first-entry-id'] or '', f['entries-added'] or 0, f['length'] or 0}
end
`;
const SCRIPTS = {
  facts: `${FACTS_LUA} return facts(KEYS[1], KEYS[2], KEYS[3])`,
  // ARGV: after (exclusive), count. Returns {facts, {id, event, data, id, event, data, ...}}:
  // flat, so the client parses one array per page instead of two per entry (a replay's cost).
  read: `${FACTS_LUA}
local f = facts(KEYS[1], KEYS[2], KEYS[3])
if f[1] == 0 then return {f, {}} end
local out = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])) do
  local fields, ev, data = entry[2], 'message', ''
  for i = 1, #fields, 2 do
    if fields[i] == 'e' then ev = fields[i + 1] elseif fields[i] == 'd' then data = fields[i + 1] end
  end
  out[#out + 1] = entry[1]
  out[#out + 1] = ev
  out[#out + 1] = data
end
return {f, out}`,
  // ARGV: trim mode ('maxlen' | 'minid' | ''), its value (events | the cutoff id), slack, then
  // event, data pairs. A new stream (a new incarnation) records its first id as the epoch. The
  // log trims itself and records the last id it removed ("trimmed-through"): Redis 7's
  // max-deleted-entry-id moves only with XDEL, and MAXLEN/MINID trimming says nothing of what
  // went. With slack, MAXLEN trims once the stream is that many over, so the cost is amortized.
  append: `
local existed = redis.call('EXISTS', KEYS[1])
local ids = {}
for i = 4, #ARGV, 2 do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i], 'd', ARGV[i + 1])
end
if existed == 0 then
  redis.call('SET', KEYS[2], ids[1])
  redis.call('DEL', KEYS[3])
end
if ARGV[1] == 'maxlen' then
  local n = tonumber(ARGV[2])
  local len = redis.call('XLEN', KEYS[1])
  if len > n + tonumber(ARGV[3]) then
    local cut = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', len - n)
    redis.call('XTRIM', KEYS[1], 'MAXLEN', '=', n)
    redis.call('SET', KEYS[3], cut[#cut][1])
  end
elseif ARGV[1] == 'minid' then
  local older = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[2], '-', 'COUNT', 1)
  if #older > 0 then
    redis.call('XTRIM', KEYS[1], 'MINID', '=', ARGV[2])
    redis.call('SET', KEYS[3], older[1][1])
  end
end
return ids`,
};

/** The normalized stream id ("41" is "41-0"), or null when `raw` is not one. */
export function parseStreamId(raw) {
  const m = ID_RE.exec(String(raw).trim());
  if (!m) return null;
  const ms = BigInt(m[1]);
  const seq = BigInt(m[2] ?? 0);
  if (ms > MAX_U64 || seq > MAX_U64) return null;
  return `${ms}-${seq}`;
}

/** <0, 0, >0 as stream id a is before, equal to, after b (both normalized). */
export function compareStreamIds(a, b) {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  if (am.length !== bm.length) return am.length - bm.length;
  if (am !== bm) return am < bm ? -1 : 1;
  if (as.length !== bs.length) return as.length - bs.length;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

/**
 * Whether the events after `after` can still be read, from the stream's facts: null when they
 * can, else the reason. `0-0` (from the start) is lost only to trimming; any other id must be
 * of this incarnation (not before its epoch, not after its last id) and not trimmed (not
 * before the trimmed-through id, nor before an id removed with XDEL).
 */
export function lostPosition(after, f) {
  const c = compareStreamIds;
  const trimmedAny = (f.trimmed && c(f.trimmed, ZERO) > 0) || c(f.maxDeleted, ZERO) > 0;
  if (after === ZERO) return trimmedAny ? 'trimmed' : null;
  if (!f.exists) return 'log-empty';
  if (c(after, f.last) > 0) return 'unknown-id';
  if (f.epoch && c(after, f.epoch) < 0) return 'log-replaced';
  if (f.trimmed && c(after, f.trimmed) < 0) return 'trimmed';
  if (c(f.maxDeleted, after) > 0) return 'trimmed';
  // Trimmed by someone else (XTRIM by hand): entries went, and we cannot tell which.
  if (!f.trimmed && f.first && f.added > f.length && c(after, f.first) < 0) return 'trimmed';
  return null;
}

/**
 * Creates the log for `url` (or REDIS_URL). Returns at once; the connection is made in the
 * background, and until it is up every operation fails with LogUnavailableError.
 * opts: prefix ('lifeline:sse:'), maxLen (10000 events per topic; trimmed once 5% over unless
 * exactTrim) or maxAgeMs (events younger than this are kept), ringSize (4096 events per followed topic), pageSize (1000), client
 * (createClient options merged in; disableOfflineQueue stays true).
 */
export function redisLog(url = process.env.REDIS_URL, opts = {}) {
  if (typeof url === 'object' && url) return new RedisLog(url.url ?? process.env.REDIS_URL, url);
  return new RedisLog(url, opts);
}

export class RedisLog {
  #client;
  #blocker;
  #shas = new Map();
  #tails = new Map(); // topic -> { cursor, base, ring, watchers }
  #wake = null;
  #follower = null;
  #seenAt = 0; // when the follower last completed a round (for the lag)
  #lastError = null;
  #blockerId = null; // the blocking connection's CLIENT ID, to unblock it for a new topic

  constructor(url, { prefix = 'lifeline:sse:', maxLen = 10000, maxAgeMs = 0, exactTrim = false, ringSize = 4096, pageSize = 1000, client = {} } = {}) {
    if (!url) throw new TypeError('redisLog: a redis:// URL (or REDIS_URL) is needed');
    this.kind = 'redis';
    this.zeroId = ZERO;
    this.url = url;
    this.prefix = prefix;
    this.maxLen = maxLen;
    this.maxAgeMs = maxAgeMs;
    this.exactTrim = exactTrim;
    this.ringSize = Math.max(16, ringSize | 0);
    this.pageSize = Math.max(1, pageSize | 0);
    this.closed = false;
    const { createClient } = loadClient();
    const options = {
      ...client,
      url,
      disableOfflineQueue: true, // an answer is the truth about the log: nothing is sent later
      socket: {
        connectTimeout: 2000,
        reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000),
        ...client.socket,
      },
    };
    this.#client = createClient(options);
    this.#blocker = this.#client.duplicate();
    for (const c of [this.#client, this.#blocker]) c.on('error', (err) => { this.#lastError = err; });
    this.#blocker.on('ready', () => { this.#blockerId = null; });
    this.connected = Promise.all([this.#client.connect(), this.#blocker.connect()]).catch((err) => { this.#lastError = err; });
  }

  get available() { return this.#client.isReady; }

  #key(topic) {
    if (!TOPIC_RE.test(topic)) throw new TypeError(`bad topic name ${JSON.stringify(topic)}`);
    return [this.prefix + topic, `${this.prefix}${topic}:epoch`, `${this.prefix}${topic}:trimmed`];
  }

  parseId(raw) { return parseStreamId(raw); }

  compare(a, b) { return compareStreamIds(a, b); }

  async #run(client, name, keys, args) {
    if (!client.isReady) throw new LogUnavailableError(`Redis at ${this.url} is unreachable${this.#lastError ? `: ${this.#lastError.message}` : ''}`);
    const src = SCRIPTS[name];
    try {
      let sha = this.#shas.get(name);
      if (!sha) {
        sha = await client.sendCommand(['SCRIPT', 'LOAD', src]);
        this.#shas.set(name, sha);
      }
      try {
        return await client.sendCommand(['EVALSHA', sha, String(keys.length), ...keys, ...args]);
      } catch (err) {
        if (!/NOSCRIPT/.test(err?.message)) throw err;
        this.#shas.delete(name); // a restarted Redis forgot the scripts
        return await client.sendCommand(['EVAL', src, String(keys.length), ...keys, ...args]);
      }
    } catch (err) {
      throw unavailable(err, this.url);
    }
  }

  #facts(raw) {
    return {
      exists: Number(raw[0]) === 1, last: raw[1], maxDeleted: raw[2], epoch: raw[3] ? parseStreamId(raw[3]) : null,
      trimmed: raw[4] ? parseStreamId(raw[4]) : null, first: raw[5] ? parseStreamId(raw[5]) : null,
      added: Number(raw[6]), length: Number(raw[7]),
    };
  }

  /** Appends events in order, atomically; resolves to their records {id, event, data}. */
  async append(topic, events) {
    const keys = this.#key(topic);
    const slack = this.exactTrim ? 0 : Math.ceil(this.maxLen / 20);
    const trim = this.maxAgeMs > 0
      ? ['minid', `${Math.max(0, Date.now() - this.maxAgeMs)}-0`, '0']
      : this.maxLen > 0 ? ['maxlen', String(this.maxLen), String(slack)] : ['', '', ''];
    const args = [...trim];
    for (const e of events) args.push(e.event, e.data);
    const ids = await this.#run(this.#client, 'append', keys, args);
    return ids.map((id, i) => ({ id, event: events[i].event, data: events[i].data }));
  }

  async last(topic) {
    return this.#facts(await this.#run(this.#client, 'facts', this.#key(topic), [])).last;
  }

  async locate(topic, id) {
    const f = this.#facts(await this.#run(this.#client, 'facts', this.#key(topic), []));
    const reason = lostPosition(id, f);
    return reason ? { reason, lastId: f.last } : null;
  }

  /** Up to `max` records after `afterId`: {records, lost}; from the followed ring when it has them. */
  async read(topic, afterId, max) {
    const t = this.#tails.get(topic);
    if (t && t.base && compareStreamIds(afterId, t.base) >= 0) {
      if (compareStreamIds(afterId, t.cursor) >= 0) return { records: [], lost: null };
      return { records: sliceAfter(t.ring, afterId, max), lost: null };
    }
    return this.#readDirect(this.#client, topic, afterId, max);
  }

  async #readDirect(client, topic, afterId, max) {
    const [rawFacts, entries] = await this.#run(client, 'read', this.#key(topic), [afterId, String(max)]);
    const f = this.#facts(rawFacts);
    const reason = lostPosition(afterId, f);
    if (reason) return { records: [], lost: { reason, lastId: f.last }, facts: f };
    const records = new Array(entries.length / 3);
    for (let i = 0, k = 0; i < entries.length; i += 3) records[k++] = { id: entries[i], event: entries[i + 1], data: entries[i + 2] };
    return { records, lost: null, facts: f };
  }

  /** fn() when new records of the topic may be readable; returns the function that stops it. */
  watch(topic, fn) {
    this.#key(topic);
    let t = this.#tails.get(topic);
    if (!t) {
      t = { cursor: null, base: null, ring: [], watchers: new Set() };
      this.#tails.set(topic, t);
      this.#wakeFollower();
    }
    t.watchers.add(fn);
    if (!this.#follower) this.#follower = this.#follow();
    return () => {
      t.watchers.delete(fn);
      // The ring stays: the topic is likely to be watched again soon, and it is bounded.
    };
  }

  // A new topic: the follower may be blocked on the others' keys for up to a second.
  #wakeFollower() {
    const w = this.#wake;
    this.#wake = null;
    w?.();
    if (this.#blockerId && this.#client.isReady) this.#client.sendCommand(['CLIENT', 'UNBLOCK', this.#blockerId]).catch(() => {});
  }

  async #follow() {
    while (!this.closed) {
      try {
        for (const [topic, t] of this.#tails) await this.#advance(topic, t);
        this.#seenAt = Date.now();
        const keys = [...this.#tails.keys()];
        if (!keys.length || !this.#blocker.isReady) {
          await new Promise((r) => { this.#wake = r; setTimeout(r, keys.length ? 200 : 1000); });
          continue;
        }
        this.#blockerId ??= String(await this.#blocker.sendCommand(['CLIENT', 'ID']));
        const cursors = keys.map((k) => this.#tails.get(k).cursor ?? '$');
        await this.#blocker.sendCommand(['XREAD', 'COUNT', '1', 'BLOCK', '1000', 'STREAMS',
          ...keys.map((k) => this.prefix + k), ...cursors]);
      } catch (err) {
        this.#lastError = err;
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  // Reads the topic's new entries into its ring (validated by the facts); a lost position (the
  // log was replaced or trimmed past the follower) restarts the ring at the log's end, so that
  // streams behind it read directly and learn that they lost their position.
  async #advance(topic, t) {
    if (t.cursor === null) {
      const last = await this.last(topic);
      t.cursor = t.base = last;
      return;
    }
    let grew = false;
    for (;;) {
      const { records, lost, facts } = await this.#readDirect(this.#blocker, topic, t.cursor, this.pageSize);
      if (lost) {
        t.ring = [];
        t.cursor = t.base = facts.last;
        grew = true;
        break;
      }
      if (!records.length) break;
      for (const r of records) t.ring.push(r);
      t.cursor = records.at(-1).id;
      grew = true;
      if (t.ring.length > this.ringSize) {
        const cut = t.ring.length - this.ringSize;
        t.base = t.ring[cut - 1].id;
        t.ring.splice(0, cut);
      }
      if (records.length < this.pageSize) break;
    }
    if (grew) for (const w of [...t.watchers]) w();
  }

  /** Redis answers PING within deadlineMs, and the follower is not behind by more than it says. */
  async ready(deadlineMs = 500) {
    const t0 = Date.now();
    if (!this.#client.isReady) return { ok: false, latencyMs: null, lagMs: null, error: `Redis unreachable${this.#lastError ? `: ${this.#lastError.message}` : ''}` };
    try {
      await this.#client.sendCommand(['PING'], { timeout: deadlineMs });
    } catch (err) {
      return { ok: false, latencyMs: Date.now() - t0, lagMs: null, error: `PING: ${err.message}` };
    }
    const lagMs = this.#tails.size && this.#seenAt ? Math.max(0, Date.now() - this.#seenAt - 1000) : 0;
    return { ok: true, latencyMs: Date.now() - t0, lagMs };
  }

  status() {
    const topics = {};
    for (const [name, t] of this.#tails) topics[name] = { cursor: t.cursor, ringSize: t.ring.length, watchers: t.watchers.size };
    return { kind: this.kind, url: this.url, available: this.available, maxLen: this.maxLen, maxAgeMs: this.maxAgeMs, topics };
  }

  /** Plain commands on the log's connection (tests, tools): sendCommand(['XLEN', key]). */
  sendCommand(args) {
    if (!this.#client.isReady) return Promise.reject(new LogUnavailableError(`Redis at ${this.url} is unreachable`));
    return this.#client.sendCommand(args);
  }

  /** The stream's Redis key for a topic. */
  keyOf(topic) { return this.#key(topic)[0]; }

  async close() {
    if (this.closed) return;
    this.closed = true;
    this.#wakeFollower();
    for (const t of this.#tails.values()) t.watchers.clear();
    this.#blocker.destroy();
    // close() waits for the replies of commands in flight; with Redis gone it would wait for a
    // reconnect that may never come, so it gets a bound and the socket is destroyed after it.
    const c = this.#client;
    if (c.isReady) {
      let t;
      const bound = new Promise((r) => { t = setTimeout(r, 1000); });
      await Promise.race([c.close().catch(() => {}), bound]);
      clearTimeout(t);
    }
    if (c.isOpen) c.destroy();
    await this.#follower?.catch(() => {});
  }
}

/** The records of a sorted ring after `id`, at most max (binary search). */
function sliceAfter(ring, id, max) {
  let lo = 0;
  let hi = ring.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareStreamIds(ring[mid].id, id) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return ring.slice(lo, lo + max);
}

function unavailable(err, url) {
  if (err instanceof LogUnavailableError) return err;
  const name = err?.constructor?.name ?? '';
  if (/ErrorReply/.test(name) && !/LOADING|BUSY|MISCONF|READONLY|CLUSTERDOWN|TRYAGAIN/.test(err.message)) return err; // a real answer
  const offline = /ClientOfflineError|ClientClosedError/.test(name);
  return new LogUnavailableError(`Redis at ${url}: ${err?.message ?? err}`, { written: offline ? false : 'unknown', cause: err });
}

let clientModule = null;
function loadClient() {
  if (clientModule) return clientModule;
  try {
    clientModule = createRequire(import.meta.url)('@redis/client');
  } catch (err) {
    throw new Error('redisLog needs the Redis client: npm install @redis/client', { cause: err });
  }
  return clientModule;
}
