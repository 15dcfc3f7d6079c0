import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DestinationName } from '../../delivery/destination.ts';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PipelineSettings } from './settings.ts';

/** The resources of a local pipeline. */
export interface LocalPipeline {
  readonly tableName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly topicArn: string;
  readonly subscriberUrl: string;
}

/** What differs from the deployed stack, on purpose. */
export interface LocalOverrides {
  /** Seconds before a failed record is retried; the deployed 6x rule would stall a local run for minutes. */
  readonly visibilityTimeoutSeconds?: number;
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`queue ${name} was created without a URL`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
}

/**
 * Creates what the deployed stack has, with its settings: the dedup table, the detection queue
 * with its DLQ and redrive policy, the alert topic, and a local subscriber queue on the topic (in
 * place of email and pager). Names are `<prefix>-...`, like the stack's `<service>-<stage>-...`.
 *
 * @example
 * ```ts
 * const pipeline = await provisionPipeline({ dynamodb, sqs, sns }, pipelineSettings(), 'openai-audit-alerts-local');
 * ```
 */
export async function provisionPipeline(
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient; sns: SNSClient },
  settings: PipelineSettings,
  prefix: string,
  overrides: LocalOverrides = {},
): Promise<LocalPipeline> {
  const tableName = `${prefix}-dedup`;
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: settings.table.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: settings.table.partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const dlq = await createQueue(clients.sqs, `${prefix}-audit-events-dlq`, {
    MessageRetentionPeriod: String(settings.deadLetterQueue.retentionSeconds),
    MaximumMessageSize: String(settings.queue.maximumMessageSizeBytes),
  });
  const queue = await createQueue(clients.sqs, `${prefix}-audit-events`, {
    VisibilityTimeout: String(overrides.visibilityTimeoutSeconds ?? settings.queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(settings.queue.retentionSeconds),
    MaximumMessageSize: String(settings.queue.maximumMessageSizeBytes),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: settings.queue.maxReceiveCount }),
  });
  const subscriber = await createQueue(clients.sqs, `${prefix}-alerts-subscriber`, {});
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: `${prefix}-alerts` }));
  if (!TopicArn) throw new Error('the alert topic was created without an ARN');
  await clients.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: subscriber.arn }));
  return {
    tableName,
    queueUrl: queue.url,
    queueArn: queue.arn,
    dlqUrl: dlq.url,
    topicArn: TopicArn,
    subscriberUrl: subscriber.url,
  };
}

/** A queue as created: its URL (for clients) and ARN (what Lambda's records carry). */
export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
}

/** The delivery stage of a local pipeline: one queue per destination, and the delivery DLQ. */
export interface LocalDelivery {
  readonly queues: Readonly<Record<DestinationName, LocalQueue>>;
  /** The alert archive's queue: every alert, no filter policy. */
  readonly archiveQueue: LocalQueue;
  readonly dlqUrl: string;
}

const ROUTE_OF: Readonly<Record<DestinationName, 'pagerDuty' | 'slack' | 'webhook'>> = {
  pagerduty: 'pagerDuty',
  slack: 'slack',
  webhook: 'webhook',
};

/**
 * Creates the delivery stage as infra/delivery.yml and infra/archive.yml deploy it, with the stack's
 * settings: the delivery DLQ, one queue per destination with its redrive policy, each subscribed to
 * the alert topic with raw message delivery and the destination's routing filter policy, and the
 * alert archive's queue, subscribed to every alert.
 *
 * @example
 * ```ts
 * const delivery = await provisionDelivery({ sqs, sns }, pipelineSettings(), 'openai-audit-alerts-local', pipeline.topicArn);
 * ```
 */
export async function provisionDelivery(
  clients: { sqs: SQSClient; sns: SNSClient },
  settings: PipelineSettings,
  prefix: string,
  topicArn: string,
  overrides: LocalOverrides = {},
): Promise<LocalDelivery> {
  const dlq = await createQueue(clients.sqs, `${prefix}-delivery-dlq`, {
    MessageRetentionPeriod: String(settings.deadLetterQueue.retentionSeconds),
  });
  const subscribedQueue = async (name: string, filterPolicy: unknown): Promise<LocalQueue> => {
    const queue = await createQueue(clients.sqs, `${prefix}-delivery-${name}`, {
      VisibilityTimeout: String(overrides.visibilityTimeoutSeconds ?? settings.delivery.queue.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(settings.delivery.queue.retentionSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: settings.delivery.queue.maxReceiveCount,
      }),
    });
    const filter: Record<string, string> =
      filterPolicy === undefined
        ? {}
        : { FilterPolicyScope: 'MessageAttributes', FilterPolicy: JSON.stringify(filterPolicy) };
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { RawMessageDelivery: 'true', ...filter },
      }),
    );
    return queue;
  };
  const queues = {} as Record<DestinationName, LocalQueue>;
  for (const name of Object.keys(ROUTE_OF) as DestinationName[])
    queues[name] = await subscribedQueue(name, settings.delivery.routes[ROUTE_OF[name]].filterPolicy);
  // Every alert, as infra/archive.yml subscribes the alert archive queue.
  const archiveQueue = await subscribedQueue('archive', undefined);
  return { queues, archiveQueue, dlqUrl: dlq.url };
}
