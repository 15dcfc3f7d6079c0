import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    setupFiles: ['./test/support/setup-env.ts'],
    // Dots, failures in full, then the one closing line `N passed, M failed`.
    reporters: ['dot', './test/support/summary-reporter.ts'],
    // Most test files wait on emulators, child processes and loopback HTTP, not on the CPU: three
    // at once keep a 2-core machine busy (vitest's default there is one). Worker threads, not
    // forked processes: a process per test file cost more CPU than most of the files themselves.
    pool: 'threads',
    maxWorkers: 3,
    // No timeout a slow machine could trip (correctness never depends on time here); a test that
    // truly hangs still ends, well within CI's limit.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
