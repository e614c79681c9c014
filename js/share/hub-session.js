/**
 * One tab object's session with the origin's hub: a SharedManager (client.js) and a
 * SharedRouter (router-client.js) each keep one. The session
 *  - holds the tab's Web Lock for the object's life: the hub waits on it to learn the tab is gone;
 *  - opens a link (connectHub) and says hello, and says it again on a new link when no welcome
 *    comes within HELLO_MS: a SharedWorker that is closing takes new ports and never answers;
 *  - once welcomed, watches the hub's Web Lock, and pings while the owner wants it: a hub whose
 *    lock is released, that leaves a ping unanswered for HUB_DEAD_MS (a Web Locks leader: the
 *    link's own, shorter deadMs, and the link is told to suspect it), or that answers with
 *    another epoch is lost, and the session opens a new link. The owner then hears welcome()
 *    again and sends its whole state.
 * Internal to js/share/client.js and js/share/router-client.js.
 */
import { HELLO_MS, HUB_DEAD_MS, PING_MS, hubLock, tabLock, webLocks } from './protocol.js';

export class HubSession {
  #tab;
  #hello;
  #ping;
  #connectHub;
  #owner;
  #link = null;
  #epoch = null; // the hub's life this session is registered with (null: not yet)
  #watched = null; // the epoch whose lock is watched
  #closed = false;
  #releaseTabLock = null;
  #helloTimer = null;
  #pingTimer = null;
  #pingSent = 0;
  #pongAt = 0;

  /**
   * tab: the tab object's id; hello, ping: the kinds of those messages to its side of the hub
   * ('hello' and 'ping' for a manager, 'r:hello' and 'r:ping' for a router);
   * connectHub(onMessage) -> link { kind, post(msg), close(), pingMs?, deadMs?, helloMs?, suspect?() };
   * owner: { message(msg), opening(), error(err) }: every message but pong, a new link about to be
   * opened (what was sent on the old one has no answer coming), a link that could not be opened.
   */
  constructor({ tab, hello, ping, connectHub, owner }) {
    this.#tab = tab;
    this.#hello = hello;
    this.#ping = ping;
    this.#connectHub = connectHub;
    this.#owner = owner;
    const locks = webLocks();
    if (!locks) {
      this.#open();
      return;
    }
    // Held before the hello, so that the hub can wait on it from the first message on.
    locks.request(tabLock(tab), () => new Promise((release) => {
      this.#releaseTabLock = release;
      if (this.#closed) release();
      else this.#open();
    }));
  }

  /** The current link (null before the first, or when it could not be opened). */
  get link() {
    return this.#link;
  }

  /** The epoch of the hub that welcomed this session; null while it waits for a welcome. */
  get epoch() {
    return this.#epoch;
  }

  /** Sends on the link once welcomed (before, the welcome makes the owner send its whole state). */
  send(msg) {
    if (this.#epoch === null || this.#closed) return;
    this.#link.post({ ...msg, tab: this.#tab });
  }

  /** Sends now, welcomed or not (a goodbye, a test hook). */
  sendNow(msg) {
    this.#link?.post({ ...msg, tab: this.#tab });
  }

  /** The hub's welcome: from now on this session talks to the hub of that epoch. */
  welcomed(epoch) {
    clearTimeout(this.#helloTimer);
    this.#epoch = epoch;
    if (this.#watched === epoch) return;
    this.#watched = epoch;
    webLocks()?.request(hubLock(epoch), () => {
      if (this.#epoch === epoch) this.lost();
    });
  }

  /** The hub asked who this is (a new leader, or a hub that dropped the tab): hello again, on this link. */
  who() {
    this.#link?.post({ t: this.#hello, tab: this.#tab });
  }

  /** The hub is gone (or the link never worked): a new link, and hello. */
  lost() {
    if (this.#closed) return;
    this.stopPing();
    this.#open();
  }

  /** Pings the hub until stopPing(); the owner asks while it has something the hub holds. */
  startPing() {
    if (this.#pingTimer !== null || this.#closed) return;
    this.#pongAt = this.#pingSent = Date.now();
    const deadMs = this.#link?.deadMs ?? HUB_DEAD_MS;
    this.#pingTimer = setInterval(() => {
      const now = Date.now();
      // Judged only on a ping that had time to be answered: throttled timers are not a death.
      if (this.#pongAt < this.#pingSent && now - this.#pingSent >= deadMs) {
        this.#link?.suspect?.();
        this.lost();
        return;
      }
      if (this.#pongAt >= this.#pingSent) {
        this.#pingSent = now;
        this.#link?.post({ t: this.#ping, tab: this.#tab });
      }
    }, this.#link?.pingMs ?? PING_MS);
  }

  stopPing() {
    clearInterval(this.#pingTimer);
    this.#pingTimer = null;
  }

  /** Ends the session: no more timers, the link closed, the tab's lock released. */
  close() {
    this.#closed = true;
    this.stopPing();
    clearTimeout(this.#helloTimer);
    this.#link?.close();
    this.#releaseTabLock?.();
  }

  #open() {
    this.#owner.opening();
    this.#epoch = null;
    this.#link?.close();
    try {
      this.#link = this.#connectHub((msg) => this.#receive(msg));
    } catch (err) {
      this.#link = null;
      this.#owner.error(err);
      return;
    }
    this.#link.post({ t: this.#hello, tab: this.#tab });
    clearTimeout(this.#helloTimer);
    // Not a verdict on a Web Locks leader (no steal): the first leader may still be starting.
    this.#helloTimer = setTimeout(() => {
      if (this.#epoch === null && !this.#closed) this.#open();
    }, this.#link.helloMs ?? HELLO_MS);
  }

  #receive(msg) {
    if (this.#closed) return;
    if (msg.t !== 'pong') {
      this.#owner.message(msg);
      return;
    }
    this.#pongAt = Date.now();
    if (msg.epoch !== this.#epoch) this.lost();
  }
}
