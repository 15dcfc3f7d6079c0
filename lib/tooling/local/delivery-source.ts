import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryRecord } from '../../delivery/deliver-batch.ts';
import type { BatchResult } from '../../shared/sqs-batch.ts';
import type { LocalQueue } from './provision.ts';

/**
 * Receives up to `max` messages from a delivery queue as Lambda's SQS event source hands them to
 * the delivery function: with receipt handle, receive count and the queue's ARN.
 *
 * @example
 * ```ts
 * const records = await receiveDeliveryRecords(sqs, delivery.queues.slack, 10);
 * ```
 */
export async function receiveDeliveryRecords(
  sqs: SQSClient,
  queue: LocalQueue,
  max: number,
  waitSeconds = 0,
): Promise<DeliveryRecord[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: Math.min(10, max),
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return Messages.map((m) => ({
    messageId: m.MessageId ?? '',
    body: m.Body ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount) || 1,
    eventSourceArn: queue.arn,
  }));
}

/**
 * One poll of a delivery queue, as Lambda performs it: receive a batch, invoke the handler, delete
 * the records it did not report failed (failed ones come back when their visibility ends; the
 * delivery core sets it). Returns how many records were received.
 *
 * @example
 * ```ts
 * await pollDeliveryQueue(sqs, delivery.queues.pagerduty, (records) => deliver(records, () => 60_000));
 * ```
 */
export async function pollDeliveryQueue(
  sqs: SQSClient,
  queue: LocalQueue,
  handler: (records: readonly DeliveryRecord[]) => Promise<BatchResult>,
  batchSize = 10,
): Promise<number> {
  const records = await receiveDeliveryRecords(sqs, queue, batchSize);
  if (records.length === 0) return 0;
  const result = await handler(records);
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
      }),
    );
  }
  return records.length;
}
