// What the deployed path costs in DynamoDB: the real detection handler against the emulators, with a
// DynamoDB client that asks every request for its consumed capacity and counts it. A conditional
// write that fails is charged as DynamoDB bills it: the larger of the stored item and the item
// written, at least 1 WCU (the emulator reports nothing for it, so the stored item is read on the
// side, uncounted).
import { DynamoDBClient, GetItemCommand, type AttributeValue, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readDetectConfig } from '../../lib/config/detect-config.ts';
import { DEFAULT_ORGANIZATION } from '../../lib/ingestion/packing/organization.ts';
import { packEvents } from '../../lib/ingestion/packing/pack-events.ts';
import { createDetectionHandler } from '../../lib/pipeline/detect/create-handler.ts';
import { SILENT_TELEMETRY } from '../../lib/pipeline/detect/telemetry.ts';
import type { QueueRecord } from '../../lib/shared/sqs-batch.ts';
import { provisionPipeline } from '../../lib/tooling/local/provision.ts';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';
import { emulatorEndpoints, startDynalite, startFauxqs, useEmulators } from '../../lib/tooling/local/emulators.ts';
import { syntheticEvents } from '../../lib/tooling/local/synthetic-events.ts';
import { figure, type Figure } from './stats.ts';

/** Requests and capacity units consumed, by operation. */
export interface CapacityTally {
  requests: number;
  wcu: number;
  rcu: number;
  failedConditions: number;
  readonly byCommand: Record<string, { requests: number; wcu: number; rcu: number }>;
}

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

function emptyTally(): CapacityTally {
  return { requests: 0, wcu: 0, rcu: 0, failedConditions: 0, byCommand: {} };
}

/** DynamoDB's item size: attribute names and values in bytes (numbers about one byte per two digits). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/[^0-9]/g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + valueBytes({ N: n }), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + itemBytes(value.M);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  return 1;
}

/** A DynamoDB client whose every request reports its consumed capacity into `tally`. */
function countingClient(tally: CapacityTally): DynamoDBClient {
  const client = new DynamoDBClient({});
  const side = new DynamoDBClient({});
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const row = (tally.byCommand[command] ??= { requests: 0, wcu: 0, rcu: 0 });
      const charge = (units: number) => {
        const read = READS.has(command);
        if (read) {
          tally.rcu += units;
          row.rcu += units;
        } else {
          tally.wcu += units;
          row.wcu += units;
        }
      };
      tally.requests++;
      row.requests++;
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : [])
          charge(entry.CapacityUnits ?? 0);
        return result;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
          tally.failedConditions++;
          const written = input.Item as Record<string, AttributeValue> | undefined;
          const key = (input.Key as Record<string, AttributeValue> | undefined) ?? { pk: written?.pk ?? { S: '' } };
          const stored = await side.send(new GetItemCommand({ TableName: input.TableName as string, Key: key }));
          const bytes = Math.max(stored.Item ? itemBytes(stored.Item) : 0, written ? itemBytes(written) : 0);
          charge(Math.max(1, Math.ceil(bytes / 1024)));
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
  return client;
}

/** One scenario's bill. */
export interface ScenarioBill {
  readonly events: number;
  readonly invocations: number;
  readonly recordsFailed: number;
  readonly tally: CapacityTally;
  readonly batchMs: number[];
}

/** Runs `bodies` through a fresh pipeline in batches of `batchSize`, `concurrency` invocations at once, retrying failed records as SQS would. */
async function runScenario(
  name: string,
  bodies: readonly string[],
  events: number,
  concurrency: number,
): Promise<ScenarioBill> {
  const settings = pipelineSettings();
  const pipeline = await provisionPipeline(
    { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}), sns: new SNSClient({}) },
    settings,
    `cap-${name}`,
    { visibilityTimeoutSeconds: 2 },
  );
  const config = readDetectConfig({
    DEDUP_TABLE_NAME: pipeline.tableName,
    ALERT_TOPIC_ARN: pipeline.topicArn,
    DEAD_LETTER_QUEUE_URL: pipeline.dlqUrl,
  });
  const tally = emptyTally();
  const dynamodb = countingClient(tally);
  const handler = createDetectionHandler({
    config,
    telemetry: SILENT_TELEMETRY,
    clients: {
      dynamodb: () => Promise.resolve(dynamodb),
      sns: () => Promise.resolve(new SNSClient({})),
      sqs: () => Promise.resolve(new SQSClient({})),
    },
  });
  let queue: QueueRecord[] = bodies.map((body, i) => ({
    messageId: `${name}-${i}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
  }));
  let invocations = 0;
  let recordsFailed = 0;
  const batchMs: number[] = [];
  const batchSize = settings.detect.batchSize;
  while (queue.length > 0) {
    const batches: QueueRecord[][] = [];
    for (let i = 0; i < queue.length; i += batchSize) batches.push(queue.slice(i, i + batchSize));
    const retry: QueueRecord[] = [];
    for (let i = 0; i < batches.length; i += concurrency) {
      const wave = batches.slice(i, i + concurrency);
      const results = await Promise.all(
        wave.map(async (batch) => {
          const start = performance.now();
          const result = await handler(batch);
          batchMs.push(performance.now() - start);
          return { batch, failed: new Set(result.batchItemFailures.map((f) => f.itemIdentifier)) };
        }),
      );
      invocations += wave.length;
      for (const { batch, failed } of results)
        for (const record of batch)
          if (failed.has(record.messageId)) {
            recordsFailed++;
            const count = Number(record.attributes?.ApproximateReceiveCount ?? '1') + 1;
            retry.push({ ...record, attributes: { ApproximateReceiveCount: String(count) } });
          }
    }
    queue = retry;
  }
  return { events, invocations, recordsFailed, tally, batchMs };
}

function pack(events: readonly unknown[]): string[] {
  return packEvents(events, { organization: DEFAULT_ORGANIZATION, source: 'poller' }).bodies;
}

/** Sizes of the capacity scenarios. */
export interface CapacitySizes {
  /** Events of the shared corpus run through the handler. */
  readonly capacityCorpusEvents: number;
  readonly hotKeyMatches: number;
  readonly hotAccountLogins: number;
}

/** The capacity figures (see docs/performance.md). */
export interface CapacityFigures {
  readonly dynamodbRequestsPerEvent: number;
  readonly dynamodbWcuPerEvent: number;
  readonly dynamodbRcuPerEvent: number;
  readonly hotKeyWcuPerMatch: number;
  readonly correlationWcuPerStep: number;
  readonly recordsFailedUnderContention: number;
  readonly corpusBatchMs: Figure;
  readonly meta: Record<string, unknown>;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function billSummary(bill: ScenarioBill) {
  return {
    events: bill.events,
    invocations: bill.invocations,
    recordsFailed: bill.recordsFailed,
    requests: bill.tally.requests,
    wcu: round(bill.tally.wcu, 1),
    rcu: round(bill.tally.rcu, 1),
    failedConditions: bill.tally.failedConditions,
    byCommand: Object.fromEntries(
      Object.entries(bill.tally.byCommand).map(([command, row]) => [
        command.replace(/Command$/, ''),
        { requests: row.requests, wcu: round(row.wcu, 1), rcu: round(row.rcu, 1) },
      ]),
    ),
  };
}

/**
 * The DynamoDB bill of the deployed path, over emulators it starts: the shared
 * corpus as the poller packs it (up to 100 events a message, 10 messages an invocation), one dedup
 * key's matches from 8 invocations at once, and one account's logins from 4.
 *
 * @example
 * ```ts
 * const figures = await measureCapacity(corpusLines, { capacityCorpusEvents: 20000, hotKeyMatches: 10000, hotAccountLogins: 2500 });
 * ```
 */
export async function measureCapacity(corpusLines: readonly string[], sizes: CapacitySizes): Promise<CapacityFigures> {
  const [dynamodbEmulator, fauxqs] = await Promise.all([startDynalite(), startFauxqs()]);
  try {
    useEmulators(emulatorEndpoints(dynamodbEmulator, fauxqs));
    return await measureScenarios(corpusLines, sizes);
  } finally {
    await Promise.all([dynamodbEmulator.stop(), fauxqs.stop()]);
  }
}

async function measureScenarios(corpusLines: readonly string[], sizes: CapacitySizes): Promise<CapacityFigures> {
  const corpusEvents = corpusLines.slice(0, sizes.capacityCorpusEvents).map((line) => JSON.parse(line) as unknown);
  const corpus = await runScenario('corpus', pack(corpusEvents), corpusEvents.length, 1);

  // One actor's elevated keys, all within one hour of event time: one dedup key, one window.
  const hot = syntheticEvents(sizes.hotKeyMatches, {
    matchingRate: 1,
    matchingActors: 1,
    runId: 'hot',
    spreadSeconds: 3000,
  });
  const hotKey = await runScenario('hot-key', pack(hot), hot.length, 8);

  // One account's logins (seven failures, then a success, over and over), within the lookback.
  const logins = syntheticEvents(sizes.hotAccountLogins, {
    matchingRate: 0,
    loginRate: 1,
    loginAccounts: 1,
    runId: 'account',
    spreadSeconds: 3600,
  });
  const account = await runScenario('account', pack(logins), logins.length, 4);

  return {
    dynamodbRequestsPerEvent: round(corpus.tally.requests / corpus.events),
    dynamodbWcuPerEvent: round(corpus.tally.wcu / corpus.events),
    dynamodbRcuPerEvent: round(corpus.tally.rcu / corpus.events),
    hotKeyWcuPerMatch: round(hotKey.tally.wcu / hotKey.events),
    correlationWcuPerStep: round(account.tally.wcu / account.events),
    recordsFailedUnderContention: hotKey.recordsFailed + account.recordsFailed,
    corpusBatchMs: figure(corpus.batchMs, 1),
    meta: { corpus: billSummary(corpus), hotKey: billSummary(hotKey), account: billSummary(account) },
  };
}
