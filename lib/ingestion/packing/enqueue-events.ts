import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterSink } from '../../shared/dead-letter-sink.ts';
import { packEvents, type PackOptions, type RejectedEvent } from './pack-events.ts';
import { sendMessages } from './queue-sink.ts';

/** The detection queue, and where events that cannot travel are kept. */
export interface EnqueueTarget {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** The detection DLQ; without one, rejected events are only returned (the caller reports them). */
  readonly deadLetters?: DeadLetterSink;
}

/** What happened to a set of events. */
export interface EnqueueResult {
  readonly enqueued: number;
  readonly rejected: readonly RejectedEvent[];
}

/**
 * Packs events (see {@link packEvents}) and sends them to the detection queue. Events that cannot
 * travel go to the dead-letter sink, one message each, with kind `unpackable-event`, their reason,
 * and as much of the event as a message holds. Resolves once everything is handed over; throws
 * if SQS keeps refusing, so the caller can retry the whole set (the detection pipeline recognises
 * events it has already seen).
 *
 * @example
 * ```ts
 * const { enqueued, rejected } = await enqueueEvents({ sqs, queueUrl, deadLetters }, events, { organization, source: 'poller' });
 * ```
 */
export async function enqueueEvents(
  target: EnqueueTarget,
  events: readonly unknown[],
  options: PackOptions,
): Promise<EnqueueResult> {
  const { bodies, packed, rejected } = packEvents(events, options);
  if (target.deadLetters) {
    for (const item of rejected) {
      await target.deadLetters.send({
        kind: 'unpackable-event',
        sourceMessageId: `${options.source}:${options.organization.id}:${item.eventId ?? `#${item.index}`}`,
        reason: item.reason,
        body: item.excerpt,
      });
    }
  }
  await sendMessages(target.sqs, target.queueUrl, bodies);
  return { enqueued: packed, rejected };
}
