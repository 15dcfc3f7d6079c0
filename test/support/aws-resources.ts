// Creating and reading the pipeline's resources on the emulators, through the real SDK v3 clients.
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { BatchResult, QueueRecord } from '../../lib/detect/process-batch.ts';

export const dynamodb = () => new DynamoDBClient({});
export const sns = () => new SNSClient({});
export const sqs = () => new SQSClient({});

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A dedup table shaped like the deployed one (TTL cannot be set on dynalite). */
export async function createDedupTable(client: DynamoDBClient = dynamodb()): Promise<string> {
  const name = unique('dedup');
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

/** The detection queue with its DLQ (redrive after 5 receives), an alert topic and a subscriber queue. */
export interface PipelineResources {
  readonly tableName: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly topicArn: string;
  readonly subscriberUrl: string;
}

async function queue(client: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error('no queue URL');
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
}

export async function createPipelineResources(): Promise<PipelineResources> {
  const sqsClient = sqs();
  const snsClient = sns();
  const dlq = await queue(sqsClient, unique('dlq'), { MessageRetentionPeriod: '1209600' });
  const main = await queue(sqsClient, unique('audit-events'), {
    VisibilityTimeout: '30',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
  });
  const subscriber = await queue(sqsClient, unique('alerts-subscriber'));
  const { TopicArn } = await snsClient.send(new CreateTopicCommand({ Name: unique('alerts') }));
  if (!TopicArn) throw new Error('no topic ARN');
  await snsClient.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: subscriber.arn }));
  return { tableName: await createDedupTable(), queueUrl: main.url, dlqUrl: dlq.url, topicArn: TopicArn, subscriberUrl: subscriber.url };
}

/** Sends message bodies to a queue. */
export async function sendBodies(queueUrl: string, bodies: readonly string[]): Promise<void> {
  const client = sqs();
  for (const body of bodies) await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

/** Receives everything currently on a queue (and deletes it), waiting briefly for stragglers. */
export async function drain(queueUrl: string, options: { attributes?: boolean } = {}): Promise<Message[]> {
  const client = sqs();
  const messages: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: options.attributes === false ? [] : ['All'],
      }),
    );
    if (Messages.length === 0) {
      empty++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    for (const message of Messages) {
      messages.push(message);
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return messages;
}

/**
 * One poll of Lambda's SQS event source: receive up to `batchSize` messages, invoke the handler,
 * delete what succeeded, and make the failures visible again at once (instead of waiting for the
 * visibility timeout) so tests can retry them. Returns the handler's result.
 */
export async function pollOnce(
  queueUrl: string,
  handler: (records: readonly QueueRecord[]) => Promise<BatchResult>,
  batchSize = 10,
): Promise<{ received: number; result: BatchResult }> {
  const client = sqs();
  const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: batchSize, WaitTimeSeconds: 0 }));
  const records = Messages.map((m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '', receiptHandle: m.ReceiptHandle ?? '' }));
  const result = await handler(records);
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  for (const record of records) {
    if (failed.has(record.messageId)) {
      await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 }));
    } else {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
    }
  }
  return { received: records.length, result };
}

/** An alert as the subscriber queue receives it: the SNS envelope, and the alert inside. */
export interface ReceivedAlert {
  readonly subject: string | null;
  readonly attributes: Record<string, string>;
  readonly alert: Record<string, unknown> & { alertId: string; severity: string; title: string; alertContext: Record<string, unknown> };
  readonly email: string | undefined;
}

/**
 * Reads alerts from the subscriber queue. fauxqs passes a `MessageStructure: json` message through
 * whole (AWS would deliver the `default` member to SQS), so both forms are accepted.
 */
export async function receivedAlerts(subscriberUrl: string): Promise<ReceivedAlert[]> {
  const messages = await drain(subscriberUrl, { attributes: false });
  return messages.map((message) => {
    const envelope = JSON.parse(message.Body ?? '{}') as {
      Subject: string | null;
      Message: string;
      MessageAttributes?: Record<string, { Type: string; Value: string }>;
    };
    const inner = JSON.parse(envelope.Message) as { default?: string; email?: string } & Record<string, unknown>;
    const alert = (typeof inner.default === 'string' ? JSON.parse(inner.default) : inner) as ReceivedAlert['alert'];
    const attributes = Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]));
    return { subject: envelope.Subject, attributes, alert, email: inner.email };
  });
}
