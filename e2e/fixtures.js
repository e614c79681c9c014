import { test as base, expect } from '@playwright/test';
import { startStaticServer } from '../demo/static-server.js';

/** `site`: a static server over the repo root for the worker's lifetime (pages under e2e/pages). */
export const test = base.extend({
  site: [
    async ({}, use) => {
      const server = await startStaticServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
});
export { expect };
