// Starts the emulators once for the whole run; every test file gets their endpoints through
// `inject('emulators')` (see setup-env.ts) and creates its own uniquely named resources.
import type { TestProject } from 'vitest/node';
import { startDynalite, startFauxqs, type Emulator } from './emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: { dynamodb: string; sqs: string; sns: string };
  }
}

let running: Emulator[] = [];

export async function setup(project: TestProject): Promise<void> {
  const [dynamodb, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  running = [dynamodb, fauxqs];
  // The SQS endpoint has the origin of fauxqs' queue URLs, so the SDK's queue-URL endpoint check agrees.
  const port = new URL(fauxqs.endpoint).port;
  project.provide('emulators', { dynamodb: dynamodb.endpoint, sqs: `http://sqs.us-east-1.localhost:${port}`, sns: fauxqs.endpoint });
}

export async function teardown(): Promise<void> {
  await Promise.all(running.map((emulator) => emulator.stop()));
  running = [];
}
