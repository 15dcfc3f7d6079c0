import type { QueueRecord } from '../../shared/sqs-batch.ts';
import { letterContent } from '../../shared/letter-content.ts';
import { printable } from '../../shared/printable.ts';
import { placeInWindow } from '../dedup/window.ts';
import { messageContent, type MessageContent } from '../intake/message-body.ts';
import { isArchiveTime } from '../../archive/day.ts';
import { archivedEvent } from '../../archive/event-line.ts';
import { organizationDedupKey, scopeToOrganization } from '../intake/organization-scope.ts';
import type {
  DetectionDependencies,
  PendingMatch,
  PendingSightings,
  PendingSteps,
  PendingWindow,
  ReceivedEvent,
  RecordEnvelope,
  RecordLetter,
  Work,
} from './batch-work.ts';
import { letterEvents } from './letter-events.ts';
import { MATCH_OUTCOME_MESSAGES } from './log-messages.ts';
import { reportRuleErrors } from './telemetry.ts';
import type { RuleMatch } from '../../detection/engine/result.ts';

const MAX_REASONS = 5;

/** What a batch has to do, once every event is evaluated. */
export interface BatchPlan {
  /**
   * The work, in groups: per dedup key its windows in order, per correlation and key its steps.
   * A group runs in sequence, groups concurrently, so a batch never contends with itself.
   */
  readonly groups: ReadonlyArray<readonly Work[]>;
  /** Letters for what is not deliverable as received: malformed bodies, items that are not events, rule errors. */
  readonly letters: readonly RecordLetter[];
  /** Every audit event received, as the archive keeps it (empty without an archive). */
  readonly received: readonly ReceivedEvent[];
}

function summarise(problems: ReadonlyArray<{ path: string; reason: string }>): string {
  const shown = problems.slice(0, MAX_REASONS).map((p) => (p.path ? `${p.path}: ${p.reason}` : p.reason));
  const more = problems.length > MAX_REASONS ? `; and ${problems.length - MAX_REASONS} more` : '';
  return `${problems.length} item(s) are not audit events: ${shown.join('; ')}${more}`;
}

/**
 * A match's dedup window length in seconds.
 *
 * @example
 * ```ts
 * placeInWindow(match.eventTime, now, windowSeconds(match));
 * ```
 */
export function windowSeconds(match: RuleMatch): number {
  return Math.round(match.rule.dedupPeriodMinutes * 60);
}

/**
 * Adds a match to its dedup window among `windows` (by dedup key and window start, its window
 * placed by event time at `now`), in the order matches come: what one claim takes. Returns the
 * window when this match opened it.
 *
 * @example
 * ```ts
 * const opened = addToWindow(windows, { ...origin, match }, now);
 * if (opened) queue(match.dedup, { kind: 'window', pending: opened });
 * ```
 */
export function addToWindow(
  windows: Map<string, PendingWindow>,
  pending: PendingMatch,
  now: number,
): PendingWindow | undefined {
  const { match } = pending;
  const { windowStart, windowEndsAt } = placeInWindow(match.eventTime, now, windowSeconds(match));
  const id = `${match.dedup}\n${windowStart}`;
  const window = windows.get(id);
  if (window) {
    window.matches.push(pending);
    return undefined;
  }
  const opened: PendingWindow = { dedupKey: match.dedup, windowStart, windowEndsAt, matches: [pending] };
  windows.set(id, opened);
  return opened;
}

/**
 * A record's audit events as the archive keeps them. They are received when SQS says the message
 * was sent (the same on every receive, so a redelivered batch is archived with the same bytes),
 * else now.
 */
function receivedEvents(
  queued: QueueRecord,
  record: number,
  content: Extract<MessageContent, { kind: 'events' }>,
  envelope: { readonly envelope?: RecordEnvelope },
  now: number,
): ReceivedEvent[] {
  const sent = Number(queued.attributes?.SentTimestamp);
  const receivedAt = new Date(Number.isSafeInteger(sent) && isArchiveTime(sent) ? sent : now * 1000);
  const organizationId = envelope.envelope?.organization.id ?? null;
  const source = envelope.envelope?.source ?? '';
  const count = receiveCount(queued);
  return content.events.map(({ event }) => ({
    record,
    receiveCount: count,
    line: archivedEvent({ organizationId, messageId: queued.messageId, source, receivedAt, event }),
    ...envelope,
  }));
}

function receiveCount(record: QueueRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) ? count : 1;
}

/**
 * The first phase of a batch: unwraps every message, runs every rule on every event, and groups
 * what is to be done: matches by dedup key and window, correlation steps by rule and key. Bad data
 * becomes a dead letter with its reason, and the rest of its message is planned. Counts and logs
 * what it sees; touches no store.
 *
 * @example
 * ```ts
 * const { groups, letters } = planBatch(event.Records, deps);
 * ```
 */
export function planBatch(records: readonly QueueRecord[], deps: DetectionDependencies): BatchPlan {
  const { telemetry } = deps;
  const letters: RecordLetter[] = [];
  const received: ReceivedEvent[] = [];
  const groups = new Map<string, Work[]>();
  const windows = new Map<string, PendingWindow>();
  const stepsByKey = new Map<string, PendingSteps>();
  const sightingsByActor = new Map<string, PendingSightings>();
  const now = deps.clock();
  const queue = (key: string, work: Work): void => {
    const group = groups.get(key);
    if (group) group.push(work);
    else groups.set(key, [work]);
  };
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
    // What the envelope said of the record's events: dead letters and the archive keep it.
    const envelope: { readonly envelope?: RecordEnvelope } =
      content.organization === undefined
        ? {}
        : { envelope: { organization: content.organization, source: content.source ?? '' } };
    if (deps.archive !== undefined) received.push(...receivedEvents(queued, record, content, envelope, now));
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
      const { matches, signals, suppressed, steps, observations, errors } = deps.catalog.evaluate(deps.logType, event);
      for (const error of errors)
        reportRuleErrors(telemetry, { messageId, ruleId: error.ruleId, eventId: printable(error.eventId ?? '') }, [
          error,
        ]);
      const undecided = errors.filter((error) => error.function === 'match' || error.function === 'normalize');
      if (undecided.length > 0) {
        const reason = undecided.map((e) => `rule ${e.ruleId} failed in ${e.function}(): ${e.message}`).join('; ');
        letters.push({
          record,
          letter: {
            kind: 'rule-error',
            sourceMessageId: messageId,
            // An enveloped record's event keeps its envelope: redriven, it is its organization's.
            ...letterContent(
              envelope.envelope === undefined ? event : letterEvents([event], envelope.envelope),
              body,
              `${path || 'event'}: ${reason}`,
            ),
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
      const origin = { record, messageId, receiveCount: receiveCount(queued), event, ...envelope };
      for (const match of matches.map((m) => scopeToOrganization(m, content.organization))) {
        const opened = addToWindow(windows, { ...origin, match }, now);
        if (opened) queue(match.dedup, { kind: 'window', pending: opened });
      }
      for (const step of steps) {
        const storageKey = organizationDedupKey(step.key, content.organization);
        const pending = { ...origin, step, organization: content.organization };
        // One write per correlation and key: its steps are recorded together, never racing each
        // other. A key's correlations run in one group: a finding of one may be a step of another.
        const id = `correlation\n${step.correlation.id}\n${storageKey}`;
        const group = stepsByKey.get(id);
        if (group) group.steps.push(pending);
        else {
          const created: PendingSteps = { storageKey, steps: [pending] };
          stepsByKey.set(id, created);
          queue(`correlation\n${storageKey}`, { kind: 'steps', pending: created });
        }
      }
      for (const observation of observations) {
        const storageKey = organizationDedupKey(observation.actor, content.organization);
        const pending = { ...origin, observation, organization: content.organization };
        // One write per baseline and actor: its sightings are observed together, in record order.
        const id = `baseline\n${observation.baseline.id}\n${storageKey}`;
        const group = sightingsByActor.get(id);
        if (group) group.sightings.push(pending);
        else {
          const created: PendingSightings = { storageKey, sightings: [pending] };
          sightingsByActor.set(id, created);
          queue(id, { kind: 'sightings', pending: created });
        }
      }
    }
  });
  return { groups: [...groups.values()], letters, received };
}
