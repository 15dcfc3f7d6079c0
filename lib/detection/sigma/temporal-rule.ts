import type { CorrelationStep } from '../engine/correlation.ts';
import type { CorrelationRule, Rule } from '../engine/rule.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import type { Matcher } from '../panther/matcher.ts';
import type { JsonValue } from '../../shared/json.ts';
import { MAX_WINDOW_MINUTES } from './correlation-section.ts';
import { anyOfEventTypes } from './detection.ts';
import { fieldValues, groupKey } from './group-key.ts';
import type { CorrelationDocument } from './read-document.ts';

/**
 * One referenced rule of a temporal correlation, as a step: the engine rule whose matches make it,
 * how many it needs (1 for a rule; a chained `event_count`'s "N or more"), and its test of an event
 * (for the "any of them" step of an unordered correlation).
 *
 * @example
 * ```ts
 * const step: TemporalStep = { name: 'failed_login', ruleId: 'failed_login', minMatchCount: 1, matcher, eventTypes: ['login.failed'] };
 * ```
 */
export interface TemporalStep {
  /** The reference as the correlation writes it: the step's name in findings and alerts. */
  readonly name: string;
  readonly ruleId: string;
  readonly minMatchCount: number;
  readonly matcher: Matcher;
  /** The event types the step's rule can match (`undefined`: every type). */
  readonly eventTypes: readonly string[] | undefined;
}

/**
 * The id of the signal that matches the events of every rule of an unordered `temporal`
 * correlation: its last step (see {@link temporalRules}).
 *
 * @example
 * ```ts
 * anyStepRuleId('Custom.Recon'); // 'Custom.Recon.any'
 * ```
 */
export function anyStepRuleId(correlationId: string): string {
  return `${correlationId}.any`;
}

/**
 * The engine rules of a `temporal` or `temporal_ordered` correlation: a `CorrelationRule` over the
 * referenced rules (registered beside it as signals, or as alerting rules with `generate: true`),
 * keyed by the `group-by` values, with the `timespan` as its lookback and as its dedup period
 * (one alert per group and window, at most a day).
 *
 * The engine completes a correlation when its **last** step matches after every earlier step
 * matched, within the lookback. So:
 * - `temporal_ordered`: the steps are the referenced rules in order. With two rules the order is
 *   exact; with more, the last one must come after all the others, but the order among the others
 *   is not enforced (the specification's "should" case: order not recognised, so a warning).
 * - `temporal` (any order): the steps are the referenced rules, then one more, `<id>.any`, a signal
 *   matching the events of every referenced rule. Whichever rule matches last in time matches it
 *   too, and completes the correlation (a step's own match counts from its own second on), so any
 *   order is found, and only when every rule matched within the timespan.
 *
 * @example
 * ```ts
 * const [any, correlation] = temporalRules(doc, steps, 'HIGH');
 * ```
 */
export function temporalRules(
  doc: CorrelationDocument,
  steps: readonly TemporalStep[],
  severity: CorrelationRule<AuditEvent>['defaultSeverity'],
): Array<Rule<AuditEvent> | CorrelationRule<AuditEvent>> {
  const { ruleId: id, info } = doc.header;
  const { section } = doc;
  const engineSteps: CorrelationStep[] = steps.map((step) => ({
    id: step.name,
    ruleId: step.ruleId,
    minMatchCount: step.minMatchCount,
  }));
  const rules: Array<Rule<AuditEvent> | CorrelationRule<AuditEvent>> = [];
  if (section.type === 'temporal') {
    const matchers = steps.map((step) => step.matcher);
    const anyId = anyStepRuleId(id);
    const eventTypes = anyOfEventTypes(steps.map((step) => step.eventTypes));
    rules.push({
      id: anyId,
      displayName: `${info.displayName ?? id}: any of its rules`,
      description: `The last step of ${id}: matches the events of any of its rules, so that they correlate in any order.`,
      defaultSeverity: 'INFO',
      createAlert: false,
      ...(eventTypes === undefined ? {} : { eventTypes }),
      match: (event) => matchers.some((m) => m(event.raw, event.type)),
    });
    engineSteps.push({ id: 'any of them', ruleId: anyId, minMatchCount: 1 });
  }
  const displayName = info.displayName ?? id;
  const dedupMinutes = Math.min(section.minutes, MAX_WINDOW_MINUTES);
  rules.push({
    kind: 'correlation',
    id,
    defaultSeverity: severity,
    ...info,
    ...(dedupMinutes === 60 ? {} : { dedupPeriodMinutes: dedupMinutes }),
    steps: engineSteps,
    lookbackMinutes: section.minutes,
    correlationKey: (event) => {
      const values = fieldValues(section.groupBy, event.raw, event.type);
      return values === undefined ? undefined : groupKey(values);
    },
    title: (finding) => `${displayName}: ${finding.key}`,
    alertContext: (finding) => {
      const matches: Record<string, JsonValue> = {};
      // Step ids are rule ids or names (letters, digits, _ . : -, never `__proto__`) or 'any of them'.
      for (const step of finding.steps) matches[step.id] = step.records.map((record) => record.eventId);
      return {
        group: finding.key,
        group_by: section.groupBy.map((field) => field.name),
        step_event_ids: matches,
        trigger_event_id: finding.trigger.eventId,
        timespan_minutes: finding.lookbackMinutes,
      };
    },
  });
  return rules;
}
