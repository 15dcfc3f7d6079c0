import { buildAlert } from '../alerts/alert-document.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import type { AlertPublisher } from '../publish/alert-publisher.ts';
import type { DeadLetter, DeadLetterSink } from '../publish/dead-letter-sink.ts';
import type { RuleCatalog } from '../../detection/engine/catalog.ts';
import { describeError } from '../../detection/engine/describe-error.ts';
import type { RuleMatch } from '../../detection/engine/result.ts';
import { messageContent } from '../intake/message-body.ts';
import { scopeToOrganization } from '../intake/organization-scope.ts';
import { printable } from '../../util/printable.ts';
import { runBounded } from './concurrency.ts';
import { WindowBusyError } from './errors.ts';
import type { Telemetry } from './telemetry.ts';

/** The part of an SQS record the detection needs. */
export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
}

/** Lambda's partial batch response: the records SQS must deliver again. */
export interface BatchResult {
  readonly batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** What the batch processor works with. Adapters are lazy: nothing loads until a match needs it. */
export interface DetectionDependencies {
  readonly catalog: RuleCatalog;
  readonly logType: string;
  readonly dedupStore: () => Promise<DedupStore>;
  readonly publisher: () => Promise<AlertPublisher>;
  readonly deadLetters: () => Promise<DeadLetterSink>;
  readonly telemetry: Telemetry;
  /** Unix seconds; the same clock as the dedup store's. */
  readonly clock: () => number;
  /** Dedup keys (and dead letters) handled at once. */
  readonly concurrency: number;
}

interface PendingMatch {
  readonly record: number;
  readonly messageId: string;
  readonly match: RuleMatch;
}

const MAX_REASONS = 5;

function summarise(problems: ReadonlyArray<{ path: string; reason: string }>): string {
  const shown = problems.slice(0, MAX_REASONS).map((p) => (p.path ? `${p.path}: ${p.reason}` : p.reason));
  const more = problems.length > MAX_REASONS ? `; and ${problems.length - MAX_REASONS} more` : '';
  return `${problems.length} item(s) are not audit events: ${shown.join('; ')}${more}`;
}

/** Attempts at marking a published window sent (each with the SDK's own retries inside). */
const MARK_SENT_ATTEMPTS = 3;

async function markSent(
  store: DedupStore,
  dedupKey: string,
  alertId: string,
  deps: DetectionDependencies,
  ids: Record<string, string>,
): Promise<void> {
  // Not marking a published window sent is the one way to a duplicate (a later match takes it over
  // after the lease and publishes again, with the same alert id), so this write gets extra tries.
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await store.markSent(dedupKey, alertId))) {
        deps.telemetry.log('WARN', 'alert published, but its window was taken over before it was marked sent', ids);
      }
      return;
    } catch (error) {
      if (attempt >= MARK_SENT_ATTEMPTS) {
        // The alert is out; failing the record would only publish it again.
        deps.telemetry.log('ERROR', 'alert published but not marked sent', { ...ids, error: printable(describeError(error)) });
        return;
      }
    }
  }
}

async function handleMatch(pending: PendingMatch, deps: DetectionDependencies): Promise<void> {
  const { match, messageId } = pending;
  const { rule } = match;
  const ids = { messageId, ruleId: rule.id, eventId: printable(match.eventId ?? '') };
  const store = await deps.dedupStore();
  const claim = await store.claim({
    dedupKey: match.dedup,
    ruleId: rule.id,
    eventId: match.eventId ?? '',
    windowSeconds: Math.round(rule.dedupPeriodMinutes * 60),
    threshold: rule.threshold,
  });
  switch (claim.kind) {
    case 'publish': {
      const alert = buildAlert(match, claim, deps.logType, deps.clock());
      try {
        await (await deps.publisher()).publish(alert);
      } catch (error) {
        // Give the window back so the retry can publish at once, with the same alert id.
        await store.release(match.dedup, claim.alertId).catch((releaseError: unknown) => {
          deps.telemetry.log('WARN', 'could not release dedup window; the retry will take over after the lease', {
            ...ids,
            alertId: claim.alertId,
            error: printable(describeError(releaseError)),
          });
        });
        throw error;
      }
      deps.telemetry.count('AlertsPublished');
      deps.telemetry.log('INFO', 'alert published', { ...ids, alertId: claim.alertId, severity: alert.severity, takeover: claim.takeover });
      await markSent(store, match.dedup, claim.alertId, deps, { ...ids, alertId: claim.alertId });
      return;
    }
    case 'suppressed':
      if (!claim.duplicate) deps.telemetry.count('AlertsSuppressed');
      deps.telemetry.log('DEBUG', claim.duplicate ? 'redelivered event ignored' : 'match suppressed by dedup window', { ...ids, alertId: claim.alertId });
      return;
    case 'below-threshold':
      if (!claim.duplicate) deps.telemetry.count('BelowThreshold');
      deps.telemetry.log('DEBUG', 'match counted below threshold', { ...ids, eventCount: claim.eventCount });
      return;
    case 'busy':
      throw new WindowBusyError(`alert ${claim.alertId} is being published by another invocation; retry in ${claim.retryAfterSeconds}s`);
  }
}

/**
 * Processes one SQS batch: unwraps every message, runs every rule on every event, and delivers
 * alerts through the dedup protocol. Never throws. Returns the records to retry.
 *
 * - Malformed bodies, items that are not audit events, and events a rule failed on go to the
 *   dead-letter sink with the reason, and are not retried; the rest of the message is processed.
 * - Transient failures (AWS errors, a window busy in another invocation) fail only the records
 *   concerned, which SQS delivers again; the dedup protocol makes that safe.
 * - Matches are grouped by dedup key across the whole batch: keys run concurrently (bounded),
 *   matches of one key in order, so a batch never contends with itself.
 *
 * @example
 * ```ts
 * export const handler = (event: SQSEvent) => processBatch(event.Records, deps);
 * ```
 */
export async function processBatch(records: readonly QueueRecord[], deps: DetectionDependencies): Promise<BatchResult> {
  const failed = new Set<number>();
  const { telemetry } = deps;
  try {
    const letters: Array<{ record: number; letter: DeadLetter }> = [];
    const groups = new Map<string, PendingMatch[]>();
    records.forEach(({ messageId, body }, record) => {
      const content = messageContent(body);
      if (content.kind === 'malformed') {
        telemetry.count('MalformedEvents');
        telemetry.log('WARN', 'malformed message sent to the dead-letter queue', { messageId, reason: content.reason });
        letters.push({ record, letter: { kind: 'malformed-body', sourceMessageId: messageId, reason: content.reason, body } });
        return;
      }
      telemetry.count('EventsReceived', content.events.length);
      if (content.problems.length > 0) {
        const reason = summarise(content.problems);
        telemetry.count('MalformedEvents', content.problems.length);
        telemetry.log('WARN', 'items that are not audit events sent to the dead-letter queue', { messageId, reason });
        letters.push({ record, letter: { kind: 'not-audit-events', sourceMessageId: messageId, reason, body } });
      }
      for (const { event, path } of content.events) {
        const { matches, errors } = deps.catalog.evaluate(deps.logType, event);
        for (const error of errors) {
          telemetry.count('RuleErrors');
          telemetry.log('ERROR', 'rule error', {
            messageId,
            ruleId: error.ruleId,
            eventId: printable(error.eventId ?? ''),
            function: error.function,
            error: printable(error.message, 500),
          });
        }
        const undecided = errors.filter((error) => error.function === 'match' || error.function === 'normalize');
        if (undecided.length > 0) {
          const reason = undecided.map((e) => `rule ${e.ruleId} failed in ${e.function}(): ${e.message}`).join('; ');
          letters.push({ record, letter: { kind: 'rule-error', sourceMessageId: messageId, reason: `${path || 'event'}: ${reason}`, body: JSON.stringify(event) } });
        }
        if (matches.length > 0) telemetry.count('EventsMatched');
        for (const match of matches.map((m) => scopeToOrganization(m, content.organization))) {
          const group = groups.get(match.dedup);
          const pending = { record, messageId, match };
          if (group) group.push(pending);
          else groups.set(match.dedup, [pending]);
        }
      }
    });

    const letterTasks = letters.map(({ record, letter }) => async () => {
      try {
        await (await deps.deadLetters()).send(letter);
        telemetry.count('DeadLettered');
      } catch (error) {
        failed.add(record);
        telemetry.log('WARN', 'could not send to the dead-letter queue; the record will be retried', {
          messageId: letter.sourceMessageId,
          error: printable(describeError(error)),
        });
      }
    });
    const matchTasks = [...groups.values()].map((group) => async () => {
      for (const pending of group) {
        try {
          await handleMatch(pending, deps);
        } catch (error) {
          failed.add(pending.record);
          telemetry.log(error instanceof WindowBusyError ? 'INFO' : 'WARN', 'match not delivered; the record will be retried', {
            messageId: pending.messageId,
            ruleId: pending.match.rule.id,
            eventId: printable(pending.match.eventId ?? ''),
            error: printable(describeError(error)),
          });
        }
      }
    });
    await runBounded([...letterTasks, ...matchTasks], deps.concurrency);
  } catch (error) {
    // A bug, not a data problem: retry everything rather than lose anything.
    telemetry.log('ERROR', 'batch processing failed unexpectedly; every record will be retried', { error: printable(describeError(error)) });
    records.forEach((_, index) => failed.add(index));
  }
  telemetry.count('RecordsFailed', failed.size);
  return { batchItemFailures: [...failed].sort((a, b) => a - b).map((index) => ({ itemIdentifier: records[index]?.messageId ?? '' })) };
}
