import { recordSteps } from '../../detection/engine/correlation.ts';
import { printable } from '../../shared/printable.ts';
import { trustedEventTime } from '../dedup/window.ts';
import { scopeToOrganization } from '../intake/organization-scope.ts';
import type { DetectionDependencies, LeaseClock, PendingStep, PendingSteps, PendingWindow } from './batch-work.ts';
import { claimAndPublish } from './claim-window.ts';
import { reportRuleErrors } from './telemetry.ts';
import { addToWindow } from './plan-batch.ts';

/**
 * The record phase of one correlation rule and key: records a batch's steps with one write, then
 * claims every finding they complete, as matches of the correlation rule through the same dedup
 * protocol (a window's findings in one claim). Findings are recomputed from the state, so a
 * redelivered step finds them again and the dedup windows alert each once.
 *
 * @example
 * ```ts
 * await recordAndClaim(pending, deps, () => deadline);
 * ```
 */
export async function recordAndClaim(
  pending: PendingSteps,
  deps: DetectionDependencies,
  leaseUntil: LeaseClock,
): Promise<void> {
  const first = pending.steps[0] as PendingStep;
  const shape = deps.catalog.correlation(first.step.correlation.id);
  const now = deps.clock();
  const additions = pending.steps.map(({ step }) => ({
    stepIndex: step.stepIndex,
    record: {
      eventId: step.eventId ?? '',
      // As for windows: a time too far ahead is not trusted (it would move the state's horizon past
      // every real step and prune them).
      time: Math.floor(trustedEventTime(step.eventTime, now) ?? now),
      ...(step.detail === undefined ? {} : { detail: step.detail }),
    },
  }));
  const store = await deps.correlationStore();
  const { findings } = await store.update(shape, pending.storageKey, (state) =>
    recordSteps(shape, state, first.step.key, additions),
  );
  deps.telemetry.count('CorrelationStepsRecorded', pending.steps.length);
  const windows = new Map<string, PendingWindow>();
  for (const { addition, finding } of findings) {
    const by = pending.steps[addition] as PendingStep;
    const ids = { messageId: by.messageId, ruleId: shape.id, eventId: printable(by.step.eventId ?? '') };
    const { match: found, errors } = deps.catalog.evaluateFinding(finding);
    reportRuleErrors(deps.telemetry, ids, errors);
    deps.telemetry.count('CorrelationsCompleted');
    deps.telemetry.log('INFO', 'correlation completed', { ...ids, triggerEventId: printable(finding.trigger.eventId) });
    const match = scopeToOrganization(found, by.organization);
    const { record, messageId, receiveCount, event } = by;
    addToWindow(windows, { record, messageId, receiveCount, event, match }, now);
  }
  for (const window of windows.values()) await claimAndPublish(window, deps, leaseUntil);
}
