// Compiled (not run) by tests/js/router.test.js: the hand-written .d.ts must describe the API.
import {
  createRouter, type Router, type RouterResponse, type ServiceHealth, type RouteNotice, type HealthState,
} from '../../../js/index.js';

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
