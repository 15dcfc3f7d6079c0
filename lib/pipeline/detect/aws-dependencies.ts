import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveStore } from '../../archive/store.ts';
import type { DetectConfig } from './detect-config.ts';
import type { BaselineStore } from '../baseline/baseline-store.ts';
import type { CorrelationStore } from '../correlate/correlation-store.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import type { AlertPublisher } from '../publish/alert-publisher.ts';
import type { DeadLetterSink } from '../../shared/dead-letter-sink.ts';
import { lazy } from '../../shared/lazy.ts';

/** How AWS clients are made; tests pass clients with fault-injecting middleware. */
export interface AwsClientFactories {
  dynamodb(): Promise<DynamoDBClient>;
  sns(): Promise<SNSClient>;
  sqs(): Promise<SQSClient>;
  /** For the event archive; default: {@link archiveS3Client}. */
  s3?(): Promise<S3Client>;
}

/**
 * The event archive's S3 client: a slow S3 must not hold a batch, so each request times out after
 * a few seconds and is tried at most twice more (a failure retries the records, see `archiveBatch`).
 *
 * @example
 * ```ts
 * const client = await archiveS3Client();
 * ```
 */
export async function archiveS3Client(): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({ maxAttempts: 3, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } });
}

/**
 * Default clients: region, credentials and endpoints from the standard environment (including
 * `AWS_ENDPOINT_URL_DYNAMODB`/`_SNS`/`_SQS` for emulators). Each SDK module is imported only when
 * first needed, so a batch without a match loads neither DynamoDB nor SNS code.
 *
 * @example
 * ```ts
 * const clients = defaultClientFactories();
 * ```
 */
export function defaultClientFactories(): AwsClientFactories {
  return {
    dynamodb: async () => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({}),
    sns: async () => new (await import('@aws-sdk/client-sns')).SNSClient({}),
    sqs: async () => new (await import('@aws-sdk/client-sqs')).SQSClient({}),
    s3: archiveS3Client,
  };
}

/** The lazy adapters of the detection function. */
export interface AwsAdapters {
  readonly dedupStore: () => Promise<DedupStore>;
  readonly correlationStore: () => Promise<CorrelationStore>;
  readonly baselineStore: () => Promise<BaselineStore>;
  readonly publisher: () => Promise<AlertPublisher>;
  readonly deadLetters: () => Promise<DeadLetterSink>;
  /** Present when `archiveBucket` is configured. */
  readonly archive?: () => Promise<ArchiveStore>;
}

/**
 * Builds each adapter on first use and keeps it for the life of the container.
 *
 * @example
 * ```ts
 * const adapters = awsAdapters(config, defaultClientFactories(), clock);
 * ```
 */
export function awsAdapters(config: DetectConfig, clients: AwsClientFactories, clock: () => number): AwsAdapters {
  return {
    dedupStore: lazy(async () => {
      const { DynamoDedupStore } = await import('../dedup/dynamodb-dedup-store.ts');
      return new DynamoDedupStore({ client: await clients.dynamodb(), tableName: config.tableName, clock });
    }),
    correlationStore: lazy(async () => {
      const { DynamoCorrelationStore } = await import('../correlate/dynamodb-correlation-store.ts');
      return new DynamoCorrelationStore({ client: await clients.dynamodb(), tableName: config.tableName, clock });
    }),
    baselineStore: lazy(async () => {
      const { DynamoBaselineStore } = await import('../baseline/dynamodb-baseline-store.ts');
      return new DynamoBaselineStore({ client: await clients.dynamodb(), tableName: config.tableName, clock });
    }),
    publisher: lazy(async () => {
      const { SnsAlertPublisher } = await import('../publish/sns-alert-publisher.ts');
      return new SnsAlertPublisher(await clients.sns(), config.topicArn);
    }),
    deadLetters: lazy(async () => {
      const { SqsDeadLetterSink } = await import('../../shared/sqs-dead-letter-sink.ts');
      return new SqsDeadLetterSink(await clients.sqs(), config.deadLetterQueueUrl);
    }),
    ...(config.archiveBucket === undefined ? {} : { archive: archiveAdapter(config.archiveBucket, clients) }),
  };
}

function archiveAdapter(bucket: string, clients: AwsClientFactories): () => Promise<ArchiveStore> {
  return lazy(async () => {
    const { S3ArchiveStore } = await import('../../archive/s3-store.ts');
    return new S3ArchiveStore(await (clients.s3 ?? archiveS3Client)(), bucket);
  });
}
