import type { DeliveryRecord } from './deliver-batch.ts';

/** The fields of a record of Lambda's SQS event that delivery reads. */
export interface LambdaSqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly receiptHandle: string;
  readonly attributes: { readonly ApproximateReceiveCount?: string };
  readonly eventSourceARN: string;
}

/**
 * A record of Lambda's SQS event as the delivery core takes it: a missing or unreadable receive
 * count reads as the first receive.
 *
 * @example
 * ```ts
 * await deliver(event.Records.map(deliveryRecord), () => context.getRemainingTimeInMillis());
 * ```
 */
export function deliveryRecord(record: LambdaSqsRecord): DeliveryRecord {
  return {
    messageId: record.messageId,
    body: record.body,
    receiptHandle: record.receiptHandle,
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
    eventSourceArn: record.eventSourceARN,
  };
}
