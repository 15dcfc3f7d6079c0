import { observeSightings, type BaselineValue } from '../../detection/engine/baseline.ts';
import type { RuleMatch } from '../../detection/engine/result.ts';
import { printable } from '../../shared/printable.ts';
import { trustedEventTime } from '../dedup/window.ts';
import { scopeToOrganization } from '../intake/organization-scope.ts';
import type {
  DetectionDependencies,
  LeaseClock,
  PendingSighting,
  PendingSightings,
  PendingWindow,
} from './batch-work.ts';
import { claimAndPublish } from './claim-window.ts';
import { reportRuleErrors } from './telemetry.ts';
import { MATCH_OUTCOME_MESSAGES } from './log-messages.ts';
import { addToWindow } from './plan-batch.ts';

/**
 * Observes one baseline rule's actor's sightings of a batch in its stored baseline (one
 * conditional write, none when nothing changed), and before that write claims and publishes an
 * alert for each sighting that may alert and showed a value new for the actor past its learning
 * period, grouped by dedup window. A suppressed one is counted and logged. Throws when the store
 * or a publish fails: nothing is written, the sightings' records are retried, and a redelivered
 * sighting finds what it found before.
 *
 * @example
 * ```ts
 * await recordSightingsAndClaim(work.pending, deps, leaseUntil);
 * ```
 */
export async function recordSightingsAndClaim(
  pending: PendingSightings,
  deps: DetectionDependencies,
  leaseUntil: LeaseClock,
): Promise<void> {
  const first = pending.sightings[0] as PendingSighting;
  const shape = deps.catalog.baseline(first.observation.baseline.id);
  const now = deps.clock();
  const sightings = pending.sightings.map(({ observation }) => ({
    eventId: observation.eventId ?? '',
    // As for windows: a time too far ahead is not trusted (it would end the learning period early).
    time: Math.floor(trustedEventTime(observation.eventTime, now) ?? now),
    values: observation.values,
  }));
  const store = await deps.baselineStore();
  // A sighting's alert is claimed and published before the state that records it is written: a
  // failed publish writes nothing, and the retry judges the sighting against the same state (a
  // raised value is compared with the value before it again). A write that lost its race is
  // replayed on the newer state: each attempt handles the sightings the ones before it did not.
  const handled = new Set<number>();
  await store.update(
    shape,
    pending.storageKey,
    (state) => observeSightings(shape, state, sightings),
    async ({ observed }) => {
      const windows = new Map<string, PendingWindow>();
      observed.forEach(({ newValues, learning }, index) => {
        if (handled.has(index)) return;
        const by = pending.sightings[index] as PendingSighting;
        const match = noveltyMatch(by, shape.id, newValues, learning, deps);
        if (match !== 'none') handled.add(index);
        if (match === 'none' || match === 'suppressed') return;
        const { record, messageId, receiveCount, event } = by;
        addToWindow(windows, { record, messageId, receiveCount, event, match }, now);
      });
      for (const window of windows.values()) await claimAndPublish(window, deps, leaseUntil);
    },
  );
  deps.telemetry.count('BaselineSightings', pending.sightings.length);
}

/**
 * The match a sighting makes, when it may alert and showed a value new (or raised) for its actor
 * past its learning period; `suppressed` when the rules configuration suppresses it (counted and
 * logged); `none` otherwise.
 */
function noveltyMatch(
  by: PendingSighting,
  ruleId: string,
  newValues: readonly BaselineValue[],
  learning: boolean,
  deps: DetectionDependencies,
): RuleMatch | 'suppressed' | 'none' {
  const { observation } = by;
  const mayAlert = observation.candidate || observation.suppressedBy !== undefined;
  if (!mayAlert || learning || newValues.length === 0) return 'none';
  const ids = { messageId: by.messageId, ruleId, eventId: printable(observation.eventId ?? '') };
  const { match: found, errors } = deps.catalog.evaluateNovelty(by.event, {
    ruleId,
    actor: observation.actor,
    newValues,
    values: observation.values,
  });
  reportRuleErrors(deps.telemetry, ids, errors);
  if (observation.suppressedBy !== undefined) {
    deps.telemetry.count('MatchesSuppressed');
    deps.telemetry.log('INFO', MATCH_OUTCOME_MESSAGES.suppressedByRules, {
      ...ids,
      reason: printable(observation.suppressedBy, 300),
    });
    return 'suppressed';
  }
  deps.telemetry.count('BaselineNewValues');
  deps.telemetry.log('INFO', 'new value for an actor', {
    ...ids,
    newValues: printable(newValues.map((v) => `${v.dimension}=${v.value}`).join(', '), 300),
  });
  return scopeToOrganization(found, by.organization);
}
