import { defineConfig } from '@playwright/test';

// Debian's Chromium: Playwright cannot download browsers on these machines.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.js',
  outputDir: 'e2e/artifacts',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
