import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Playwright specs live in e2e/ and must not be collected here.
    include: ['src/**/*.test.{ts,tsx}', 'server/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['./vitest.setup.ts'],
    // A throw-away redis-server for the tests of several sandbox instances on one Redis (issue 15), and
    // a local CA every test process trusts (NODE_EXTRA_CA_CERTS), for the https sandbox the client
    // libraries of issue 17 are tested against.
    globalSetup: [
      './server/sandbox/store/redis-global-setup.ts',
      './server/client-libraries/tls-global-setup.ts',
    ],
    testTimeout: 20_000,
  },
});
