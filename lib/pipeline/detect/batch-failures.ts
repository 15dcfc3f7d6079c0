import type { DeadLetter, DeadLetterKind } from '../../shared/dead-letter-sink.ts';
import { describeError } from '../../shared/describe-error.ts';
import type { JsonObject } from '../../shared/json.ts';
import { letterContent } from '../../shared/letter-content.ts';
import { printable } from '../../shared/printable.ts';
import type { QueueRecord } from '../../shared/sqs-batch.ts';
import type { Telemetry } from './telemetry.ts';
import type { RecordEnvelope, RecordLetter, RecordOrigin } from './batch-work.ts';
import { letterEvents } from './letter-events.ts';
import { WindowBusyError, isPermanentFailure } from './errors.ts';

interface DeliveryFailure {
  readonly kind: Extract<DeadLetterKind, 'permanent-error' | 'retries-exhausted'>;
  readonly event: JsonObject;
  readonly reason: string;
}

const MAX_REASONS = 5;

/**
 * One dead letter per record and kind, holding only the events that failed (each once), or the
 * record's `received` body when they cannot be written as JSON.
 */
function failureLetters(
  messageId: string,
  received: string,
  envelope: RecordEnvelope | undefined,
  failures: readonly DeliveryFailure[],
): DeadLetter[] {
  const kinds = [...new Set(failures.map((f) => f.kind))];
  return kinds.map((kind) => {
    const ofKind = failures.filter((f) => f.kind === kind);
    const events = [...new Set(ofKind.map((f) => f.event))];
    const reasons = [...new Set(ofKind.map((f) => f.reason))];
    const shown = reasons.slice(0, MAX_REASONS).join('; ');
    const more = reasons.length > MAX_REASONS ? `; and ${reasons.length - MAX_REASONS} more` : '';
    const reason = `${events.length} event(s) not delivered: ${shown}${more}`;
    return { kind, sourceMessageId: messageId, ...letterContent(letterEvents(events, envelope), received, reason) };
  });
}

/**
 * What failed in a batch, and what becomes of it: a transient failure retries its record (SQS
 * delivers it again; the dedup protocol makes that safe); a permanent one, or any on the record's
 * last receive, sends the events that failed to the dead-letter sink with the reason.
 *
 * @example
 * ```ts
 * const failures = new BatchFailures(telemetry, maxReceiveCount);
 * failures.fail(pending, rule.id, eventId, error);
 * failures.retry(index); // a letter that could not be sent
 * ```
 */
export class BatchFailures {
  /** Indices of the records to retry. */
  readonly retried = new Set<number>();
  readonly #delivery = new Map<
    number,
    { messageId: string; envelope: RecordEnvelope | undefined; failures: DeliveryFailure[] }
  >();
  readonly #telemetry: Telemetry;
  readonly #maxReceiveCount: number;

  public constructor(telemetry: Telemetry, maxReceiveCount: number | undefined) {
    this.#telemetry = telemetry;
    this.#maxReceiveCount = maxReceiveCount ?? Number.POSITIVE_INFINITY;
  }

  /** A match or step of `origin` (by rule `ruleId`, event `eventId`) was not delivered. */
  public fail(origin: RecordOrigin, ruleId: string, eventId: string, error: unknown): void {
    const permanent = isPermanentFailure(error);
    const lastReceive = origin.receiveCount >= this.#maxReceiveCount;
    const fields = {
      messageId: origin.messageId,
      ruleId,
      eventId: printable(eventId),
      error: printable(describeError(error)),
    };
    if (!permanent && !lastReceive) {
      this.retried.add(origin.record);
      this.#telemetry.log(
        error instanceof WindowBusyError ? 'INFO' : 'WARN',
        'match not delivered; the record will be retried',
        fields,
      );
      return;
    }
    const kind = permanent ? 'permanent-error' : 'retries-exhausted';
    this.#telemetry.log(
      'ERROR',
      permanent
        ? 'match not deliverable: its event goes to the dead-letter queue'
        : 'match still failing on the last receive: its event goes to the dead-letter queue',
      fields,
    );
    const reason = `rule ${ruleId}, event ${printable(eventId, 200)}: ${describeError(error)}`;
    const entry = this.#delivery.get(origin.record) ?? {
      messageId: origin.messageId,
      envelope: origin.envelope,
      failures: [],
    };
    entry.failures.push({ kind, event: origin.event, reason });
    this.#delivery.set(origin.record, entry);
  }

  /** The letters of the events that failed for good, per record and kind. */
  public letters(records: readonly QueueRecord[]): RecordLetter[] {
    return [...this.#delivery].flatMap(([record, { messageId, envelope, failures }]) =>
      failureLetters(messageId, records[record]?.body ?? '', envelope, failures).map((letter) => ({ record, letter })),
    );
  }
}
