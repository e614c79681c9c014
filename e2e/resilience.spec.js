import { test, expect } from './fixtures.js';

test('backoff, breaker, histogram and metrics work on the Wasm build in Chromium', async ({ page, site }) => {
  await page.goto(`${site.url}/e2e/pages/resilience.html`);
  const out = page.locator('#out');
  await expect(out).not.toHaveText('running');
  const r = JSON.parse(await out.textContent());
  expect(r.delays).toEqual([1000, 1600, 2560]);
  expect(r.rejected).toBe('LIFELINE_ERR_REJECTED');
  expect(r.probe).toBe('ok');
  expect(r.stateAfterOneProbe).toBe('half-open'); // 2 probe successes are needed
  expect(r.state).toBe('closed');
  expect(r.windowCalls).toBe(3);
  expect(r.windowAfterIdle).toBe(0); // 60.001 s later
  expect(r.changes).toEqual(['closed>open:consecutive-failures', 'open>half-open:break-elapsed',
    'half-open>closed:probes-succeeded']);
  expect(Math.abs(r.p99 - 9900) / 9900).toBeLessThan(0.01);
  expect(r.prometheusHasCounter).toBe(true);
});
