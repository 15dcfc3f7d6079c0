import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_BATCH_BYTES } from './constants.ts';

/**
 * Sends message bodies with SendMessageBatch, packing calls within SQS's limits and retrying
 * entries the service reports as failed.
 *
 * @example
 * ```ts
 * await sendMessages(sqs, queueUrl, bodies);
 * ```
 */
export async function sendMessages(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  let batch: string[] = [];
  let bytes = 0;
  const flush = async () => {
    let pending = batch.map((body, i) => ({ Id: String(i), MessageBody: body }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`SendMessageBatch kept failing for ${pending.length} message(s)`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      const { Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failed = new Set(Failed.map((f) => f.Id));
      pending = pending.filter((entry) => failed.has(entry.Id));
    }
    batch = [];
    bytes = 0;
  };
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (batch.length === 10 || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) await flush();
    batch.push(body);
    bytes += size;
  }
  if (batch.length > 0) await flush();
}
