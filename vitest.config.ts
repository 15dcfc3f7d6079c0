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
    // No timeouts: a test's outcome never depends on how long it took, so a loaded machine makes
    // the suite slower, never failed (a 300-second limit failed ESLint's test at a load average of
    // 20). Nothing here waits on what does not end; a true hang is for CI's job limit to end.
    testTimeout: 0,
    hookTimeout: 0,
  },
});
