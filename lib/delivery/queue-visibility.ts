import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryRecord } from './deliver-batch.ts';

/**
 * The queue name in an SQS queue ARN (`arn:aws:sqs:<region>:<account>:<name>`) or URL
 * (`https://sqs.<region>.amazonaws.com/<account>/<name>`).
 *
 * @example
 * ```ts
 * queueName('arn:aws:sqs:us-east-1:123456789012:alerts-slack'); // 'alerts-slack'
 * ```
 */
export function queueName(arnOrUrl: string): string {
  return arnOrUrl.startsWith('arn:') ? (arnOrUrl.split(':')[5] ?? '') : (arnOrUrl.split('/').at(-1) ?? '');
}

/**
 * Puts a received record back on its queue for `delaySeconds`: SQS ChangeMessageVisibility on the
 * queue the record came from (found by name among `queueUrls`).
 *
 * @example
 * ```ts
 * const defer = queueVisibility(new SQSClient({}), [config.slack.queueUrl]);
 * await defer(record, 120);
 * ```
 */
export function queueVisibility(
  client: SQSClient,
  queueUrls: readonly string[],
): (record: DeliveryRecord, delaySeconds: number) => Promise<void> {
  const byName = new Map(queueUrls.map((url) => [queueName(url), url]));
  return async (record, delaySeconds) => {
    const queueUrl = byName.get(queueName(record.eventSourceArn));
    if (queueUrl === undefined) throw new Error(`no queue URL configured for ${queueName(record.eventSourceArn)}`);
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: delaySeconds,
      }),
    );
  };
}
