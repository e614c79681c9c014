// Compiled (not run) by tests/js/router.test.js: the hand-written .d.ts must describe the API.
import {
  init, isReady, createRouter, type Router, type RouterResponse, type ServiceHealth, type RouteNotice, type HealthState, type InitOptions,
} from '../../../js/index.js';

const opts: InitOptions = { router: true, routerWasmBinary: new Uint8Array(0), locateFile: (n: string) => `/assets/${n}` };
const loading: Promise<void> = init(opts);
const both: boolean = isReady({ router: true }) && isReady();
void loading; void both;

const router: Router = createRouter({
  services: [{ name: 'gemini', baseUrl: 'http://127.0.0.1:1', capabilities: ['analysis'], priority: 1, healthPath: '/health' }],
  probeIntervalMs: 10000, hedgeMs: 0,
});
const p: Promise<RouterResponse> = router.request('analysis', { path: '/v1/analyze', body: { q: 1 }, deadlineMs: 5000 });
const h: ServiceHealth[] = router.getHealth();
const st: HealthState = h[0].state;
const off: () => void = router.onStatus((x: ServiceHealth, prev: HealthState) => { void x; void prev; });
const off2: () => void = router.onDegraded((n: RouteNotice) => { const s: string = n.service; void s; });
router.setOnline(false);
const why: string = router.explain('analysis');
const unsub: () => void = router.subscribe(() => {});
const snap: ServiceHealth[] = router.getSnapshot();
const retryAt: number | null = snap[0].breakerRetryAt;
router.close();
void [p, st, off, off2, why, unsub, retryAt];

// router.stream (issue 16)
import type { AIStream, StreamEvent, StreamResult, StreamError, StreamNotice } from '../../../js/index.js';
const sr: Router = createRouter({ services: [{ name: 'g', baseUrl: 'http://x', capabilities: 'chat', format: 'gemini', continues: false }] });
const aiStream: AIStream = sr.stream('chat', {
  path: ({ service }) => `/v1/${service}`, body: ({ partial }) => ({ partial }), ttftMs: 2000, idleMs: 5000, afterCommit: 'continue',
  format: { text: (d) => d, isEnd: (d) => d === 'end', error: () => null }, onSwitch: (n: StreamNotice) => { const to: string = n.to; void to; },
});
async function consume(): Promise<void> {
  for await (const e of aiStream) { const ev: StreamEvent = e; const t: 'text' | 'switch' | 'restart' | 'continue' | 'resume' = ev.type; void t; }
  const r: StreamResult = await aiStream.result;
  const done: boolean = r.complete;
  void done;
  try { await aiStream.result; } catch (e) { const se = e as StreamError; const partial: string = se.partial; void partial; }
}
// @ts-expect-error afterCommit is one of three words
sr.stream('chat', { afterCommit: 'retry' });
void consume;

// A shared router's stream (createRouter({ share: 'origin' })): the same AIStream.
import type { SharedRouter } from '../../../js/index.js';
const shr: SharedRouter = createRouter({ share: 'origin', services: [{ name: 'g', baseUrl: 'http://x', capabilities: 'chat' }] });
const sharedStream: AIStream = shr.stream('chat', { path: '/v1/stream/chat', body: { q: 1 }, onStatus: (s) => { const st2: string = s.state; void st2; } });
void sharedStream.text; void sharedStream.result;
// @ts-expect-error an AIStream, not `never` (the type while shared routers refused streams)
const notAStream: number = shr.stream('chat');
void notAStream;
