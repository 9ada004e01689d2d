import { defineConfig } from '@playwright/test';

// Debian's Chromium (apt); Playwright's own browser download is never used.
export default defineConfig({
  testDir: './specs',
  timeout: 120_000,
  workers: 1,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    baseURL: process.env.DASH_URL,
    viewport: { width: 1280, height: 860 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox'],
    },
  },
});
