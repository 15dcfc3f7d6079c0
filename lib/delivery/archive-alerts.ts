import type { ArchiveStore } from '../archive/store.ts';
import { alertObject, type ArchiveObject } from '../archive/partition.ts';
import type { DeadLetterSink } from '../shared/dead-letter-sink.ts';
import { describeError } from '../shared/describe-error.ts';
import { printable } from '../shared/printable.ts';
import type { BatchResult } from '../shared/sqs-batch.ts';
import { alertFromDeliveryMessage } from './alert-message.ts';
import type { DeliveryRecord } from './deliver-batch.ts';
import type { DeliveryTelemetry } from './telemetry.ts';

/** The alert archive's name in delivery metrics and logs (the `destination` dimension). */
export const ALERT_ARCHIVE_DESTINATION = 'archive';

/** What archiving alerts works with. */
export interface AlertArchiveDependencies {
  readonly store: () => Promise<ArchiveStore>;
  readonly deadLetters: () => Promise<DeadLetterSink>;
  readonly telemetry: DeliveryTelemetry;
}

/**
 * Writes each alert of the alert archive queue to the archive (`alerts/dt=.../<alertId>.jsonl.gz`,
 * so a redelivery rewrites the same object), all at once. A write that fails retries its record (the
 * queue's redrive policy ends in the delivery DLQ); a message without a valid alert goes to the
 * delivery DLQ at once. Counted as the other destinations are: `AlertsDelivered`,
 * `MalformedAlerts`, with the destination `archive`.
 *
 * @example
 * ```ts
 * const result = await archiveAlerts(records, { store, deadLetters, telemetry });
 * ```
 */
export async function archiveAlerts(
  records: readonly DeliveryRecord[],
  deps: AlertArchiveDependencies,
): Promise<BatchResult> {
  const { telemetry } = deps;
  const failed = await Promise.all(
    records.map(async (record): Promise<boolean> => {
      try {
        const object = archivedObject(record.body);
        if ('problem' in object) {
          telemetry.count('MalformedAlerts', ALERT_ARCHIVE_DESTINATION);
          telemetry.log('ERROR', 'message without a valid alert moved to the delivery DLQ', {
            destination: ALERT_ARCHIVE_DESTINATION,
            messageId: record.messageId,
            reason: object.problem,
          });
          await (
            await deps.deadLetters()
          ).send({
            kind: 'not-an-alert',
            sourceMessageId: record.messageId,
            reason: object.problem,
            body: record.body,
          });
          return false;
        }
        await (await deps.store()).put(object.key, object.body);
        telemetry.count('AlertsDelivered', ALERT_ARCHIVE_DESTINATION);
        telemetry.log('DEBUG', 'alert archived', { alertId: object.alertId, key: printable(object.key) });
        return false;
      } catch (error) {
        telemetry.log('WARN', 'alert not archived; the record will be retried', {
          destination: ALERT_ARCHIVE_DESTINATION,
          messageId: record.messageId,
          receiveCount: record.receiveCount,
          error: printable(describeError(error)),
        });
        return true;
      }
    }),
  );
  return {
    batchItemFailures: records
      .filter((_, index) => failed[index])
      .map(({ messageId }) => ({ itemIdentifier: messageId })),
  };
}

/**
 * The archive object of a message's alert, or why there is none: not an alert, or an alert the
 * archive's layout cannot name (an id with characters a key may not hold, a `createdAt` that is
 * not a time). Such a message can never be written: it goes to the DLQ, not round the queue.
 */
function archivedObject(body: string): (ArchiveObject & { readonly alertId: string }) | { readonly problem: string } {
  const parsed = alertFromDeliveryMessage(body);
  if (!parsed.ok) return { problem: parsed.reason };
  try {
    return { ...alertObject(parsed.alert), alertId: parsed.alert.alertId };
  } catch (error) {
    return { problem: `the alert cannot be archived: ${describeError(error)}` };
  }
}
