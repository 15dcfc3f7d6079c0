import type { BatchResult, QueueRecord } from '../../shared/sqs-batch.ts';
import { describeError } from '../../shared/describe-error.ts';
import { printable } from '../../shared/printable.ts';
import { LEASE_MARGIN_SECONDS } from '../dedup/constants.ts';
import { archiveBatch } from './archive-batch.ts';
import { BatchFailures } from './batch-failures.ts';
import type { DetectionDependencies, LeaseClock, RecordLetter, Work } from './batch-work.ts';
import { claimAndPublish } from './claim-window.ts';
import { runBounded } from './concurrency.ts';
import { planBatch } from './plan-batch.ts';
import { recordSightingsAndClaim } from './record-sightings.ts';
import { recordAndClaim } from './record-steps.ts';

export type { DetectionDependencies } from './batch-work.ts';

/** The invocation a batch runs in: its deadline bounds the leases its claims take. */
export interface Invocation {
  /** Lambda's `context.getRemainingTimeInMillis()`. */
  remainingMillis(): number;
}

/**
 * When the leases of a batch's claims end. In Lambda with the invocation (plus a margin): the
 * function cannot outlive it. Without an invocation (local runs, the CLI) nothing ends a slow
 * batch, so each claim holds the lease for `leaseSeconds` from the moment it is made, never from
 * the batch's start.
 */
function leaseClock(deps: DetectionDependencies, invocation: Invocation | undefined): LeaseClock {
  if (invocation === undefined) return () => deps.clock() + deps.leaseSeconds;
  const deadline = deps.clock() + Math.ceil(invocation.remainingMillis() / 1000) + LEASE_MARGIN_SECONDS;
  return () => deadline;
}

/** Runs a group's work in order; a unit that fails fails its records, and the group goes on. */
async function runGroup(
  group: readonly Work[],
  deps: DetectionDependencies,
  leaseUntil: LeaseClock,
  failures: BatchFailures,
): Promise<void> {
  for (const work of group) {
    try {
      if (work.kind === 'window') await claimAndPublish(work.pending, deps, leaseUntil);
      else if (work.kind === 'steps') await recordAndClaim(work.pending, deps, leaseUntil);
      else await recordSightingsAndClaim(work.pending, deps, leaseUntil);
    } catch (error) {
      // Every match of a window (or step of a key, or sighting of an actor) fails with it: a retry
      // counts again only what a window no longer remembers.
      if (work.kind === 'steps')
        for (const pending of work.pending.steps)
          failures.fail(pending, pending.step.correlation.id, pending.step.eventId ?? '', error);
      else if (work.kind === 'sightings')
        for (const pending of work.pending.sightings)
          failures.fail(pending, pending.observation.baseline.id, pending.observation.eventId ?? '', error);
      else
        for (const pending of work.pending.matches)
          failures.fail(pending, pending.match.rule.id, pending.match.eventId ?? '', error);
    }
  }
}

/** Sends the letters of the records not retried (a retried record sends its own on the attempt that is not). */
async function sendLetters(
  letters: readonly RecordLetter[],
  deps: DetectionDependencies,
  failures: BatchFailures,
): Promise<void> {
  const tasks = letters
    .filter(({ record }) => !failures.retried.has(record))
    .map(({ record, letter }) => async () => {
      try {
        await (await deps.deadLetters()).send(letter);
        deps.telemetry.count('DeadLettered');
        deps.telemetry.log('INFO', 'dead letter sent', { messageId: letter.sourceMessageId, kind: letter.kind });
      } catch (error) {
        failures.retried.add(record);
        deps.telemetry.log('WARN', 'could not send to the dead-letter queue; the record will be retried', {
          messageId: letter.sourceMessageId,
          error: printable(describeError(error)),
        });
      }
    });
  await runBounded(tasks, deps.concurrency);
}

/**
 * Processes one SQS batch in phases: plan (unwrap every message, run every rule on every event,
 * group the matches by dedup key and window and the correlation steps by rule and key), then per
 * group claim or record and publish, beside it write the events to the archive (when there is one:
 * `archiveBatch`), then send the dead letters. Never throws. Returns the records to retry.
 *
 * - Malformed bodies, items that are not audit events, and events a rule failed on go to the
 *   dead-letter sink with the reason, and are not retried; the rest of the message is processed.
 * - Transient failures (AWS errors, a window busy in another invocation) fail only the records
 *   concerned, which SQS delivers again; the dedup protocol makes that safe. On a record's last
 *   receive, and for permanent failures at once, the events that failed go to the dead-letter sink
 *   with the reason instead.
 * - Dead letters of a record that is retried are not sent yet: the retry sends them, once.
 * - Groups run concurrently (bounded), a group's work in order, so a batch never contends with itself.
 * - Leases last until the invocation's deadline (plus a margin) when it has one.
 *
 * @example
 * ```ts
 * export const handler = (event: SQSEvent, context: Context) =>
 *   processBatch(event.Records, deps, { remainingMillis: () => context.getRemainingTimeInMillis() });
 * ```
 */
export async function processBatch(
  records: readonly QueueRecord[],
  deps: DetectionDependencies,
  invocation?: Invocation,
): Promise<BatchResult> {
  const failures = new BatchFailures(deps.telemetry, deps.maxReceiveCount);
  try {
    const leaseUntil = leaseClock(deps, invocation);
    const plan = planBatch(records, deps);
    // The archive is written beside detection, never in its way.
    const [, archived] = await Promise.all([
      runBounded(
        plan.groups.map((group) => () => runGroup(group, deps, leaseUntil, failures)),
        deps.concurrency,
      ),
      archiveBatch(plan.received, records, deps),
    ]);
    for (const record of archived.retried) failures.retried.add(record);
    await sendLetters([...plan.letters, ...failures.letters(records), ...archived.letters], deps, failures);
  } catch (error) {
    // A bug, not a data problem: retry everything rather than lose anything.
    deps.telemetry.log('ERROR', 'batch processing failed unexpectedly; every record will be retried', {
      error: printable(describeError(error)),
    });
    records.forEach((_, index) => failures.retried.add(index));
  }
  deps.telemetry.count('RecordsFailed', failures.retried.size);
  return {
    batchItemFailures: records
      .filter((_, index) => failures.retried.has(index))
      .map(({ messageId }) => ({ itemIdentifier: messageId })),
  };
}
