import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { BatchResult, QueueRecord } from '../detect/process-batch.ts';

/** One poll's outcome. */
export interface PollResult {
  readonly received: number;
  readonly failed: number;
}

/** How {@link pollOnce} behaves. */
export interface PollOptions {
  readonly batchSize: number;
  /** Long-poll wait, in seconds (0 returns at once). */
  readonly waitSeconds?: number;
  /** Make failed records visible again at once instead of after the visibility timeout (tests). */
  readonly retryFailuresNow?: boolean;
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
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(options.batchSize - records.length, 10), WaitTimeSeconds: wait }),
    );
    if (Messages.length === 0) break;
    records.push(...Messages.map((m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '', receiptHandle: m.ReceiptHandle ?? '' })));
  }
  if (records.length === 0) return { received: 0, failed: 0 };
  const result = await handler(records);
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  for (let start = 0; start < done.length; start += 10) {
    const chunk = done.slice(start, start + 10);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
  }
  if (options.retryFailuresNow) {
    for (const record of records.filter((r) => failed.has(r.messageId))) {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 }));
    }
  }
  return { received: records.length, failed: failed.size };
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
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
}
