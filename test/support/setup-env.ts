// Runs in every test worker: points the standard AWS SDK variables at the emulators started by
// global-setup.ts, so tests and production code create clients exactly as they would against AWS,
// and hides the SDK's Node-version notice.
import { inject } from 'vitest';
import { useEmulators } from '../../lib/tooling/local/emulator-env.ts';
import { hideSdkNodeVersionNotice } from '../../lib/shared/sdk-node-notice.ts';

// The SDK's "upgrade to Node 22" notice, once per client, would be most of the test output.
hideSdkNodeVersionNotice();
useEmulators(inject('emulators'));
