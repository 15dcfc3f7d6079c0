import type { AlertDocument } from '../pipeline/alerts/alert-document.ts';
import type { BatchResult } from '../shared/sqs-batch.ts';
import type { DeadLetter, DeadLetterSink } from '../shared/dead-letter-sink.ts';
import { describeError } from '../shared/describe-error.ts';
import { printable } from '../shared/printable.ts';
import { alertFromDeliveryMessage } from './alert-message.ts';
import type { Destination, DeliveryRequest } from './destination.ts';
import { ConfigError } from '../shared/config-error.ts';
import { DestinationSecretError } from './errors.ts';
import { deferSeconds, inlineWaitMs, type RetryPolicy } from './retry-policy.ts';
import type { SendOutcome } from './send.ts';
import type { DeliveryTelemetry } from './telemetry.ts';

/** The part of an SQS record delivery needs. */
export interface DeliveryRecord {
  readonly messageId: string;
  readonly body: string;
  readonly receiptHandle: string;
  /** SQS's `ApproximateReceiveCount`: 1 on the first receive. */
  readonly receiveCount: number;
  /** The queue the record came from: it says which destination the alert is for. */
  readonly eventSourceArn: string;
}

/** What the delivery core works with; AWS and HTTP sit behind these functions. */
export interface DeliveryDependencies {
  /** The destination fed by a queue, `undefined` for a queue it does not know. */
  readonly destinationFor: (eventSourceArn: string) => Destination | undefined;
  readonly send: (request: DeliveryRequest) => Promise<SendOutcome>;
  readonly deadLetters: () => Promise<DeadLetterSink>;
  /** Makes a record visible again only after `delaySeconds` (SQS ChangeMessageVisibility). */
  readonly defer: (record: DeliveryRecord, delaySeconds: number) => Promise<void>;
  readonly telemetry: DeliveryTelemetry;
  readonly sleep: (ms: number) => Promise<void>;
  /** Unix seconds, for the webhook timestamp. */
  readonly clock: () => number;
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  readonly random: () => number;
  readonly policy: RetryPolicy;
  /** Time one HTTP attempt may take: no attempt starts without that much time left. */
  readonly requestTimeoutMs: number;
}

/** Kept free at the end of an invocation, after the last attempt's timeout. */
const SAFETY_MS = 3000;

/**
 * Why the rest of a batch is put back without being tried: the destination failed (each record then
 * waits its own backoff, at least the `Retry-After` asked), or the invocation is out of time (the
 * records come back in a second).
 */
type Halt =
  | { readonly kind: 'failure'; readonly retryAfterMs: number | undefined; readonly reason: string }
  | { readonly kind: 'time'; readonly reason: string };

type Outcome = { kind: 'done' } | { kind: 'failed' } | { kind: 'halt'; halt: Halt };

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[secret]');
  return out;
}

async function deadLetter(letter: DeadLetter, deps: DeliveryDependencies): Promise<boolean> {
  try {
    await (await deps.deadLetters()).send(letter);
    return true;
  } catch (error) {
    deps.telemetry.log('WARN', 'could not send to the delivery DLQ; the record will be retried', {
      messageId: letter.sourceMessageId,
      error: printable(describeError(error)),
    });
    return false;
  }
}

async function deliverOne(
  record: DeliveryRecord,
  alert: AlertDocument,
  destination: Destination,
  deps: DeliveryDependencies,
): Promise<Outcome> {
  const { telemetry } = deps;
  const ids = {
    destination: destination.name,
    alertId: alert.alertId,
    messageId: record.messageId,
    receiveCount: record.receiveCount,
  };
  for (let attempt = 1; ; attempt++) {
    let outcome: SendOutcome;
    try {
      outcome = await deps.send(await destination.request(alert, deps.clock()));
    } catch (error) {
      // Building the request failed: a secret could not be read (SSM down, a missing parameter).
      const level = error instanceof DestinationSecretError || error instanceof ConfigError ? 'ERROR' : 'WARN';
      outcome = { kind: 'retry', reason: printable(describeError(error), 300) };
      telemetry.log(level, 'delivery request could not be built', {
        ...ids,
        error: redact(outcome.reason, destination.secrets()),
      });
    }
    if (outcome.kind === 'delivered') {
      telemetry.count('AlertsDelivered', destination.name);
      telemetry.log('INFO', 'alert delivered', { ...ids, status: outcome.status, attempt, severity: alert.severity });
      return { kind: 'done' };
    }
    if (outcome.kind === 'rejected') {
      const reason = `${destination.name} refused alert ${alert.alertId}: ${redact(outcome.reason, destination.secrets())}`;
      telemetry.count('DeliveriesRejected', destination.name);
      telemetry.log('ERROR', 'alert refused by the destination; moved to the delivery DLQ', {
        ...ids,
        status: outcome.status,
        reason,
      });
      const kept = await deadLetter(
        { kind: 'delivery-rejected', sourceMessageId: record.messageId, reason, body: record.body },
        deps,
      );
      return kept ? { kind: 'done' } : { kind: 'failed' };
    }
    const reason = redact(outcome.reason, destination.secrets());
    const wait = inlineWaitMs(attempt, outcome.retryAfterMs, deps.random);
    const canWait =
      attempt < deps.policy.inlineAttempts &&
      wait <= deps.policy.maxInlineWaitMs &&
      deps.remainingMs() - wait > deps.requestTimeoutMs + SAFETY_MS;
    if (canWait) {
      telemetry.count('DeliveryRetries', destination.name);
      telemetry.log('INFO', 'delivery attempt failed; trying again', { ...ids, attempt, reason, waitMs: wait });
      await deps.sleep(wait);
      continue;
    }
    return {
      kind: 'halt',
      halt: { kind: 'failure', retryAfterMs: outcome.retryAfterMs, reason: `${destination.name}: ${reason}` },
    };
  }
}

function delayOf(record: DeliveryRecord, halt: Halt, deps: DeliveryDependencies): number {
  return halt.kind === 'time' ? 1 : deferSeconds(deps.policy, record.receiveCount, halt.retryAfterMs, deps.random);
}

async function putBack(
  record: DeliveryRecord,
  destination: Destination,
  delaySeconds: number,
  deps: DeliveryDependencies,
): Promise<void> {
  deps.telemetry.count('DeliveriesDeferred', destination.name);
  try {
    await deps.defer(record, delaySeconds);
  } catch (error) {
    // The record still fails; it comes back after the queue's visibility timeout instead.
    deps.telemetry.log('WARN', 'could not put the record back for later; it returns after the visibility timeout', {
      messageId: record.messageId,
      error: printable(describeError(error)),
    });
  }
}

/**
 * Delivers one SQS batch from a delivery queue (one queue per destination) and returns the records
 * SQS must deliver again. Never throws.
 *
 * - Each alert is sent to the queue's destination; a 2xx ends it.
 * - 429, 408, 5xx and network errors are tried again in the invocation (up to the policy's attempts,
 *   honouring `Retry-After` up to its limit), then the record is put back on its queue with a delay
 *   (exponential backoff on its own receive count, never less than `Retry-After`) and reported
 *   failed; the rest of the batch is put back with it, untried (each with its own backoff), so a
 *   destination that is down or throttling is not hammered. After the queue's receive limit, SQS
 *   moves the record to the delivery DLQ.
 * - A refusal for good (another 4xx), and a message without a valid alert, go to the delivery DLQ at
 *   once with the reason; the record is done.
 *
 * The same alert always goes out with the same id (PagerDuty `dedup_key`, `webhook-id`), so a retry
 * after an answer that was lost cannot open a second incident.
 *
 * @example
 * ```ts
 * export const handler = (event: SQSEvent) => deliverBatch(records(event), deps);
 * ```
 */
export async function deliverBatch(
  records: readonly DeliveryRecord[],
  deps: DeliveryDependencies,
): Promise<BatchResult> {
  const failed = new Set<number>();
  const { telemetry } = deps;
  let halt: Halt | undefined;
  for (const [index, record] of records.entries()) {
    try {
      const destination = deps.destinationFor(record.eventSourceArn);
      if (destination === undefined) {
        telemetry.log('ERROR', 'record from a queue with no destination configured; check the function configuration', {
          messageId: record.messageId,
          queue: printable(record.eventSourceArn),
        });
        failed.add(index);
        continue;
      }
      if (halt === undefined && deps.remainingMs() < deps.requestTimeoutMs + SAFETY_MS)
        halt = { kind: 'time', reason: 'not enough time left in this invocation' };
      if (halt !== undefined) {
        await putBack(record, destination, delayOf(record, halt, deps), deps);
        failed.add(index);
        continue;
      }
      const parsed = alertFromDeliveryMessage(record.body);
      if (!parsed.ok) {
        telemetry.count('MalformedAlerts', destination.name);
        telemetry.log('ERROR', 'message without a valid alert moved to the delivery DLQ', {
          destination: destination.name,
          messageId: record.messageId,
          reason: parsed.reason,
        });
        const kept = await deadLetter(
          { kind: 'not-an-alert', sourceMessageId: record.messageId, reason: parsed.reason, body: record.body },
          deps,
        );
        if (!kept) failed.add(index);
        continue;
      }
      const outcome = await deliverOne(record, parsed.alert, destination, deps);
      if (outcome.kind === 'failed') failed.add(index);
      if (outcome.kind === 'halt') {
        halt = outcome.halt;
        const delaySeconds = delayOf(record, halt, deps);
        const rest = records.length - index - 1;
        telemetry.log('WARN', 'delivery failed; the alert is put back for later', {
          destination: destination.name,
          alertId: parsed.alert.alertId,
          messageId: record.messageId,
          receiveCount: record.receiveCount,
          reason: halt.reason,
          delaySeconds,
          alsoPutBack: rest,
        });
        await putBack(record, destination, delaySeconds, deps);
        failed.add(index);
      }
    } catch (error) {
      // A bug, not a delivery problem: retry the record rather than lose it.
      telemetry.log('ERROR', 'delivery failed unexpectedly; the record will be retried', {
        messageId: record.messageId,
        error: printable(describeError(error)),
      });
      failed.add(index);
    }
  }
  return {
    batchItemFailures: [...failed]
      .sort((a, b) => a - b)
      .map((index) => ({ itemIdentifier: records[index]?.messageId ?? '' })),
  };
}
