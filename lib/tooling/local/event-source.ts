import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AlertDocument } from '../../pipeline/alerts/alert-document.ts';
import type { BatchResult, QueueRecord } from '../../shared/sqs-batch.ts';

/** One poll's outcome. */
export interface PollResult {
  readonly received: number;
  readonly failed: number;
  /** The failed records' receipt handles: still in flight, unless `retryFailuresNow` returned them. */
  readonly failedReceiptHandles: readonly string[];
}

/** How {@link pollOnce} behaves. */
export interface PollOptions {
  readonly batchSize: number;
  /** Long-poll wait, in seconds (0 returns at once). */
  readonly waitSeconds?: number;
  /** Make failed records visible again at once instead of after the visibility timeout (tests). */
  readonly retryFailuresNow?: boolean;
  /**
   * Called with the batch's receipt handles before the handler runs: a test harness that simulates
   * the visibility timeout returns them itself if the handler dies.
   */
  readonly onReceived?: (receiptHandles: readonly string[]) => void;
}

/**
 * One poll of an SQS event source, as Lambda performs it: receive up to `batchSize` messages,
 * invoke the handler with them, delete the ones not reported in `batchItemFailures`, and leave the
 * failures to the visibility timeout and the queue's redrive policy.
 *
 * @example
 * ```ts
 * const { received } = await pollOnce(sqs, queueUrl, handler, { batchSize: 10 });
 * ```
 */
export async function pollOnce(
  sqs: SQSClient,
  queueUrl: string,
  handler: (records: readonly QueueRecord[]) => Promise<BatchResult>,
  options: PollOptions,
): Promise<PollResult> {
  // SQS hands out at most 10 messages per receive; like Lambda's pollers, gather up to the batch size.
  const records: Array<QueueRecord & { receiptHandle: string }> = [];
  for (let wait = options.waitSeconds ?? 0; records.length < options.batchSize; wait = 0) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(options.batchSize - records.length, 10),
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    if (Messages.length === 0) break;
    records.push(
      ...Messages.map((m) => ({
        messageId: m.MessageId ?? '',
        body: m.Body ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        // As Lambda's event source passes it: the handler dead-letters with a reason on the last receive.
        attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' },
      })),
    );
  }
  if (records.length === 0) return { received: 0, failed: 0, failedReceiptHandles: [] };
  options.onReceived?.(records.map((r) => r.receiptHandle));
  const result = await handler(records);
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  for (let start = 0; start < done.length; start += 10) {
    const chunk = done.slice(start, start + 10);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
      }),
    );
  }
  const failedRecords = records.filter((r) => failed.has(r.messageId));
  if (options.retryFailuresNow) {
    for (const record of failedRecords) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
  }
  return {
    received: records.length,
    failed: failed.size,
    failedReceiptHandles: failedRecords.map((r) => r.receiptHandle),
  };
}

/**
 * Messages on a queue, visible or in flight (received, not yet deleted).
 *
 * @example
 * ```ts
 * if ((await queueDepth(sqs, queueUrl)) === 0) stop();
 * ```
 */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Receives up to 10 messages (waiting up to `waitSeconds`) and deletes them: a reader that keeps
 * what it reads, such as a subscriber queue's.
 *
 * @example
 * ```ts
 * const messages = await receiveAndDelete(sqs, subscriberUrl, { waitSeconds: 1 });
 * ```
 */
export async function receiveAndDelete(
  sqs: SQSClient,
  queueUrl: string,
  options: { waitSeconds?: number; attributes?: boolean } = {},
): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: options.waitSeconds ?? 0,
      MessageAttributeNames: options.attributes === false ? [] : ['All'],
    }),
  );
  if (Messages.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  return Messages;
}

/**
 * Receives and deletes everything on a queue: until two receives in a row come back empty.
 *
 * @example
 * ```ts
 * const deadLetters = await drainQueue(sqs, dlqUrl);
 * ```
 */
export async function drainQueue(
  sqs: SQSClient,
  queueUrl: string,
  options: { attributes?: boolean } = {},
): Promise<Message[]> {
  const all: Message[] = [];
  for (let empty = 0; empty < 2;) {
    const messages = await receiveAndDelete(sqs, queueUrl, options);
    if (messages.length > 0) all.push(...messages);
    else {
      empty++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return all;
}

/**
 * The alert document in a message of a queue subscribed to the alert topic: an SNS envelope whose
 * `Message` is the alert JSON (AWS delivers the `default` member of the MessageStructure to SQS;
 * fauxqs passes the whole structure, so both are read).
 *
 * @example
 * ```ts
 * const alert = alertFromSubscriberMessage(message.Body ?? '');
 * ```
 */
export function alertFromSubscriberMessage(body: string): AlertDocument {
  const envelope = JSON.parse(body) as { Message: string };
  const message = JSON.parse(envelope.Message) as { default?: unknown };
  return (typeof message.default === 'string' ? JSON.parse(message.default) : message) as AlertDocument;
}
