// Runs in every test worker: points the standard AWS SDK variables at the emulators started by
// global-setup.ts, so tests and production code create clients exactly as they would against AWS.
import { inject } from 'vitest';
import { useEmulators } from '../../lib/tooling/local/emulators.ts';

useEmulators(inject('emulators'));
