import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    setupFiles: ['./test/support/setup-env.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // CLI tests start real processes; give them room on a loaded 2-core CI machine.
    testTimeout: 30_000,
  },
});
