import type { Rule } from '../engine/rule.ts';
import type { Severity } from '../engine/severity.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import { fieldsContext } from '../panther/alert-context.ts';
import type { DetectionDocument } from './read-document.ts';

/**
 * How a compiled rule takes part in its file: alerting on its own, or a signal read by a
 * correlation (`createAlert: false`), and its static severity.
 *
 * @example
 * ```ts
 * const role: RuleRole = { createAlert: false, severity: 'INFO' };
 * ```
 */
export interface RuleRole {
  readonly createAlert: boolean;
  readonly severity: Severity;
}

/**
 * The engine rule of a Sigma rule document: its metadata, `eventTypes` when the condition fixes
 * the event's type, its detection as `match`, and `fields` as the alert context. Every matching
 * event is its own alert, as a Sigma rule's hit is one event: the dedup string is the rule id and
 * the event id (an event delivered twice is still alerted once; events without an id share one
 * dedup window). The title is the rule's title.
 *
 * @example
 * ```ts
 * const rule = detectionRule(doc, { createAlert: true, severity: doc.header.level ?? 'INFO' });
 * new RuleCatalog().register(openAiAuditLogType, [rule]);
 * ```
 */
export function detectionRule(doc: DetectionDocument, role: RuleRole): Rule<AuditEvent> {
  const { ruleId: id, info } = doc.header;
  const { matcher, eventTypes } = doc.detection;
  const fields = doc.fields;
  return {
    id,
    defaultSeverity: role.severity,
    ...info,
    ...(role.createAlert ? {} : { createAlert: false }),
    ...(eventTypes === undefined ? {} : { eventTypes }),
    match: (event) => matcher(event.raw, event.type),
    dedup: (event) => `${id}:${event.id ?? ''}`,
    ...(fields.length === 0
      ? {}
      : { alertContext: (event: AuditEvent) => fieldsContext(fields, event.raw, event.type) }),
  };
}
