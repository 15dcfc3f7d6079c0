import { buildAlert } from '../alerts/alert-document.ts';
import { fitAlert } from '../alerts/sns-message.ts';
import type { ClaimedOutcome, SentAlert, WindowClaim } from '../dedup/dedup-store.ts';
import { printable } from '../../shared/printable.ts';
import type { DetectionDependencies, LeaseClock, PendingMatch, PendingWindow } from './batch-work.ts';
import { deliverAlert, publishEarlierPending, releaseWindow } from './deliver-alert.ts';
import { WindowBusyError } from './errors.ts';
import { MATCH_OUTCOME_MESSAGES } from './log-messages.ts';

/** Claim rounds for one window: after its alert, a take-over or an escalation, more severe matches escalate it. */
const MAX_CLAIM_ROUNDS = 8;

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

function claimOf(
  window: PendingWindow,
  matches: readonly PendingMatch[],
  deps: DetectionDependencies,
  leaseUntil: number,
): WindowClaim {
  const first = matches[0] as PendingMatch;
  const { rule } = first.match;
  return {
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
    leaseUntil,
    render: (snapshot, index) =>
      JSON.stringify(fitAlert(buildAlert((matches[index] ?? first).match, snapshot, deps.logType, deps.clock()))),
  };
}

/**
 * The claim and publish phases of one window: claims a batch's matches of it with one counting
 * write, then publishes what it owes: the window's alert, and escalations by the more severe
 * matches after it, each once. Throws {@link WindowBusyError} when another invocation is
 * publishing the window and a match is more severe than its alert (the records are retried).
 *
 * @example
 * ```ts
 * await claimAndPublish(window, deps, () => deadline);
 * ```
 */
export async function claimAndPublish(
  window: PendingWindow,
  deps: DetectionDependencies,
  leaseUntil: LeaseClock,
): Promise<void> {
  const first = window.matches[0] as PendingMatch;
  const ids = {
    messageId: first.messageId,
    ruleId: first.match.rule.id,
    eventId: printable(first.match.eventId ?? ''),
  };
  const store = await deps.dedupStore();
  let claimed = window.matches;
  let after: SentAlert | undefined;
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const matches = claimed;
    const result = await store.claimWindow(claimOf(window, matches, deps, leaseUntil()), after);
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
      await releaseWindow(store, result.lease, deps, alertIds);
      throw error;
    }
    await deliverAlert(store, result.lease, result.alert, result.takeover, deps, alertIds);
    if (result.rest.length === 0) return;
    claimed = result.rest.map((index) => matches[index] as PendingMatch);
    after = result.sent;
  }
  throw new WindowBusyError(`matches still not accounted for after ${MAX_CLAIM_ROUNDS} claim rounds`);
}
