// Local emulators for `npm start` and the integration tests, all on 127.0.0.1 with ephemeral ports:
// dynalite (DynamoDB, in-process), fauxqs (SQS, SNS and S3, in-process) and, where Java exists, the
// official DynamoDB Local jar shipped in amplify-dynamodb-simulator. Development dependencies only:
// nothing here is bundled into a Lambda function.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { buildApp } from 'fauxqs';
import type { EmulatorEndpoints } from './emulator-env.ts';

export { useEmulators, type EmulatorEndpoints } from './emulator-env.ts';

const require = createRequire(import.meta.url);

/** A running emulator: where it listens and how to stop it. */
export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts dynalite in this process. */
export async function startDynalite(): Promise<Emulator> {
  const dynalite = require('dynalite') as (options: object) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite did not bind a TCP port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Clients keep sockets alive between requests; without this, close waits for their timeout.
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** Starts fauxqs (SQS, SNS and S3) in this process, bound to 127.0.0.1 only (its own start binds all interfaces). */
export async function startFauxqs(): Promise<Emulator> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { endpoint: address, stop: () => app.close() };
}

/**
 * The endpoints of running dynalite and fauxqs. fauxqs names its queues
 * `http://sqs.<region>.localhost:<port>/...` and the SQS client sends each request to its queue
 * URL's host, so the SQS endpoint is given that same origin (the SDK then has nothing to override).
 */
export function emulatorEndpoints(dynamodb: Emulator, fauxqs: Emulator, region = 'us-east-1'): EmulatorEndpoints {
  return {
    dynamodb: dynamodb.endpoint,
    sqs: `http://sqs.${region}.localhost:${new URL(fauxqs.endpoint).port}`,
    sns: fauxqs.endpoint,
    s3: `http://localhost:${new URL(fauxqs.endpoint).port}`,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** True when a Java runtime is on the PATH. */
export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts the official DynamoDB Local jar (in memory). It has no bind-address option, so it listens
 * on all interfaces of the test machine for the duration of the tests.
 */
export async function startDynamoDbLocal(): Promise<Emulator> {
  const dir = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const port = await freePort();
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  // However slow the machine (a JVM starting): until it answers, or the process has ended.
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (child.exitCode !== null) {
        child.kill();
        throw new Error(`DynamoDB Local did not start: ${String(error)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
