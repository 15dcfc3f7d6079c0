// Starts the emulators once for the whole run; every test file gets their endpoints through
// `inject('emulators')` (see setup-env.ts) and creates its own uniquely named resources.
import type { TestProject } from 'vitest/node';
import { emulatorEndpoints, startDynalite, startFauxqs, type Emulator } from '../../lib/tooling/local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: { dynamodb: string; sqs: string; sns: string; s3: string };
  }
}

let running: Emulator[] = [];

export async function setup(project: TestProject): Promise<void> {
  const [dynamodb, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  running = [dynamodb, fauxqs];
  project.provide('emulators', emulatorEndpoints(dynamodb, fauxqs));
}

export async function teardown(): Promise<void> {
  await Promise.all(running.map((emulator) => emulator.stop()));
  running = [];
}
