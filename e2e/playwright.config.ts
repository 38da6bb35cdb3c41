/**
 * End-to-end tests (`npm run e2e`, or `npx playwright test -c e2e/playwright.config.ts --project web`).
 * Two projects run the same specs (e2e/*.spec.ts) through the `app` fixture (e2e/fixtures/app.ts):
 *  - web: the renderer served by `tessera daemon`, in Chromium — Playwright's own when installed, else
 *    Debian's /usr/bin/chromium;
 *  - electron: the built desktop app (dist/electron/main.js) through Playwright's _electron, when the
 *    Electron binary exists. When it does not, the project says so and its tests are reported as not run.
 */
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './fixtures/chromium.js';
import { electronUnavailable } from './fixtures/electron.js';
import type { TesseraTarget } from './fixtures/app.js';

const electronNote = electronUnavailable();
const wantsElectron = (() => {
  const argv = process.argv;
  const projects = argv.flatMap((a, i) => (a === '--project' ? [argv[i + 1] ?? ''] : a.startsWith('--project=') ? [a.slice('--project='.length)] : []));
  return projects.length === 0 || projects.includes('electron');
})();
// The config is loaded by the runner and again by each worker (which inherit its environment): say it once.
if (!process.env.TESSERA_E2E_ELECTRON_NOTED) {
  process.env.TESSERA_E2E_ELECTRON_NOTED = '1';
  if (electronNote && wantsElectron) console.log(electronNote);
}

export default defineConfig<object, { tesseraTarget: TesseraTarget }>({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'web',
      // Checks of the Electron shell itself; the web project runs every other spec.
      testIgnore: 'desktop-shell.spec.ts',
      use: {
        tesseraTarget: 'web',
        browserName: 'chromium',
        launchOptions: chromiumLaunchOptions(),
      },
    },
    {
      name: 'electron',
      use: { tesseraTarget: 'electron' },
    },
  ],
});
