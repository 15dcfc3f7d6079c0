import { perEvent } from '../engine/per-event.ts';
import type { Rule } from '../engine/rule.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import type { Matcher } from '../panther/matcher.ts';
import type { JsonValue } from '../../shared/json.ts';
import { anyOfEventTypes } from './detection.ts';
import type { RuleRole } from './detection-rule.ts';
import { fieldValues, groupKey } from './group-key.ts';
import type { CorrelationDocument, DetectionDocument } from './read-document.ts';

/** What an event is to a count: its group, and for `value_count` the value it counts; `undefined` when it is left out. */
interface Counted {
  readonly group: Readonly<Record<string, JsonValue>>;
  readonly key: string;
  readonly value: string | undefined;
}

/**
 * The engine rule of an `event_count` or `value_count` correlation: a threshold rule over the
 * events any of the referenced rules matches (their detections are compiled into it: the
 * referenced rules need not be registered), counted per `group-by` group (the dedup string) within
 * a window of the `timespan` (`dedupPeriodMinutes`), alerting at the condition's "N or more"
 * (`threshold`); for `value_count`, distinct values of the condition's `field` are counted
 * (`unique()`). Events without a group-by field (or the counted field) are left out.
 *
 * The engine's windows are tumbling, aligned to the period in event time (a 10-minute window is
 * 00:00-00:10, 00:10-00:20...), where Sigma's timespan reads as a sliding window: a burst that
 * straddles a boundary is counted in two windows and may not alert. Once a group's window has
 * alerted, later matches in it are counted, not alerted again.
 *
 * @example
 * ```ts
 * const rule = countRule(doc, [failedLogin], { createAlert: true, severity: 'HIGH' });
 * rule.threshold; // 10 for `condition: { gte: 10 }`
 * ```
 */
export function countRule(
  doc: CorrelationDocument,
  members: readonly DetectionDocument[],
  role: RuleRole,
): Rule<AuditEvent> {
  const { ruleId: id, info } = doc.header;
  const { section } = doc;
  const matchers: readonly Matcher[] = members.map((member) => member.detection.matcher);
  const counted = perEvent((event: AuditEvent): Counted | undefined => {
    const group = fieldValues(section.groupBy, event.raw, event.type);
    if (group === undefined) return undefined;
    if (section.type !== 'value_count') return { group, key: groupKey(group), value: undefined };
    const values = fieldValues(section.valueFields, event.raw, event.type);
    return values === undefined ? undefined : { group, key: groupKey(group), value: groupKey(values) };
  });
  const eventTypes = anyOfEventTypes(members.map((member) => member.detection.eventTypes));
  const displayName = info.displayName ?? id;
  const rule: Rule<AuditEvent> = {
    id,
    defaultSeverity: role.severity,
    ...info,
    ...(role.createAlert ? {} : { createAlert: false }),
    ...(eventTypes === undefined ? {} : { eventTypes }),
    threshold: section.threshold,
    ...(section.minutes === 60 ? {} : { dedupPeriodMinutes: section.minutes }),
    match: (event) => matchers.some((m) => m(event.raw, event.type)) && counted(event) !== undefined,
    dedup: (event) => `${id}:${counted(event)?.key ?? ''}`,
    title: (event) => `${displayName}: ${counted(event)?.key ?? ''}`,
    alertContext: (event) => {
      const context: Record<string, JsonValue> = {
        group_by: { ...counted(event)?.group },
        threshold: section.threshold,
        window_minutes: section.minutes,
      };
      if (section.type === 'value_count') context.counted_fields = section.valueFields.map((field) => field.name);
      return context;
    },
  };
  if (section.type !== 'value_count') return rule;
  return { ...rule, unique: (event) => counted(event)?.value ?? '' };
}
