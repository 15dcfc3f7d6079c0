import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JsonObject } from '../../util/json.ts';

/** SendMessageBatch takes 10 entries and 256 KB in all; keep a margin. */
const MAX_BATCH_BYTES = 200_000;

/** Events per message, at most: the detection function handles each message's events together. */
const MAX_EVENTS_PER_MESSAGE = 100;

/**
 * Packs events into message bodies (JSON arrays, order kept): as many per message as fit within
 * 100 events and `maxBytes`; an event larger than that travels alone.
 *
 * @example
 * ```ts
 * eventMessages(events); // ['[{...},{...}]', ...]
 * ```
 */
export function eventMessages(events: readonly JsonObject[], maxBytes: number = MAX_BATCH_BYTES): string[] {
  const bodies: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const event of events) {
    const json = JSON.stringify(event);
    const size = Buffer.byteLength(json) + 1;
    if (current.length > 0 && (current.length === MAX_EVENTS_PER_MESSAGE || bytes + size > maxBytes)) {
      bodies.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    current.push(json);
    bytes += size;
  }
  if (current.length > 0) bodies.push(`[${current.join(',')}]`);
  return bodies;
}

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
