import { test, expect } from './fixtures.js';

test('the parser decodes a fetched stream fed in small chunks', async ({ page, site }) => {
  await page.goto(`${site.url}/e2e/pages/parser.html`);
  await expect(page.locator('#status')).toHaveText('done');
  await expect(page.locator('#events li')).toHaveText([
    'comment welcome',
    'retry 2500',
    'event greeting [hello] id=1',
    'event message [multi\nline] id=1',
    'event message [{"text":"héllo 🌍"}] id=2',
    'event message [after reset] id=2',
    'error LIFELINE_ERR_LINE_TOO_LONG',
  ]);
  await expect(page.locator('#meta')).toHaveText('lastEventId=2');
});
