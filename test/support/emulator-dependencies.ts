// The batch processor's dependencies over the emulators, as the integration and property tests build
// them: real SDK clients, the pipeline's table, topic and DLQ.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RuleCatalog } from '../../lib/detection/engine/catalog.ts';
import { DynamoBaselineStore } from '../../lib/pipeline/baseline/dynamodb-baseline-store.ts';
import { DynamoCorrelationStore } from '../../lib/pipeline/correlate/dynamodb-correlation-store.ts';
import { DynamoDedupStore } from '../../lib/pipeline/dedup/dynamodb-dedup-store.ts';
import { systemClock } from '../../lib/pipeline/dedup/window.ts';
import type { DetectionDependencies } from '../../lib/pipeline/detect/process-batch.ts';
import type { Telemetry } from '../../lib/pipeline/detect/telemetry.ts';
import { SnsAlertPublisher } from '../../lib/pipeline/publish/sns-alert-publisher.ts';
import { SqsDeadLetterSink } from '../../lib/shared/sqs-dead-letter-sink.ts';
import type { PipelineResources } from './aws-resources.ts';

/** What differs between the tests that build them. */
export interface EmulatorDependencyOptions {
  readonly catalog: RuleCatalog;
  readonly telemetry: Telemetry;
  /** The clock of the batch and both stores; the system clock by default. */
  readonly clock?: () => number;
  /** The dedup store's client (one with injected faults); a plain client by default. */
  readonly dedupClient?: DynamoDBClient;
  readonly maxReceiveCount?: number;
}

/**
 * Dependencies of `processBatch` over the emulators, 4 keys at once, 60 s leases.
 *
 * @example
 * ```ts
 * const deps = emulatorDependencies(resources, { catalog: createRuleCatalog(), telemetry: recorder.telemetry });
 * ```
 */
export function emulatorDependencies(
  resources: PipelineResources,
  options: EmulatorDependencyOptions,
): DetectionDependencies {
  const clock = options.clock ?? systemClock;
  const tableName = resources.tableName;
  return {
    catalog: options.catalog,
    logType: 'OpenAI.Audit',
    dedupStore: () =>
      Promise.resolve(
        new DynamoDedupStore({ client: options.dedupClient ?? new DynamoDBClient({}), tableName, clock }),
      ),
    correlationStore: () =>
      Promise.resolve(new DynamoCorrelationStore({ client: new DynamoDBClient({}), tableName, clock })),
    baselineStore: () => Promise.resolve(new DynamoBaselineStore({ client: new DynamoDBClient({}), tableName, clock })),
    publisher: () => Promise.resolve(new SnsAlertPublisher(new SNSClient({}), resources.topicArn)),
    deadLetters: () => Promise.resolve(new SqsDeadLetterSink(new SQSClient({}), resources.dlqUrl)),
    telemetry: options.telemetry,
    clock,
    concurrency: 4,
    leaseSeconds: 60,
    ...(options.maxReceiveCount === undefined ? {} : { maxReceiveCount: options.maxReceiveCount }),
  };
}
