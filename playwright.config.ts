import { existsSync } from 'node:fs';
import { chromium, defineConfig } from '@playwright/test';

/**
 * Uncommon fixed ports so a test never talks to a stray dev server. E2E_APP_PORT, E2E_SANDBOX_PORT
 * and LAB_DIST_DIR let two runs side by side use their own servers and build.
 */
export const E2E_APP_PORT = Number(process.env['E2E_APP_PORT'] ?? 47173);
export const E2E_SANDBOX_PORT = Number(process.env['E2E_SANDBOX_PORT'] ?? 47174);

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Playwright's own Chromium where installed, else Debian's, else a message naming the fix. */
function chromiumExecutable(): string | undefined {
  const own = chromium.executablePath();
  if (own !== '' && existsSync(own)) return undefined;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  throw new Error('No Chromium found for the e2e tests. Install one with: sudo apt-get install -y chromium');
}

const executablePath = chromiumExecutable();
const ci = process.env['CI'] !== undefined && process.env['CI'] !== '';

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: ci,
  retries: ci ? 1 : 0,
  // One worker: some specs change the sandbox's runtime settings (token rotation, device code lifetime),
  // which would leak into specs running beside them.
  workers: 1,
  timeout: 60_000,
  reporter: ci ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://localhost:${E2E_APP_PORT}`,
    trace: 'on-first-retry',
    launchOptions: { args: CHROMIUM_ARGS, ...(executablePath === undefined ? {} : { executablePath }) },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'npx vite build --logLevel warn && npx tsx server/main.ts --mode=preview',
    url: `http://localhost:${E2E_APP_PORT}/lab-config.json`,
    env: {
      APP_PORT: String(E2E_APP_PORT),
      SANDBOX_PORT: String(E2E_SANDBOX_PORT),
      SANDBOX_DATA_DIR: '.sandbox/e2e',
      ...(process.env['LAB_DIST_DIR'] === undefined ? {} : { LAB_DIST_DIR: process.env['LAB_DIST_DIR'] }),
    },
    reuseExistingServer: !ci,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
