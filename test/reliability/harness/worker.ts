// A detection worker process for the reliability harness: polls the queue like Lambda's event
// source and runs the real handler, with Lambda's semantics where they matter: each invocation has
// a deadline (the function timeout), passed to the handler as its remaining time, and an invocation
// that hangs is killed (SIGKILL) at its deadline. When told to, it also kills itself at a point of
// the dedup protocol, after noting where in the kill log. Time is the harness's simulated time
// (harness.ts, runRounds): the harness asks for one poll at a time, over IPC, saying what time it
// is, and time does not move while an invocation runs. Started by harness.ts with
// `node --import tsx`, configured through RELIABILITY_WORKER (JSON).
import { appendFileSync, writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { interceptLocalhostDns } from 'fauxqs';
import { readDetectConfig } from '../../../lib/config/detect-config.ts';
import { LEASE_MARGIN_SECONDS } from '../../../lib/pipeline/dedup/constants.ts';
import { createDetectionHandler } from '../../../lib/pipeline/detect/create-handler.ts';
import { pollOnce } from '../../../lib/tooling/local/event-source.ts';
import { localTelemetry } from '../../../lib/tooling/local/local-telemetry.ts';
import { hideSdkNodeVersionNotice } from '../../../lib/shared/sdk-node-notice.ts';
import { injectFaults } from './faults.ts';
import type { KillPoint } from './harness.ts';

interface WorkerConfig {
  queueUrl: string;
  tableName: string;
  topicArn: string;
  dlqUrl: string;
  /** The event archive's bucket, in the emulator's S3. */
  archiveBucket: string;
  functionTimeoutSeconds: number;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  kill?: { point: KillPoint; occurrence: number };
  /** Real time each invocation starts late (a loaded machine; see ScenarioSpec). */
  invocationDelayMs: number;
  killLog: string;
  /** Where the receipt handles of the batch in hand are written: the harness returns them if it dies. */
  inFlightFile: string;
}

hideSdkNodeVersionNotice();
interceptLocalhostDns();
const config = JSON.parse(process.env.RELIABILITY_WORKER ?? '{}') as WorkerConfig;
let seen = 0;
// Alerts this process has sent to SNS (the request is out, whether or not the response came back)
// and not yet marked sent: a death now leaves each of them to be published again, with the same id,
// by whoever takes its window over after the lease.
const publishedNotMarked = new Set<string>();

function die(point: KillPoint, details: Record<string, unknown>): never {
  const planned = config.kill?.point === point;
  appendFileSync(
    config.killLog,
    `${JSON.stringify({ point, planned, pid: process.pid, ...details, publishedNotMarked: [...publishedNotMarked] })}\n`,
  );
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: killed');
}

function shouldDie(point: KillPoint): boolean {
  return config.kill?.point === point && ++seen === config.kill.occurrence;
}

const isMarkSent = (input: { UpdateExpression?: string }) =>
  input.UpdateExpression?.startsWith('SET #status = :sent') === true;

/** A batch's counting write on a window: the only write that returns the item as it was. */
const isCountingWrite = (input: { ReturnValues?: string }) => input.ReturnValues === 'ALL_OLD';

const dynamodb = injectFaults(new DynamoDBClient({}), (command, input) => {
  const update = input as {
    UpdateExpression?: string;
    ReturnValues?: string;
    ExpressionAttributeValues?: Record<string, { S?: string }>;
  };
  if (command === 'UpdateItemCommand' && isCountingWrite(update) && shouldDie('before-window-write'))
    die('before-window-write', {});
  if (command === 'UpdateItemCommand' && isMarkSent(update) && shouldDie('after-publish-before-mark-sent')) {
    die('after-publish-before-mark-sent', { alertId: update.ExpressionAttributeValues?.[':aid']?.S });
  }
  return undefined;
});
const sns = injectFaults(new SNSClient({}), (command, input) => {
  const attributes = (input as { MessageAttributes?: Record<string, { StringValue?: string }> }).MessageAttributes;
  if (command === 'PublishCommand' && shouldDie('between-write-and-publish'))
    die('between-write-and-publish', { alertId: attributes?.alert_id?.StringValue });
  return undefined;
});
// A publish that hangs past the function timeout (an SNS or KMS stall), before the request goes
// out: Lambda kills the invocation at its deadline. Time does not move during an invocation here,
// so its deadline is where it stands: the kill comes at once, its lease ending as at the deadline.
sns.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'PublishCommand' && shouldDie('function-timeout')) die('function-timeout', {});
    return next(args);
  },
  { step: 'initialize', name: 'hangPastTimeout' },
);
// Runs on the request's way out (after the kill checks, which sit at the same step and were added first).
sns.middlewareStack.add(
  (next, context) => async (args) => {
    const id = (args.input as { MessageAttributes?: Record<string, { StringValue?: string }> }).MessageAttributes
      ?.alert_id?.StringValue;
    if (context.commandName === 'PublishCommand' && id) publishedNotMarked.add(id);
    return next(args);
  },
  { step: 'initialize', name: 'trackPublishes' },
);
// Runs once a mark-sent write has succeeded.
dynamodb.middlewareStack.add(
  (next, context) => async (args) => {
    const result = await next(args);
    const update = args.input as {
      UpdateExpression?: string;
      ExpressionAttributeValues?: Record<string, { S?: string }>;
    };
    const id = update.ExpressionAttributeValues?.[':aid']?.S;
    if (context.commandName === 'UpdateItemCommand' && isMarkSent(update) && id) publishedNotMarked.delete(id);
    return result;
  },
  { step: 'initialize', name: 'trackMarkedSent' },
);

/** The harness's simulated time, Unix seconds, as of the poll it asked for. */
let now = 0;
const telemetry = localTelemetry('ERROR', (line) => process.stderr.write(`worker ${process.pid}: ${line}`));
const detect = createDetectionHandler({
  config: readDetectConfig({
    DEDUP_TABLE_NAME: config.tableName,
    ALERT_TOPIC_ARN: config.topicArn,
    DEAD_LETTER_QUEUE_URL: config.dlqUrl,
    FUNCTION_TIMEOUT_SECONDS: String(config.functionTimeoutSeconds),
    DEDUP_LEASE_SECONDS: String(config.functionTimeoutSeconds + LEASE_MARGIN_SECONDS),
    QUEUE_VISIBILITY_TIMEOUT_SECONDS: String(config.visibilityTimeoutSeconds),
    MAX_RECEIVE_COUNT: String(config.maxReceiveCount),
    ARCHIVE_BUCKET: config.archiveBucket,
  }),
  telemetry,
  clock: () => now,
  clients: {
    dynamodb: () => Promise.resolve(dynamodb),
    sns: () => Promise.resolve(sns),
    sqs: () => Promise.resolve(new SQSClient({})),
  },
});

/** One invocation, as Lambda runs it: its deadline one function timeout after its start. */
const invoke: typeof detect = async (records) => {
  if (config.invocationDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.invocationDelayMs));
  return detect(records, { remainingMillis: () => config.functionTimeoutSeconds * 1000 });
};

const sqs = new SQSClient({});
const send = (message: Record<string, unknown>) =>
  new Promise<void>((resolve, reject) =>
    process.send?.(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
process.on('message', (request: { now?: number; stop?: true }) => {
  if (request.stop) process.exit(0);
  now = request.now ?? now;
  void (async () => {
    const { received, failedReceiptHandles } = await pollOnce(sqs, config.queueUrl, invoke, {
      batchSize: 10,
      waitSeconds: 0,
      onReceived: (receiptHandles) => writeFileSync(config.inFlightFile, JSON.stringify(receiptHandles)),
    });
    writeFileSync(config.inFlightFile, '[]');
    await send({ received, failed: failedReceiptHandles });
  })();
});
writeFileSync(config.inFlightFile, '[]');
await send({ ready: true });
