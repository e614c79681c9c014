import { test, expect } from './fixtures.js';

test('the package loads its Wasm core in Chromium', async ({ page, site }) => {
  await page.goto(`${site.url}/e2e/pages/load.html`);
  await expect(page.locator('#out')).toHaveText('ready');
});
