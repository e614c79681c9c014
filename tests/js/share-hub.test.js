// share: 'origin' in one Node process: a real ShareHub (js/share/hub.js) over a real manager,
// against the real reference server, and real SharedManager tabs (js/share/client.js) whose link
// to the hub is in-process but behaves as a MessagePort does: every message is structured-cloned
// and delivered in a later task, in order. Node has no navigator.locks, so a tab opens its link
// at once and notices a lost hub by its pings (or by reconnectHub(), as share-tab.js calls it).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { init, createManager } from '../../js/index.js';
import { ShareHub } from '../../js/share/hub.js';
import { startHub } from '../../js/share/hub-host.js';
import { SharedManager } from '../../js/share/client.js';
import { CATCH_UP_BYTES, GATHER_MS, HELLO_MS } from '../../js/share/protocol.js';
import { startSSEServer } from '../../demo/server/sse-server.js';

const T = { timeout: 20000 };
const LINGER_MS = 500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const live = new Set();
after(async () => { await Promise.all([...live].map((x) => x.close())); });

async function until(cond, what, ms = 8000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const quietEnvironment = () => ({ isOnline: () => true, subscribe: () => () => {} });
/** The tabs' channel options: equal in every tab, so that they map onto one hub stream. */
const CONNECT = { backoff: { initialMs: 100, maxMs: 300 }, replay: 8 };

async function server() {
  const s = await startSSEServer({ intervalMs: 0, heartbeatMs: 100 });
  live.add(s);
  return s;
}

/** The feed connections the server has accepted (one per stream the hub opened). */
/** The streams the server holds open. */
const openStreams = (s) => s.clients.size + s.sse.streams().length;
const feedConnects = (s) => s.history.filter((h) => h.path === 'feed');

let epochs = 0;
/** A hub as startHub() makes one, with a short linger and the hub manager's errors recorded. */
async function newHub(t) {
  await init();
  const errors = [];
  const m = createManager({ environment: quietEnvironment(), storage: null, lingerMs: LINGER_MS, seed: 3, onError: (e) => errors.push(e) });
  const hub = new ShareHub(m, `epoch-${++epochs}`);
  t.after(() => {
    hub.destroy();
    assert.deepEqual(errors, [], 'no errors in the hub\'s manager');
  });
  return hub;
}

/**
 * What a tab's port reaches: `origin.hub`, which a test replaces to stand for a worker that was
 * restarted (a new hub, new epoch) behind the same ports.
 */
class Origin {
  deaf = 0; // the next links that reach nothing, as ports to a SharedWorker that is closing

  constructor(hub) {
    this.hub = hub;
  }

  link(onMessage, linkOptions) {
    const link = new Link(this, onMessage, linkOptions);
    if (this.deaf > 0) {
      this.deaf--;
      link.frozen = true;
    }
    return link;
  }
}

/**
 * One tab's port: clones every message and delivers it in a later task, in order. A closed port
 * hears nothing more; a frozen tab neither sends nor hears.
 */
class Link {
  kind = 'worker';
  closed = false;
  frozen = false; // a frozen tab: nothing in or out (what it misses is lost when the port closes)
  delivered = []; // messages the hub received from this tab
  heard = []; // messages the tab received from the hub

  constructor(origin, onMessage, { pingMs } = {}) {
    this.origin = origin;
    this.onMessage = onMessage;
    if (pingMs) this.pingMs = pingMs;
  }

  // What the tab posted before it closed the port still arrives (its goodbye, say).
  post(msg) {
    if (this.closed || this.frozen) return;
    const m = structuredClone(msg);
    setTimeout(() => {
      this.delivered.push(m);
      this.origin.hub.receive(m, (reply) => this.#toTab(structuredClone(reply)));
    }, 0);
  }

  #toTab(reply) {
    setTimeout(() => {
      if (this.closed || this.frozen) return;
      this.heard.push(reply);
      this.onMessage(reply);
    }, 0);
  }

  close() {
    this.closed = true;
  }
}

/**
 * A tab: a SharedManager on the origin, with helpers. join() connects 'feed' and subscribes;
 * each subscription records its events. link is the tab's current link (a new one per rebuild).
 */
function newTab(t, origin, url, linkOptions) {
  const errors = [];
  const tab = { errors, link: null, subs: [] };
  tab.m = new SharedManager({
    connectHub: (onMessage) => (tab.link = origin.link(onMessage, linkOptions)),
    onError: (e) => errors.push(e),
  });
  tab.id = () => tab.link.delivered.find((m) => m.t === 'hello')?.tab;
  tab.connect = () => tab.m.connect('feed', url, CONNECT);
  tab.subscribe = (options) => {
    const sub = { events: [], off: null };
    sub.ids = () => sub.events.map((e) => Number(e.id));
    sub.off = tab.m.subscribe('feed', (e) => sub.events.push(e), options);
    tab.subs.push(sub);
    return sub;
  };
  tab.join = (options) => {
    tab.connect();
    return tab.subscribe(options);
  };
  tab.state = () => tab.m.getConnectionStatus('feed').state;
  t.after(() => tab.m.destroy());
  return tab;
}

/** Publishes n feed events; returns their ids. */
const publish = (s, n) => Array.from({ length: n }, (_, i) => s.publish('message', { n: i }).id);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('share: hub and tabs in one process', T, () => {
  test('two tabs share one server connection and both get every event once, in order', async (t) => {
    const s = await server();
    const hub = await newHub(t);
    const origin = new Origin(hub);
    const a = newTab(t, origin, s.feedUrl);
    const b = newTab(t, origin, s.feedUrl);
    const sa = a.join();
    const sb = b.join();
    await until(() => a.state() === 'open' && b.state() === 'open', 'both tabs open');
    await until(() => hub.metrics().subscribers === 3, 'the hub\'s ring and both tabs subscribed');
    const ids = publish(s, 30);
    await until(() => sa.events.length >= 30 && sb.events.length >= 30, 'both tabs have 30 events');
    await sleep(30);
    assert.deepEqual(sa.ids(), ids);
    assert.deepEqual(sb.ids(), ids);
    assert.equal(feedConnects(s).length, 1, 'one connection to the server for both tabs');
    assert.equal(hub.metrics().connections, 1);
    assert.equal(hub.metrics().tabs, 2);
    assert.equal(a.m.getMetrics().delivered, 30);
    assert.deepEqual([...a.errors, ...b.errors], []);
  });

  test('a late joiner gets events from when it joined; replay: N gives the last N first, flagged replayed', async (t) => {
    const s = await server();
    const hub = await newHub(t);
    const origin = new Origin(hub);
    const a = newTab(t, origin, s.feedUrl);
    const sa = a.join();
    await until(() => a.state() === 'open' && hub.metrics().subscribers === 2, 'the first tab subscribed');
    const before = publish(s, 5);
    await until(() => sa.events.length === 5, 'the first tab has 5 events');
    const b = newTab(t, origin, s.feedUrl);
    const plain = b.join();
    const replayed = b.subscribe({ replay: 3 });
    await until(() => hub.metrics().subscribers === 4, 'the late tab\'s two subscriptions reached the hub');
    const later = publish(s, 3);
    await until(() => plain.events.length === 3 && replayed.events.length === 6, 'the late tab has its events');
    await sleep(30);
    assert.deepEqual(sa.ids(), [...before, ...later]);
    assert.deepEqual(plain.ids(), later, 'from when it joined');
    assert.ok(plain.events.every((e) => !e.replayed));
    assert.deepEqual(replayed.ids(), [...before.slice(-3), ...later], 'the last 3 first, then live');
    assert.deepEqual(replayed.events.map((e) => e.replayed === true), [true, true, true, false, false, false]);
    assert.equal(feedConnects(s).length, 1);
    assert.deepEqual([...a.errors, ...b.errors], []);
  });

  test('a rebuild onto a new hub loses and repeats nothing, with one tab an event behind the other', async (t) => {
    const s = await server();
    const origin = new Origin(await newHub(t));
    const a = newTab(t, origin, s.feedUrl);
    const b = newTab(t, origin, s.feedUrl);
    const sa = a.join();
    const sb = b.join();
    await until(() => a.state() === 'open' && b.state() === 'open' && origin.hub.metrics().subscribers === 3, 'both subscribed');
    publish(s, 5);
    await until(() => sa.events.length === 5 && sb.events.length === 5, 'both have 5');
    // B freezes: the 6th event reaches A only, and B's copy is lost with the hub.
    b.link.frozen = true;
    publish(s, 1);
    await until(() => sa.events.length === 6, 'A has the 6th');
    assert.equal(sb.events.length, 5, 'B is one event behind');
    origin.hub.destroy();
    publish(s, 3); // while no hub holds the stream: the server's log keeps them
    origin.hub = await newHub(t);
    a.m.reconnectHub();
    b.m.reconnectHub();
    await until(() => sa.events.length === 9 && sb.events.length === 9, 'both caught up to 9');
    publish(s, 3);
    await until(() => sa.events.length === 12 && sb.events.length === 12, 'both have 12');
    await sleep(30);
    assert.deepEqual(sa.ids(), range(1, 12), 'A: every event once, in order');
    assert.deepEqual(sb.ids(), range(1, 12), 'B: every event once, in order');
    const resumes = feedConnects(s).map((h) => h.lastEventId);
    assert.deepEqual(resumes, [null, 5], 'the new hub resumed from the tab behind (5), not the one ahead (6)');
    assert.ok(a.m.getMetrics().duplicatesDropped >= 1, 'A dropped the 6th it already had');
    assert.equal(a.m.getMetrics().rebuilds, 1);
    assert.equal(b.m.getMetrics().rebuilds, 1);
    assert.equal(origin.hub.metrics().connections, 1);
    assert.deepEqual([...a.errors, ...b.errors], []);
  });

  test('without Web Locks (Node has none) the hub drops a tab silent for tabSilentMs; a tab that pings stays', async (t) => {
    const s = await server();
    const host = await startHub({}, { tabSilentMs: 1500 });
    t.after(() => host.release());
    const origin = new Origin(host); // host.receive(msg, send) is what a port reaches
    const a = newTab(t, origin, s.feedUrl);
    const b = newTab(t, origin, s.feedUrl);
    const [sa] = [a.join(), b.join()];
    await until(() => host.hub.metrics().tabs === 2 && [a, b].every((x) => x.state() === 'open'), 'two tabs open');
    const subs = host.hub.metrics().subscribers;
    b.link.frozen = true; // B crashed: it says nothing more, and no lock tells the hub
    await until(() => host.hub.metrics().tabs === 1, 'B dropped', 5000);
    assert.equal(host.hub.metrics().subscribers, subs - 1, "B's subscription released");
    publish(s, 2);
    await until(() => sa.events.length === 2, 'A still served');
    assert.deepEqual(a.errors, []);
  });

  test('a hello that is never welcomed (a port to a worker that is closing) is said again on a new link', async (t) => {
    const s = await server();
    const origin = new Origin(await newHub(t));
    origin.deaf = 1;
    const a = newTab(t, origin, s.feedUrl);
    const t0 = Date.now();
    const sa = a.join();
    await until(() => a.state() === 'open', 'open through a second link', 4000);
    const waited = Date.now() - t0;
    assert.ok(waited >= HELLO_MS - 50, `a new link after ${waited} ms (HELLO_MS ${HELLO_MS})`);
    publish(s, 3);
    await until(() => sa.events.length === 3, 'events through the second link');
    assert.deepEqual(a.errors, []);
  });

  test('a hub that restarted behind the same ports is noticed by the pong\'s new epoch, also by a tab that connected after its welcome', async (t) => {
    const s = await server();
    const origin = new Origin(await newHub(t));
    const a = newTab(t, origin, s.feedUrl, { pingMs: 30 });
    const sa = a.join(); // before the welcome: sent with it
    const b = newTab(t, origin, s.feedUrl, { pingMs: 30 });
    await until(() => b.link.heard.some((m) => m.t === 'welcome'), 'B welcomed');
    const sb = b.join(); // after the welcome
    await until(() => a.state() === 'open' && b.state() === 'open' && origin.hub.metrics().subscribers === 3, 'both subscribed');
    publish(s, 3);
    await until(() => sa.events.length === 3 && sb.events.length === 3, 'both have 3');
    await until(() => a.link.delivered.some((m) => m.t === 'ping'), 'A pings');
    const first = origin.hub;
    first.destroy();
    origin.hub = await newHub(t); // the same links now reach a hub that knows nobody
    await until(() => origin.hub.tabCount === 2, 'both tabs rebuilt onto the new hub', 4000);
    await until(() => origin.hub.metrics().subscribers === 3, 'both subscribed again');
    publish(s, 3);
    await until(() => sa.events.length === 6 && sb.events.length === 6, 'both have 6');
    await sleep(30);
    assert.deepEqual(sa.ids(), range(1, 6));
    assert.deepEqual(sb.ids(), range(1, 6));
    assert.equal(a.m.getMetrics().rebuilds, 1);
    assert.equal(b.m.getMetrics().rebuilds, 1);
    assert.deepEqual([...a.errors, ...b.errors], []);
  });

  test('a subscription dropped while the rebuilt hub gathers positions leaves no subscription behind', async (t) => {
    const s = await server();
    const origin = new Origin(await newHub(t));
    const a = newTab(t, origin, s.feedUrl);
    const kept = a.join();
    const dropped = a.subscribe();
    await until(() => a.state() === 'open' && origin.hub.metrics().subscribers === 3, 'subscribed');
    publish(s, 2);
    await until(() => kept.events.length === 2 && dropped.events.length === 2, 'both subscriptions have 2');
    origin.hub.destroy();
    const hub = (origin.hub = await newHub(t));
    const t0 = Date.now();
    a.m.reconnectHub();
    await until(() => a.link.delivered.filter((m) => m.t === 'sub').length === 2, 'the subscriptions reached the new hub');
    assert.equal(hub.metrics().channels, 0, `still gathering (${Date.now() - t0} ms of ${GATHER_MS} after the rebuild)`);
    dropped.off();
    await until(() => hub.metrics().connections === 1 && a.state() === 'open', 'the gathered stream opened');
    assert.ok(Date.now() - t0 >= GATHER_MS - 10, 'it opened after the gather');
    publish(s, 2);
    await until(() => kept.events.length === 4, 'the kept subscription has 4');
    await sleep(30);
    assert.equal(hub.metrics().subscribers, 2, 'the hub\'s ring and the kept subscription only');
    assert.deepEqual(kept.ids(), range(1, 4));
    assert.deepEqual(dropped.ids(), range(1, 2), 'nothing after its unsubscribe');
    a.m.disconnect('feed');
    await until(() => hub.metrics().channels === 0 && hub.metrics().subscribers === 0, 'all released');
    assert.deepEqual(a.errors, []);
  });

  test('dropTab releases the tab\'s subscriptions, and its channel with the last tab', async (t) => {
    const s = await server();
    const hub = await newHub(t);
    const origin = new Origin(hub);
    const a = newTab(t, origin, s.feedUrl);
    const b = newTab(t, origin, s.feedUrl);
    a.join();
    a.subscribe();
    const sb = b.join();
    await until(() => hub.metrics().subscribers === 4 && b.state() === 'open', 'three tab subscriptions and the ring');
    hub.dropTab(a.id());
    assert.equal(hub.tabCount, 1);
    assert.equal(hub.metrics().subscribers, 2, 'A\'s two subscriptions are gone');
    assert.equal(hub.metrics().channels, 1, 'B still holds the channel');
    publish(s, 2);
    await until(() => sb.events.length === 2, 'B still gets events');
    hub.dropTab(b.id());
    assert.equal(hub.tabCount, 0);
    assert.deepEqual({ channels: hub.metrics().channels, subscribers: hub.metrics().subscribers }, { channels: 0, subscribers: 0 });
    await until(() => hub.metrics().connections === 0, 'the connection closed after the linger');
    hub.dropTab('no such tab'); // nothing to drop: no throw
    // A dropped tab that speaks again is asked who it is, and rejoins with its state.
    const sa = a.subs[0];
    a.m.getMetrics();
    await until(() => hub.tabCount === 1 && hub.metrics().subscribers === 3 && a.state() === 'open', 'A rejoined');
    // A's status said open before it was dropped: wait for the server to hold the new stream, which
    // starts at the server's now (A had no event yet), or the event below may come before it.
    await until(() => openStreams(s) === 1 && feedConnects(s).length === 2, 'the new stream open at the server');
    publish(s, 1);
    await until(() => sa.events.length === 1, 'A gets events again');
    assert.ok(a.link.heard.some((m) => m.t === 'who'));
    assert.deepEqual([...a.errors, ...b.errors], []);
  });

  test('the last tab leaving lets the hub\'s manager close the stream after its linger', async (t) => {
    const s = await server();
    const hub = await newHub(t);
    const origin = new Origin(hub);
    const a = newTab(t, origin, s.feedUrl);
    const b = newTab(t, origin, s.feedUrl);
    a.join();
    b.join();
    await until(() => hub.metrics().subscribers === 3 && s.feedStreams().length === 1, 'one stream for both');
    b.m.destroy();
    await until(() => hub.tabCount === 1, 'B said goodbye');
    await sleep(LINGER_MS + 100);
    assert.equal(s.feedStreams().length, 1, 'A still holds the stream');
    a.m.destroy();
    await until(() => hub.tabCount === 0, 'A said goodbye');
    const t0 = Date.now();
    assert.equal(hub.metrics().connections, 1, 'the stream lingers');
    await until(() => hub.metrics().connections === 0 && s.feedStreams().length === 0, 'the stream closed');
    const waited = Date.now() - t0;
    // Measured from when the test saw the goodbye, so a little short of the linger; a close
    // without one would come within a few ms.
    assert.ok(waited >= LINGER_MS / 2, `closed ${waited} ms after the last tab left (linger ${LINGER_MS} ms)`);
  });

  test('hostile and unknown messages get an error answer and do not break the hub', async (t) => {
    const s = await server();
    const hub = await newHub(t);
    const origin = new Origin(hub);
    const a = newTab(t, origin, s.feedUrl);
    const sa = a.join();
    await until(() => a.state() === 'open' && hub.metrics().subscribers === 2, 'subscribed');
    const tab = a.id();
    const answers = [];
    const send = (m) => answers.push(structuredClone(m));
    hub.receive({ t: 'no-such-kind', tab }, send);
    hub.receive({ t: 'sub', tab, ch: 'nope', sub: 99 }, send);
    hub.receive({ t: 'connect', tab, ch: 'bad', url: '', opts: {} }, send);
    hub.receive({ t: 'connect', tab, ch: 'bad2', url: '', opts: {} }, send);
    hub.receive({ t: 'connect', tab, ch: 'bad', url: '', opts: {} }, send); // the same bad stream again
    hub.receive({ tab }, send);
    assert.deepEqual(answers.map((m) => [m.t, m.ch, m.e?.name]), [
      ['error', null, 'TypeError'], ['error', 'nope', 'TypeError'], ['error', 'bad', 'TypeError'],
      ['error', 'bad2', 'TypeError'], ['error', 'bad', 'TypeError'], ['error', null, 'TypeError'],
    ]);
    assert.match(answers[0].e.message, /unknown message "no-such-kind"/);
    assert.match(answers[1].e.message, /unknown channel "nope"/);
    // Harmless ones: no answer, no change.
    hub.receive({ t: 'unsub', tab, sub: 12345 }, send);
    hub.receive({ t: 'retry', tab, ch: 'nope' }, send);
    hub.receive({ t: 'disconnect', tab, ch: 'nope' }, send);
    assert.equal(answers.length, 6);
    // A tab the hub does not know is asked who it is.
    hub.receive({ t: 'sub', tab: 'stranger', ch: 'feed', sub: 1 }, send);
    assert.deepEqual(answers.at(-1), { t: 'who' });
    assert.equal(hub.metrics().channels, 1, 'no channel left behind by the bad connects');
    assert.equal(hub.metrics().subscribers, 2);
    // A bad stream brought back by a rebuild (a last id: it waits for the gather): the refusal
    // comes after the gather, to the tab, from a timer that must not throw.
    hub.receive({ t: 'connect', tab, ch: 'bad', url: '', opts: {}, last: '5', recent: ['5'] }, send);
    hub.receive({ t: 'sub', tab, ch: 'bad', sub: 77, after: '5', recent: ['5'] }, send);
    await until(() => a.errors.length === 1, 'the tab heard the gathered stream refused');
    assert.match(a.errors[0].message, /url must be a non-empty string/);
    assert.equal(answers.filter((m) => m.t === 'error').length, 6, 'nothing more answered in place');
    assert.equal(hub.metrics().channels, 1);
    assert.equal(hub.metrics().subscribers, 2);
    a.errors.length = 0;
    // Through the tab's own link, the answer reaches its onError as the TypeError it was.
    a.link.post({ t: 'no-such-kind', tab });
    await until(() => a.errors.length === 1, 'the tab heard the error');
    assert.ok(a.errors[0] instanceof TypeError, String(a.errors[0]));
    publish(s, 3);
    await until(() => sa.events.length === 3, 'the hub still serves the tab');
    assert.deepEqual(sa.ids(), range(1, 3));
  });

  test('a LifelineError the hub\'s manager throws reaches the tab with its own code', async (t) => {
    const s = await server();
    const hub = await newHub(t);
    const a = newTab(t, new Origin(hub), s.feedUrl);
    // Node has no EventSource: the hub's manager refuses the transport as unavailable.
    a.m.connect('es', s.feedUrl, { transport: 'eventsource' });
    await until(() => a.errors.length === 1, 'the tab heard the refusal');
    const [err] = a.errors;
    assert.equal(err.name, 'LifelineError');
    assert.equal(err.code, 'LIFELINE_ERR_UNAVAILABLE'); // it was 'LifelineError' (name as code)
    assert.match(err.message, /eventsource transport is not available/);
    assert.equal(hub.metrics().channels, 0, 'the refused stream is not kept');
  });

  test('functions in connect options are refused with a TypeError naming them, and nothing reaches the hub', async (t) => {
    const s = await server();
    const hub = await newHub(t);
    const a = newTab(t, new Origin(hub), s.feedUrl);
    await until(() => a.link.heard.some((m) => m.t === 'welcome'), 'welcomed');
    assert.throws(() => a.m.connect('feed', s.feedUrl, { onOpen() {} }), (e) => e instanceof TypeError && /\(onOpen\)/.test(e.message));
    assert.throws(() => a.m.connect('feed', s.feedUrl, { backoff: { jitter: () => 0, initialMs: 100 }, headers: { x: () => 'y' } }),
      (e) => e instanceof TypeError && /backoff\.jitter, headers\.x/.test(e.message));
    assert.throws(() => new SharedManager({ connectHub: () => ({}), clock: () => 0 }), (e) => e instanceof TypeError && /"clock"/.test(e.message));
    await sleep(20);
    assert.equal(a.link.delivered.filter((m) => m.t === 'connect').length, 0);
    assert.equal(hub.metrics().channels, 0);
  });

  test('the ring is bounded in bytes too: big events push the old ones out, and a tab behind them is told of the gap', async (t) => {
    const s = await server();
    const origin = new Origin(await newHub(t));
    const a = newTab(t, origin, s.feedUrl);
    const b = newTab(t, origin, s.feedUrl);
    const [sa, sb] = [a.join(), b.join()];
    await until(() => origin.hub.metrics().subscribers === 3 && [a, b].every((x) => x.state() === 'open'), 'two tabs subscribed');
    publish(s, 1);
    await until(() => sa.events.length === 1 && sb.events.length === 1, 'both have 1');
    b.link.frozen = true; // B misses the big ones with the old hub
    const big = 'x'.repeat(100_000); // 200 KB as UTF-16: the 1 MiB ring holds 5 of them
    for (let i = 0; i < 12; i++) s.publish('message', { big });
    await until(() => sa.events.length === 13, 'A has the 12 big events');
    const kept = origin.hub.metrics().catchUpBytes;
    assert.ok(kept > 4 * 200_000 && kept <= CATCH_UP_BYTES, `the ring holds ${kept} B (cap ${CATCH_UP_BYTES} B)`);
    // B rebuilds on the same hub from event 1: the ring no longer reaches back to it.
    b.link.frozen = false;
    b.m.reconnectHub();
    await until(() => b.errors.length === 1 && sb.events.length >= 6, 'B told of the gap, and sent what the ring kept');
    assert.match(b.errors[0].message, /does not reach back to event "1"/);
    await sleep(50);
    assert.equal(sb.events.length - 1, 5, 'B caught up with the 5 the ring kept, no more');
    assert.deepEqual([...a.errors], []);
  });

  test('a tab that rebuilds after the stream opened catches up from the ring; one too far behind gets a gap (onError, lastReset)', async (t) => {
    const s = await server();
    const origin = new Origin(await newHub(t));
    const a = newTab(t, origin, s.feedUrl);
    const b = newTab(t, origin, s.feedUrl);
    const c = newTab(t, origin, s.feedUrl);
    const [sa, sb, sc] = [a.join(), b.join(), c.join()];
    await until(() => origin.hub.metrics().subscribers === 4 && [a, b, c].every((x) => x.state() === 'open'), 'three tabs subscribed');
    publish(s, 3);
    await until(() => [sa, sb, sc].every((x) => x.events.length === 3), 'all have 3');
    b.link.frozen = true; // B misses 4..6 with the old hub
    publish(s, 3);
    await until(() => sa.events.length === 6 && sc.events.length === 6, 'A and C have 6');
    origin.hub.destroy();
    const hub = (origin.hub = await newHub(t));
    a.m.reconnectHub(); // A alone brings the stream back: it resumes from A's 6
    await until(() => hub.metrics().connections === 1 && a.state() === 'open', 'the new stream open');
    publish(s, 2);
    await until(() => sa.events.length === 8, 'A has 8');
    c.m.reconnectHub(); // C stood where the stream resumed: the ring has what it missed
    b.m.reconnectHub(); // B is behind the ring's start: a gap
    await until(() => sc.events.length === 8 && b.errors.length === 1, 'C caught up, B told of the gap');
    publish(s, 1);
    await until(() => sa.events.length === 9 && sb.events.length >= 6 && sc.events.length === 9, 'all have the 9th');
    await sleep(30);
    assert.deepEqual(sa.ids(), range(1, 9));
    assert.deepEqual(sc.ids(), range(1, 9), 'C: caught up from the ring, nothing lost or repeated');
    assert.deepEqual(sb.ids(), [1, 2, 3, 7, 8, 9], 'B: 4..6 are lost, and it was told');
    assert.equal(b.errors[0].code, 'LIFELINE_ERR_STATE');
    assert.match(b.errors[0].message, /does not reach back to event "3"/);
    assert.equal(b.m.getConnectionStatus('feed').lastReset?.data, 'share: gap');
    assert.equal(feedConnects(s).length, 2, 'one stream per hub');
    assert.deepEqual([...a.errors, ...c.errors], []);
  });
});
