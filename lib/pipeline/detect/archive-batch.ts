import { eventPartitions } from '../../archive/partition.ts';
import { writeEventBatch } from '../../archive/write.ts';
import { describeError } from '../../shared/describe-error.ts';
import { letterContent } from '../../shared/letter-content.ts';
import { printable } from '../../shared/printable.ts';
import type { QueueRecord } from '../../shared/sqs-batch.ts';
import type { DetectionDependencies, ReceivedEvent, RecordLetter } from './batch-work.ts';
import { letterEvents } from './letter-events.ts';

/** What became of a batch's events in the archive: the records to retry, and letters for the rest. */
export interface ArchiveOutcome {
  readonly retried: readonly number[];
  readonly letters: readonly RecordLetter[];
}

const ARCHIVED: ArchiveOutcome = { retried: [], letters: [] };

/**
 * The archive phase of a batch: writes every event received to the event archive, one object per
 * organization and day, alongside detection (never before it, never blocking it). A failure never
 * fails detection: it is counted (`ArchiveWritesFailed`, one per event) and logged, and the records
 * whose events were not archived are retried, which evaluates them again without alerting again
 * (the dedup windows remember them); on a record's last receive its events go to the dead-letter
 * queue instead (`archive-failed`), to be redriven. Never throws.
 *
 * @example
 * ```ts
 * const [, archived] = await Promise.all([detect(), archiveBatch(plan.received, records, deps)]);
 * ```
 */
export async function archiveBatch(
  received: readonly ReceivedEvent[],
  records: readonly QueueRecord[],
  deps: DetectionDependencies,
): Promise<ArchiveOutcome> {
  if (deps.archive === undefined || received.length === 0) return ARCHIVED;
  // One object per partition, each written on its own: a failure fails only the records in it.
  const store = await deps.archive().catch((error: unknown) => error as Error);
  const outcomes = await Promise.all(
    eventPartitions(received, (event) => event.line).map(async ({ items: events }) => {
      try {
        if (store instanceof Error) throw store;
        await writeEventBatch(
          store,
          events.map(({ line }) => line),
        );
        return { events, error: undefined };
      } catch (error) {
        return { events, error };
      }
    }),
  );
  const written = outcomes.filter(({ error }) => error === undefined).flatMap(({ events }) => events);
  if (written.length > 0) deps.telemetry.count('EventsArchived', written.length);
  const failed = outcomes.filter(({ error }) => error !== undefined);
  if (failed.length === 0) return ARCHIVED;
  deps.telemetry.count(
    'ArchiveWritesFailed',
    failed.reduce((sum, { events }) => sum + events.length, 0),
  );
  const byRecord = new Map<number, { events: ReceivedEvent[]; error: unknown }>();
  for (const { events, error } of failed)
    for (const event of events) {
      const entry = byRecord.get(event.record) ?? { events: [], error };
      entry.events.push(event);
      byRecord.set(event.record, entry);
    }
  const retried: number[] = [];
  const letters: RecordLetter[] = [];
  for (const [record, { events, error }] of byRecord) {
    const messageId = records[record]?.messageId ?? '';
    const lastReceive = (events[0]?.receiveCount ?? 1) >= (deps.maxReceiveCount ?? Number.POSITIVE_INFINITY);
    deps.telemetry.log(
      lastReceive ? 'ERROR' : 'WARN',
      lastReceive
        ? 'events not archived on the last receive: they go to the dead-letter queue'
        : 'events not archived; the record will be retried (it will not alert again)',
      { messageId, events: events.length, error: printable(describeError(error)) },
    );
    if (!lastReceive) {
      retried.push(record);
      continue;
    }
    const reason = `${events.length} event(s) not archived: ${describeError(error)}`;
    const kept = letterContent(
      letterEvents(
        events.map(({ line }) => line.event),
        events[0]?.envelope,
      ),
      records[record]?.body ?? '',
      reason,
    );
    letters.push({ record, letter: { kind: 'archive-failed', sourceMessageId: messageId, ...kept } });
  }
  return { retried, letters };
}
