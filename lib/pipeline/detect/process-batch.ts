import type { BatchResult, QueueRecord } from '../../shared/sqs-batch.ts';
import type { AlertDocument } from '../alerts/alert-document.ts';
import { buildAlert } from '../alerts/alert-document.ts';
import { fitAlert } from '../alerts/sns-message.ts';
import { LEASE_MARGIN_SECONDS, MAX_PENDING_PREDECESSORS } from '../dedup/constants.ts';
import type { ClaimedOutcome, DedupStore, SentAlert, WindowClaim, WindowLease } from '../dedup/dedup-store.ts';
import { placeInWindow, trustedEventTime } from '../dedup/window.ts';
import type { AlertPublisher } from '../publish/alert-publisher.ts';
import type { DeadLetter, DeadLetterKind, DeadLetterSink } from '../../shared/dead-letter-sink.ts';
import type { RuleCatalog } from '../../detection/engine/catalog.ts';
import { describeError } from '../../shared/describe-error.ts';
import { letterContent } from '../../shared/letter-content.ts';
import type { CorrelationStepMatch, RuleMatch } from '../../detection/engine/result.ts';
import { messageContent } from '../intake/message-body.ts';
import { organizationDedupKey, scopeToOrganization } from '../intake/organization-scope.ts';
import type { Organization } from '../../ingestion/packing/organization.ts';
import type { CorrelationStore } from '../correlate/correlation-store.ts';
import { correlationFindings } from '../../detection/engine/correlation.ts';
import type { JsonObject } from '../../shared/json.ts';
import { printable } from '../../shared/printable.ts';
import { MATCH_OUTCOME_MESSAGES } from './log-messages.ts';
import { runBounded } from './concurrency.ts';
import { WindowBusyError, isPermanentFailure } from './errors.ts';
import type { Telemetry } from './telemetry.ts';

/** The invocation a batch runs in: its deadline bounds the leases its claims take. */
export interface Invocation {
  /** Lambda's `context.getRemainingTimeInMillis()`. */
  remainingMillis(): number;
}

/** What the batch processor works with. Adapters are lazy: nothing loads until a match needs it. */
export interface DetectionDependencies {
  readonly catalog: RuleCatalog;
  readonly logType: string;
  readonly dedupStore: () => Promise<DedupStore>;
  /** State of correlation rules; loaded only when an event is a step of one. */
  readonly correlationStore: () => Promise<CorrelationStore>;
  readonly publisher: () => Promise<AlertPublisher>;
  readonly deadLetters: () => Promise<DeadLetterSink>;
  readonly telemetry: Telemetry;
  /** Unix seconds; the same clock as the dedup store's. */
  readonly clock: () => number;
  /** Dedup keys (and dead letters) handled at once. */
  readonly concurrency: number;
  /** Lease of claims made outside an invocation with a deadline (local runs, the CLI), seconds. */
  readonly leaseSeconds: number;
  /**
   * The queue's `maxReceiveCount`, when known: on a record's last receive, a failure goes to the
   * DLQ with its reason (and only the events that failed) instead of being redriven without one.
   */
  readonly maxReceiveCount?: number;
}

/** When a lease taken now ends, in Unix seconds. */
type LeaseClock = () => number;

interface PendingMatch {
  readonly record: number;
  readonly messageId: string;
  /** The record's `ApproximateReceiveCount` (1 when not given). */
  readonly receiveCount: number;
  readonly match: RuleMatch;
  readonly event: JsonObject;
}

/** A correlation step to record, from one event of one record. */
interface PendingStep {
  readonly record: number;
  readonly messageId: string;
  readonly receiveCount: number;
  readonly step: CorrelationStepMatch;
  /** Where the state lives: the step's key, scoped to the event's organization. */
  readonly storageKey: string;
  readonly organization: Organization | undefined;
  readonly event: JsonObject;
}

/** A batch's matches of one dedup key in one window, claimed together. */
interface PendingWindow {
  readonly dedupKey: string;
  readonly windowStart: number;
  readonly windowEndsAt: number;
  readonly matches: PendingMatch[];
}

/** One unit of work on a group's queue: a window's matches to claim, or a correlation step to record. */
type Work =
  | { readonly kind: 'window'; readonly pending: PendingWindow }
  | { readonly kind: 'step'; readonly pending: PendingStep };

interface DeliveryFailure {
  readonly kind: Extract<DeadLetterKind, 'permanent-error' | 'retries-exhausted'>;
  readonly event: JsonObject;
  readonly reason: string;
}

const MAX_REASONS = 5;

/** Claim rounds for one window: after its alert, a take-over or an escalation, more severe matches escalate it. */
const MAX_CLAIM_ROUNDS = 8;

function summarise(problems: ReadonlyArray<{ path: string; reason: string }>): string {
  const shown = problems.slice(0, MAX_REASONS).map((p) => (p.path ? `${p.path}: ${p.reason}` : p.reason));
  const more = problems.length > MAX_REASONS ? `; and ${problems.length - MAX_REASONS} more` : '';
  return `${problems.length} item(s) are not audit events: ${shown.join('; ')}${more}`;
}

/** Attempts at marking a published window sent (each with the SDK's own retries inside). */
const MARK_SENT_ATTEMPTS = 3;

type Ids = Record<string, string>;

async function markSent(store: DedupStore, lease: WindowLease, deps: DetectionDependencies, ids: Ids): Promise<void> {
  // Not marking a published window sent is the one way to a duplicate (a later match takes it over
  // after the lease and publishes it again, same id and content), so this write gets extra tries.
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await store.markSent(lease))) {
        deps.telemetry.log('WARN', 'alert published, but its window was taken over before it was marked sent', ids);
      }
      return;
    } catch (error) {
      if (attempt >= MARK_SENT_ATTEMPTS) {
        // The alert is out; failing the record would only publish it again.
        deps.telemetry.log('ERROR', 'alert published but not marked sent', {
          ...ids,
          error: printable(describeError(error)),
        });
        return;
      }
    }
  }
}

/** Gives a window back after a failure, so the retry can publish at once, with the same alert id. */
async function release(store: DedupStore, lease: WindowLease, deps: DetectionDependencies, ids: Ids): Promise<void> {
  await store.release(lease).catch((releaseError: unknown) => {
    deps.telemetry.log('WARN', 'could not release dedup window; the retry will take over after the lease', {
      ...ids,
      alertId: lease.alertId,
      error: printable(describeError(releaseError)),
    });
  });
}

/** Publishes a window's alert as stored, then marks the window sent; on failure gives the window back. */
async function deliver(
  store: DedupStore,
  lease: WindowLease,
  alertJson: string,
  takeover: boolean,
  deps: DetectionDependencies,
  ids: Ids,
): Promise<void> {
  const alert = JSON.parse(alertJson) as AlertDocument;
  const fields = { ...ids, alertId: lease.alertId };
  try {
    await (await deps.publisher()).publish(alert);
  } catch (error) {
    await release(store, lease, deps, ids);
    throw error;
  }
  deps.telemetry.count('AlertsPublished');
  if (alert.escalatesAlertId) {
    deps.telemetry.count('AlertsEscalated');
    deps.telemetry.log('INFO', 'escalation published', {
      ...fields,
      severity: alert.severity,
      escalatedFrom: alert.escalatedFromSeverity ?? undefined,
      firstAlertId: alert.escalatesAlertId,
      takeover,
    });
  } else {
    deps.telemetry.log('INFO', 'alert published', { ...fields, severity: alert.severity, takeover });
  }
  await markSent(store, lease, deps, fields);
}

/**
 * Before a window's alert goes out, the other pending windows of its dedup key (a publish that
 * failed for longer than its records' retries, a publisher that died) are published first: a
 * pending window is never left behind by a later one.
 */
async function publishEarlierPending(
  store: DedupStore,
  lease: WindowLease,
  deps: DetectionDependencies,
  ids: Ids,
): Promise<void> {
  const others = await store.trackPending(lease);
  for (const windowStart of others.slice(0, MAX_PENDING_PREDECESSORS)) {
    const taken = await store.takeOver(lease.dedupKey, windowStart, lease.leaseUntil);
    if (!taken) continue;
    deps.telemetry.count('PendingWindowsRecovered');
    deps.telemetry.log('WARN', 'publishing a pending window of the same dedup key whose publisher is gone', {
      ...ids,
      alertId: taken.lease.alertId,
      windowStart,
    });
    await deliver(store, taken.lease, taken.alert, true, deps, ids);
  }
}

function reportOutcome(pending: PendingMatch, outcome: ClaimedOutcome, deps: DetectionDependencies): void {
  const { match, messageId } = pending;
  const ids = { messageId, ruleId: match.rule.id, eventId: printable(match.eventId ?? '') };
  switch (outcome.kind) {
    case 'alerted':
      deps.telemetry.count('MatchesAlerted');
      return;
    case 'duplicate':
      deps.telemetry.count('DuplicatesIgnored');
      deps.telemetry.log(
        'INFO',
        MATCH_OUTCOME_MESSAGES.duplicate,
        outcome.eventCount === undefined
          ? ids
          : { ...ids, eventCount: outcome.eventCount, threshold: match.rule.threshold },
      );
      return;
    case 'suppressed':
      deps.telemetry.count('AlertsSuppressed');
      deps.telemetry.log('INFO', MATCH_OUTCOME_MESSAGES.suppressed, {
        ...ids,
        alertId: outcome.alertId,
        severity: match.severity,
      });
      return;
    case 'below-threshold':
      deps.telemetry.count('BelowThreshold');
      deps.telemetry.log('INFO', MATCH_OUTCOME_MESSAGES.belowThreshold, {
        ...ids,
        eventCount: outcome.eventCount,
        threshold: match.rule.threshold,
      });
      return;
  }
}

/**
 * Claims a batch's matches of one window with one counting write, then publishes what it owes:
 * the window's alert, and escalations by the more severe matches after it, each once.
 */
async function handleWindow(window: PendingWindow, deps: DetectionDependencies, leaseUntil: LeaseClock): Promise<void> {
  const first = window.matches[0] as PendingMatch;
  const { rule } = first.match;
  const ids = { messageId: first.messageId, ruleId: rule.id, eventId: printable(first.match.eventId ?? '') };
  const store = await deps.dedupStore();
  let claimed = window.matches;
  let after: SentAlert | undefined;
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const matches = claimed;
    const claim: WindowClaim = {
      dedupKey: window.dedupKey,
      ruleId: rule.id,
      windowStart: window.windowStart,
      windowEndsAt: window.windowEndsAt,
      threshold: rule.threshold,
      distinct: matches.some(({ match }) => match.unique !== undefined),
      matches: matches.map(({ match }) => ({
        eventId: match.eventId ?? '',
        severity: match.severity,
        ...(match.unique === undefined ? {} : { distinctValue: match.unique }),
      })),
      leaseUntil: leaseUntil(),
      render: (snapshot, index) =>
        JSON.stringify(fitAlert(buildAlert((matches[index] ?? first).match, snapshot, deps.logType, deps.clock()))),
    };
    const result = await store.claimWindow(claim, after);
    if (result.kind === 'busy')
      throw new WindowBusyError(
        `alert ${result.alertId} is being published by another invocation; retry in ${result.retryAfterSeconds}s`,
      );
    for (const [index, outcome] of result.outcomes) reportOutcome(matches[index] as PendingMatch, outcome, deps);
    if (result.kind === 'done') return;
    const alerter = matches[[...result.outcomes].find(([, o]) => o.kind === 'alerted')?.[0] ?? -1];
    const alertIds = alerter
      ? { ...ids, messageId: alerter.messageId, eventId: printable(alerter.match.eventId ?? '') }
      : ids;
    try {
      await publishEarlierPending(store, result.lease, deps, alertIds);
    } catch (error) {
      // An earlier window could not go out first: this one waits for the retry, released.
      await release(store, result.lease, deps, alertIds);
      throw error;
    }
    await deliver(store, result.lease, result.alert, result.takeover, deps, alertIds);
    if (result.rest.length === 0) return;
    claimed = result.rest.map((index) => matches[index] as PendingMatch);
    after = result.sent;
  }
  throw new WindowBusyError(`matches still not accounted for after ${MAX_CLAIM_ROUNDS} claim rounds`);
}

/**
 * Records a correlation step in the rule's state for its key, then claims every finding the state
 * now completes, as a match of the correlation rule through the same dedup protocol. Findings are
 * recomputed from the state, so a redelivered step finds them again and the dedup windows alert
 * each once.
 */
async function handleStep(pending: PendingStep, deps: DetectionDependencies, leaseUntil: LeaseClock): Promise<void> {
  const { step, messageId } = pending;
  const ids = { messageId, ruleId: step.correlation.id, eventId: printable(step.eventId ?? '') };
  const shape = deps.catalog.correlation(step.correlation.id);
  const now = deps.clock();
  const record = {
    eventId: step.eventId ?? '',
    // As for windows: a time too far ahead is not trusted (it would move the state's horizon past
    // every real step and prune them).
    time: Math.floor(trustedEventTime(step.eventTime, now) ?? now),
    ...(step.detail === undefined ? {} : { detail: step.detail }),
  };
  const state = await (await deps.correlationStore()).record(shape, pending.storageKey, step.stepIndex, record);
  deps.telemetry.count('CorrelationStepsRecorded');
  for (const finding of correlationFindings(shape, state, step.key, step.stepIndex, record)) {
    const { match: found, errors } = deps.catalog.evaluateFinding(finding);
    for (const error of errors) {
      deps.telemetry.count('RuleErrors');
      deps.telemetry.log('ERROR', 'rule error', {
        ...ids,
        function: error.function,
        error: printable(error.message, 500),
      });
    }
    deps.telemetry.count('CorrelationsCompleted');
    deps.telemetry.log('INFO', 'correlation completed', { ...ids, triggerEventId: printable(finding.trigger.eventId) });
    const match = scopeToOrganization(found, pending.organization);
    const { windowStart, windowEndsAt } = placeInWindow(match.eventTime, deps.clock(), windowSeconds(match));
    await handleWindow(
      {
        dedupKey: match.dedup,
        windowStart,
        windowEndsAt,
        matches: [
          { record: pending.record, messageId, receiveCount: pending.receiveCount, match, event: pending.event },
        ],
      },
      deps,
      leaseUntil,
    );
  }
}

function windowSeconds(match: RuleMatch): number {
  return Math.round(match.rule.dedupPeriodMinutes * 60);
}

function receiveCount(record: QueueRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) ? count : 1;
}

/**
 * One dead letter per record and kind, holding only the events that failed (each once), or the
 * record's `received` body when they cannot be written as JSON.
 */
function failureLetters(messageId: string, received: string, failures: readonly DeliveryFailure[]): DeadLetter[] {
  const kinds = [...new Set(failures.map((f) => f.kind))];
  return kinds.map((kind) => {
    const ofKind = failures.filter((f) => f.kind === kind);
    const events = [...new Set(ofKind.map((f) => f.event))];
    const reasons = [...new Set(ofKind.map((f) => f.reason))];
    const shown = reasons.slice(0, MAX_REASONS).join('; ');
    const more = reasons.length > MAX_REASONS ? `; and ${reasons.length - MAX_REASONS} more` : '';
    const reason = `${events.length} event(s) not delivered: ${shown}${more}`;
    return { kind, sourceMessageId: messageId, ...letterContent(events, received, reason) };
  });
}

/**
 * Processes one SQS batch: unwraps every message, runs every rule on every event, and delivers
 * alerts through the dedup protocol. Never throws. Returns the records to retry.
 *
 * - Malformed bodies, items that are not audit events, and events a rule failed on go to the
 *   dead-letter sink with the reason, and are not retried; the rest of the message is processed.
 * - Transient failures (AWS errors, a window busy in another invocation) fail only the records
 *   concerned, which SQS delivers again; the dedup protocol makes that safe. On a record's last
 *   receive, and for permanent failures at once, the events that failed go to the dead-letter sink
 *   with the reason instead.
 * - Dead letters of a record that is retried are not sent yet: the retry sends them, once.
 * - Matches are grouped by dedup key across the whole batch: keys run concurrently (bounded),
 *   matches of one key in order, so a batch never contends with itself.
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
  const failed = new Set<number>();
  const { telemetry } = deps;
  try {
    // In Lambda the lease ends with the invocation (plus a margin): the function cannot outlive it.
    // Without an invocation (local runs, the CLI) nothing ends a slow batch, so each claim holds
    // the lease for leaseSeconds from the moment it is made, never from the batch's start.
    const deadline = invocation
      ? deps.clock() + Math.ceil(invocation.remainingMillis() / 1000) + LEASE_MARGIN_SECONDS
      : undefined;
    const leaseUntil: LeaseClock = deadline === undefined ? () => deps.clock() + deps.leaseSeconds : () => deadline;
    const letters: Array<{ record: number; letter: DeadLetter }> = [];
    // Per dedup key, its windows (and per correlation and key, its steps) in order: a key's work
    // runs in sequence, so a batch never contends with itself.
    const groups = new Map<string, Work[]>();
    const windows = new Map<string, PendingWindow>();
    const now = deps.clock();
    records.forEach((queued, record) => {
      const { messageId, body } = queued;
      const content = messageContent(body);
      if (content.kind === 'malformed') {
        telemetry.count('MalformedEvents');
        telemetry.log('WARN', 'malformed message sent to the dead-letter queue', { messageId, reason: content.reason });
        letters.push({
          record,
          letter: { kind: 'malformed-body', sourceMessageId: messageId, reason: content.reason, body },
        });
        return;
      }
      telemetry.count('EventsReceived', content.events.length);
      if (content.problems.length > 0) {
        const reason = summarise(content.problems);
        telemetry.count('MalformedEvents', content.problems.length);
        telemetry.log('WARN', 'items that are not audit events sent to the dead-letter queue', { messageId, reason });
        letters.push({
          record,
          letter: {
            kind: 'not-audit-events',
            sourceMessageId: messageId,
            ...letterContent(content.rejected, body, reason),
          },
        });
      }
      for (const { event, path } of content.events) {
        const { matches, signals, suppressed, steps, errors } = deps.catalog.evaluate(deps.logType, event);
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
          letters.push({
            record,
            letter: {
              kind: 'rule-error',
              sourceMessageId: messageId,
              ...letterContent(event, body, `${path || 'event'}: ${reason}`),
            },
          });
        }
        if (matches.length > 0) telemetry.count('EventsMatched');
        if (signals.length > 0) telemetry.count('SignalsRecorded', signals.length);
        for (const { match, reason } of suppressed) {
          telemetry.count('MatchesSuppressed');
          telemetry.log('INFO', MATCH_OUTCOME_MESSAGES.suppressedByRules, {
            messageId,
            ruleId: match.rule.id,
            eventId: printable(match.eventId ?? ''),
            reason: printable(reason, 300),
          });
        }
        const queue = (key: string, work: Work): void => {
          const group = groups.get(key);
          if (group) group.push(work);
          else groups.set(key, [work]);
        };
        for (const match of matches.map((m) => scopeToOrganization(m, content.organization))) {
          const pending = { record, messageId, receiveCount: receiveCount(queued), match, event };
          const { windowStart, windowEndsAt } = placeInWindow(match.eventTime, now, windowSeconds(match));
          const id = `${match.dedup}\n${windowStart}`;
          const window = windows.get(id);
          if (window) window.matches.push(pending);
          else {
            const created: PendingWindow = { dedupKey: match.dedup, windowStart, windowEndsAt, matches: [pending] };
            windows.set(id, created);
            queue(match.dedup, { kind: 'window', pending: created });
          }
        }
        for (const step of steps) {
          const storageKey = organizationDedupKey(step.key, content.organization);
          const pending = {
            record,
            messageId,
            receiveCount: receiveCount(queued),
            step,
            storageKey,
            organization: content.organization,
            event,
          };
          // One queue per correlation and key: its steps are recorded in order, never racing each other.
          queue(`correlation\n${step.correlation.id}\n${storageKey}`, { kind: 'step', pending });
        }
      }
    });

    const deliveryFailures = new Map<number, { messageId: string; failures: DeliveryFailure[] }>();
    const fail = (pending: PendingMatch | PendingStep, ruleId: string, eventId: string, error: unknown): void => {
      const permanent = isPermanentFailure(error);
      const lastReceive = pending.receiveCount >= (deps.maxReceiveCount ?? Number.POSITIVE_INFINITY);
      const fields = {
        messageId: pending.messageId,
        ruleId,
        eventId: printable(eventId),
        error: printable(describeError(error)),
      };
      if (permanent || lastReceive) {
        const kind = permanent ? 'permanent-error' : 'retries-exhausted';
        telemetry.log(
          'ERROR',
          permanent
            ? 'match not deliverable: its event goes to the dead-letter queue'
            : 'match still failing on the last receive: its event goes to the dead-letter queue',
          fields,
        );
        const reason = `rule ${ruleId}, event ${printable(eventId, 200)}: ${describeError(error)}`;
        const entry = deliveryFailures.get(pending.record) ?? { messageId: pending.messageId, failures: [] };
        entry.failures.push({ kind, event: pending.event, reason });
        deliveryFailures.set(pending.record, entry);
      } else {
        failed.add(pending.record);
        telemetry.log(
          error instanceof WindowBusyError ? 'INFO' : 'WARN',
          'match not delivered; the record will be retried',
          fields,
        );
      }
    };
    const matchTasks = [...groups.values()].map((group) => async () => {
      for (const work of group) {
        try {
          if (work.kind === 'window') await handleWindow(work.pending, deps, leaseUntil);
          else await handleStep(work.pending, deps, leaseUntil);
        } catch (error) {
          // Every match of a window fails with it: a retry counts again only what a window no longer remembers.
          if (work.kind === 'step')
            fail(work.pending, work.pending.step.correlation.id, work.pending.step.eventId ?? '', error);
          else
            for (const pending of work.pending.matches)
              fail(pending, pending.match.rule.id, pending.match.eventId ?? '', error);
        }
      }
    });
    await runBounded(matchTasks, deps.concurrency);

    for (const [record, { messageId, failures }] of deliveryFailures) {
      const received = records[record]?.body ?? '';
      for (const letter of failureLetters(messageId, received, failures)) letters.push({ record, letter });
    }
    // A retried record sends its letters on the attempt that is not retried, so each is sent once.
    const letterTasks = letters
      .filter(({ record }) => !failed.has(record))
      .map(({ record, letter }) => async () => {
        try {
          await (await deps.deadLetters()).send(letter);
          telemetry.count('DeadLettered');
          telemetry.log('INFO', 'dead letter sent', { messageId: letter.sourceMessageId, kind: letter.kind });
        } catch (error) {
          failed.add(record);
          telemetry.log('WARN', 'could not send to the dead-letter queue; the record will be retried', {
            messageId: letter.sourceMessageId,
            error: printable(describeError(error)),
          });
        }
      });
    await runBounded(letterTasks, deps.concurrency);
  } catch (error) {
    // A bug, not a data problem: retry everything rather than lose anything.
    telemetry.log('ERROR', 'batch processing failed unexpectedly; every record will be retried', {
      error: printable(describeError(error)),
    });
    records.forEach((_, index) => failed.add(index));
  }
  telemetry.count('RecordsFailed', failed.size);
  return {
    batchItemFailures: records
      .filter((_, index) => failed.has(index))
      .map(({ messageId }) => ({ itemIdentifier: messageId })),
  };
}
