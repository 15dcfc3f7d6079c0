// Creating and reading the pipeline's resources on the emulators, through the real SDK v3 clients.
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { BatchResult, QueueRecord } from '../../lib/shared/sqs-batch.ts';
import { drainQueue, pollOnce as pollEventSource } from '../../lib/tooling/local/event-source.ts';
import { provisionPipeline, type LocalPipeline } from '../../lib/tooling/local/provision.ts';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';

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

/** The pipeline's resources, named uniquely per test. */
export type PipelineResources = LocalPipeline;

/** Provisions a pipeline like the deployed one (same settings), with unique names. */
export async function createPipelineResources(): Promise<PipelineResources> {
  return provisionPipeline({ dynamodb: dynamodb(), sqs: sqs(), sns: sns() }, pipelineSettings(), unique('test'));
}

/** Sends message bodies to a queue. */
export async function sendBodies(queueUrl: string, bodies: readonly string[]): Promise<void> {
  const client = sqs();
  for (const body of bodies) await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

/** Receives everything currently on a queue (and deletes it). */
export function drain(queueUrl: string, options: { attributes?: boolean } = {}): Promise<Message[]> {
  return drainQueue(sqs(), queueUrl, options);
}

/**
 * One poll of the SQS event source (lib/tooling/local/event-source.ts), with failed records made visible
 * again at once so tests can retry them without waiting for the visibility timeout.
 */
export async function pollOnce(
  queueUrl: string,
  handler: (records: readonly QueueRecord[]) => Promise<BatchResult>,
  batchSize = 10,
): Promise<{ received: number; result: BatchResult }> {
  let result: BatchResult = { batchItemFailures: [] };
  const { received } = await pollEventSource(sqs(), queueUrl, async (records) => (result = await handler(records)), {
    batchSize,
    retryFailuresNow: true,
  });
  return { received, result };
}

/** An alert as the subscriber queue receives it: the SNS envelope, and the alert inside. */
export interface ReceivedAlert {
  readonly subject: string | null;
  readonly attributes: Record<string, string>;
  readonly alert: Record<string, unknown> & {
    alertId: string;
    severity: string;
    title: string;
    alertContext: Record<string, unknown>;
  };
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
    const attributes = Object.fromEntries(
      Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]),
    );
    return { subject: envelope.Subject, attributes, alert, email: inner.email };
  });
}

/** The events a queue message carries: our envelope's `events`, or a bare array / event. */
export function eventsOfBody(body: string | undefined): Array<{ id: string } & Record<string, unknown>> {
  const parsed = JSON.parse(body ?? '[]') as unknown;
  const envelope = parsed as { envelope?: unknown; events?: unknown } | null;
  const inner =
    envelope !== null && typeof envelope === 'object' && !Array.isArray(envelope) && envelope.envelope !== undefined
      ? envelope.events
      : parsed;
  return (Array.isArray(inner) ? inner : [inner]) as Array<{ id: string } & Record<string, unknown>>;
}

/** The organization id a queue message's envelope names, if any. */
export function organizationOfBody(body: string | undefined): string | undefined {
  const parsed = JSON.parse(body ?? 'null') as { organization?: { id?: string } } | null;
  return parsed?.organization?.id;
}
