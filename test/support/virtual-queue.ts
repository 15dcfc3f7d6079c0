// An SQS queue on a virtual clock, for delivery scenarios that span minutes or hours (a destination
// down for ten minutes, backoff, Retry-After) without waiting: visibility timeouts, receive counts,
// ChangeMessageVisibility and the redrive to a DLQ after maxReceiveCount behave as SQS documents
// them, but time only moves when the scenario moves it. The emulators' queues run on the wall
// clock, so they cannot stand in here; the SQS adapter itself is tested against them separately.
import type { DeliveryRecord } from '../../lib/delivery/deliver-batch.ts';
import type { BatchResult } from '../../lib/shared/sqs-batch.ts';

interface Stored {
  readonly messageId: string;
  readonly body: string;
  visibleAtMs: number;
  receiveCount: number;
  receiptHandle: string;
}

/** The clock every part of a scenario reads: receivers, the delivery core, the queue. */
export class VirtualClock {
  public nowMs: number;
  public constructor(startMs = Date.parse('2026-11-25T10:00:00Z')) {
    this.nowMs = startMs;
  }
  public readonly now = (): number => this.nowMs;
  public readonly seconds = (): number => Math.floor(this.nowMs / 1000);
  public readonly sleep = (ms: number): Promise<void> => {
    this.nowMs += ms;
    return Promise.resolve();
  };
}

export class VirtualQueue {
  readonly #messages: Stored[] = [];
  public readonly deadLetters: Stored[] = [];
  #next = 0;

  public readonly arn: string;
  readonly #clock: VirtualClock;
  readonly #settings: { visibilityTimeoutSeconds: number; maxReceiveCount: number };

  public constructor(
    arn: string,
    clock: VirtualClock,
    settings: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
  ) {
    this.arn = arn;
    this.#clock = clock;
    this.#settings = settings;
  }

  public send(body: string): void {
    this.#messages.push({
      messageId: `m${++this.#next}`,
      body,
      visibleAtMs: this.#clock.nowMs,
      receiveCount: 0,
      receiptHandle: '',
    });
  }

  public get depth(): number {
    return this.#messages.length;
  }

  /** When the next message becomes visible, if any. */
  public nextVisibleAtMs(): number | undefined {
    return this.#messages.length === 0 ? undefined : Math.min(...this.#messages.map((m) => m.visibleAtMs));
  }

  /** Up to `max` visible messages, hidden for the visibility timeout; over maxReceiveCount, to the DLQ. */
  public receive(max: number): DeliveryRecord[] {
    const now = this.#clock.nowMs;
    const records: DeliveryRecord[] = [];
    for (const message of [...this.#messages]) {
      if (records.length >= max) break;
      if (message.visibleAtMs > now) continue;
      if (message.receiveCount >= this.#settings.maxReceiveCount) {
        this.#messages.splice(this.#messages.indexOf(message), 1);
        this.deadLetters.push(message);
        continue;
      }
      message.receiveCount++;
      message.receiptHandle = `${message.messageId}-${message.receiveCount}`;
      message.visibleAtMs = now + this.#settings.visibilityTimeoutSeconds * 1000;
      records.push({
        messageId: message.messageId,
        body: message.body,
        receiptHandle: message.receiptHandle,
        receiveCount: message.receiveCount,
        eventSourceArn: this.arn,
      });
    }
    return records;
  }

  /** ChangeMessageVisibility, with SQS's rule that only the latest receipt handle counts. */
  public readonly changeVisibility = (record: DeliveryRecord, seconds: number): Promise<void> => {
    const message = this.#messages.find((m) => m.receiptHandle === record.receiptHandle);
    if (message === undefined) return Promise.reject(new Error('ReceiptHandleIsInvalid'));
    message.visibleAtMs = this.#clock.nowMs + seconds * 1000;
    return Promise.resolve();
  };

  /** What Lambda's event source does with the handler's answer: delete what did not fail. */
  public settle(records: readonly DeliveryRecord[], result: BatchResult): void {
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    for (const record of records) {
      if (failed.has(record.messageId)) continue;
      const index = this.#messages.findIndex((m) => m.receiptHandle === record.receiptHandle);
      if (index >= 0) this.#messages.splice(index, 1);
    }
  }
}

/**
 * Runs Lambda's event source over virtual queues until they are empty: receive a batch, invoke
 * (with `invocationMs` of time per invocation), settle; when nothing is visible, move the clock to
 * the next message. Stops after `maxInvocations` (a scenario that never ends fails its assertions).
 */
export async function drainVirtualQueues(
  queues: readonly VirtualQueue[],
  clock: VirtualClock,
  handler: (records: readonly DeliveryRecord[], remainingMs: () => number) => Promise<BatchResult>,
  options: { batchSize?: number; invocationMs?: number; maxInvocations?: number } = {},
): Promise<number> {
  let invocations = 0;
  while (invocations < (options.maxInvocations ?? 10_000)) {
    let received = false;
    for (const queue of queues) {
      const records = queue.receive(options.batchSize ?? 10);
      if (records.length === 0) continue;
      received = true;
      invocations++;
      const deadline = clock.nowMs + (options.invocationMs ?? 60_000);
      queue.settle(records, await handler(records, () => deadline - clock.nowMs));
    }
    if (received) continue;
    const next = queues.map((q) => q.nextVisibleAtMs()).filter((t): t is number => t !== undefined);
    if (next.length === 0) return invocations;
    clock.nowMs = Math.max(clock.nowMs, Math.min(...next));
  }
  return invocations;
}
