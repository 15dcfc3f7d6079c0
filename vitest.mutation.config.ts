// The tests that exercise the protocol code Stryker mutates (lib/pipeline/dedup, lib/pipeline/detect,
// lib/pipeline/correlate, lib/pipeline/baseline, lib/pipeline/state, the correlation state in
// lib/detection/engine/correlation.ts and the baselines in lib/detection/engine/baseline.ts): unit tests
// of the pure parts and of the batch logic over in-memory fakes, the dedup and correlation stores
// over the emulators, the pipeline end to end (test/integration/openai-pack-pipeline.test.ts drives the
// correlation through the handler). The reliability scenarios and packaging tests are left out:
// they take minutes per run, and every protocol path they drive is also driven here.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/lib/pipeline/**/*.test.ts',
      'test/lib/detection/engine/correlate.test.ts',
      'test/lib/detection/engine/baseline.test.ts',
      'test/lib/detection/engine/baseline-stream.test.ts',
      'test/property/correlation.property.test.ts',
      'test/integration/**/*.test.ts',
      'test/functions/detect.test.ts',
      'test/lib/config/detect-config.test.ts',
    ],
    globalSetup: ['./test/support/global-setup.ts'],
    setupFiles: ['./test/support/setup-env.ts'],
    testTimeout: 0,
    // Once per mutant, the store's tests on dynalite only (DynamoDB Local, a JVM, starts in seconds).
    env: { DEDUP_TEST_BACKENDS: 'dynalite' },
  },
});
