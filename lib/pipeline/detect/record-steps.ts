import { recordSteps, type StepsRecorded } from '../../detection/engine/correlation.ts';
import { printable } from '../../shared/printable.ts';
import { trustedEventTime } from '../dedup/window.ts';
import { organizationDedupKey, scopeToOrganization } from '../intake/organization-scope.ts';
import type { DetectionDependencies, LeaseClock, PendingStep, PendingSteps, PendingWindow } from './batch-work.ts';
import { claimAndPublish } from './claim-window.ts';
import { reportRuleErrors } from './telemetry.ts';
import { addToWindow } from './plan-batch.ts';

/**
 * The record phase of one correlation rule and key: records a batch's steps with one write, and
 * claims every finding they complete as matches of the correlation rule through the same dedup
 * protocol (a window's findings in one claim) before that write. A state therefore never holds a
 * step whose findings were not claimed and published, so it may drop any record: a redelivered
 * step finds its findings again from the state before it, and the dedup windows alert each once.
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
  // A write that lost its race is replayed on the newer state, which may complete more: each
  // attempt claims the findings the ones before it did not.
  const claimed = new Set<string>();
  await store.update(
    shape,
    pending.storageKey,
    (state) => recordSteps(shape, state, first.step.key, additions),
    async ({ findings }) => {
      const fresh = findings.filter(({ finding }) => !claimed.has(finding.trigger.eventId));
      await claimFindings(fresh, pending, shape.id, deps, leaseUntil, now);
      for (const { finding } of fresh) claimed.add(finding.trigger.eventId);
    },
  );
  deps.telemetry.count('CorrelationStepsRecorded', pending.steps.length);
}

/** Claims and publishes findings of one correlation rule, a window's findings in one claim. */
async function claimFindings(
  findings: StepsRecorded['findings'],
  pending: PendingSteps,
  ruleId: string,
  deps: DetectionDependencies,
  leaseUntil: LeaseClock,
  now: number,
): Promise<void> {
  const windows = new Map<string, PendingWindow>();
  // A finding of a rule that feeds another correlation is a step of it, recorded before this
  // state is written (a failure writes nothing here, and the retry finds the finding again).
  const fed = new Map<string, PendingSteps>();
  for (const { addition, finding } of findings) {
    const by = pending.steps[addition] as PendingStep;
    for (const step of deps.catalog.findingSteps(finding)) {
      const storageKey = organizationDedupKey(step.key, by.organization);
      const id = `${step.correlation.id}\n${storageKey}`;
      const derived = { ...by, step };
      const group = fed.get(id);
      if (group) group.steps.push(derived);
      else fed.set(id, { storageKey, steps: [derived] });
    }
    const ids = { messageId: by.messageId, ruleId, eventId: printable(by.step.eventId ?? '') };
    const { match: found, errors } = deps.catalog.evaluateFinding(finding);
    reportRuleErrors(deps.telemetry, ids, errors);
    deps.telemetry.count('CorrelationsCompleted');
    deps.telemetry.log('INFO', 'correlation completed', { ...ids, triggerEventId: printable(finding.trigger.eventId) });
    const match = scopeToOrganization(found, by.organization);
    const { record, messageId, receiveCount, event } = by;
    addToWindow(windows, { record, messageId, receiveCount, event, match }, now);
  }
  for (const window of windows.values()) await claimAndPublish(window, deps, leaseUntil);
  for (const steps of fed.values()) await recordAndClaim(steps, deps, leaseUntil);
}
