import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { payloadContext } from './bounded-payload.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const GUARDRAIL_TAMPERING_RULE_ID = 'OpenAI.Guardrail.Tampering';

const RATE_LIMIT_DELETED = 'rate_limit.deleted';

/** One event type of the rule: the words of its title, its severity and the guardrail it touches. */
export interface GuardrailChange {
  readonly action: string;
  readonly severity: Severity;
  readonly guardrail: 'rate limit' | 'billing alerts' | 'overage limit';
}

/**
 * Every event type of the rule, with its severity (research OAI-RES-01, its single-event part).
 * Line numbers are those of the project's extract of OpenAI's schema. Only `rate_limit.deleted`
 * has a payload schema (`{id}`, L416-422); the two billing types are listed in the event-type enum
 * and nowhere else, so their payload is passed through, bounded.
 */
export const GUARDRAIL_CHANGES: Readonly<Record<string, GuardrailChange>> = {
  [RATE_LIMIT_DELETED]: { action: 'Rate Limit Deleted', severity: 'MEDIUM', guardrail: 'rate limit' }, // L943, L416-422
  'tenant.billing.alerts.updated': {
    action: 'Billing Alerts Updated',
    severity: 'MEDIUM',
    guardrail: 'billing alerts',
  }, // L1013, type only
  'tenant.billing.overage_limit.updated': {
    action: 'Overage Limit Updated',
    severity: 'MEDIUM',
    guardrail: 'overage limit',
  }, // L1012, type only
};

function changeOf(event: AuditEvent): GuardrailChange | undefined {
  return event.type === undefined ? undefined : GUARDRAIL_CHANGES[event.type];
}

/**
 * "OpenAI Guardrail Tampering": a project rate limit deleted, the billing alerts or the overage
 * limit changed (research OAI-RES-01, single-event part), MEDIUM each. These are the guardrails on
 * spending that stand between a stolen key and a large bill (LLMjacking). A rate limit raised ten
 * times or more (the research's baseline part) is `OpenAI.Rate.Limit.Raised`.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers guardrailTamperingRule
 * ```
 */
export const guardrailTamperingRule: Rule<AuditEvent> = {
  id: GUARDRAIL_TAMPERING_RULE_ID,
  displayName: 'OpenAI Guardrail Tampering',
  description: [
    "Alerts when a guardrail on an OpenAI organization's consumption or spending is removed or changed: a rate limit deleted (rate_limit.deleted), the billing alerts changed (tenant.billing.alerts.updated) or the overage limit changed (tenant.billing.overage_limit.updated). MEDIUM each.",
    'Rate limits cap how fast a project can use a model; billing alerts and the overage limit are how spending beyond plan is noticed and capped. Someone who means to resell or burn stolen API access (LLMjacking) lifts them first, and turning billing alerts off hides the bill until it arrives.',
    'The billing types have no payload schema: the rule cannot tell a tightening from a loosening, so every change alerts. A rate limit raised ten times or more is OpenAI.Rate.Limit.Raised.',
  ].join('\n'),
  runbook: [
    '1. Confirm the change with the owner of the project (rate limit) or of billing (alerts, overage limit): the event type, the actor, the project and the payload in the alert context say what changed. A ticketed capacity or budget change explains it, nothing else should.',
    "2. Check the guardrail as it is now: the project's rate limits (GET /v1/organization/projects/{project_id}/rate_limits, or the project's Limits page), and in the billing settings the alert thresholds and recipients and the overage limit. Restore what was removed or raised without a reason.",
    '3. Look for the abuse the change would serve: usage and costs by project and API key since the event (GET /v1/organization/usage/completions, GET /v1/organization/costs), and API keys, service accounts or admin keys created by the same actor within a day of it (GET /v1/organization/audit_logs with actor_ids[] and effective_at[gte]).',
    "4. If the change was not planned: restore the guardrails, revoke the keys created or used in the abuse, reset the acting account's credentials and sessions, and treat it as compromised until shown otherwise.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM',
  reports: { 'MITRE ATT&CK': ['TA0040:T1496.004', 'TA0005:T1562.001'] },
  tags: ['OpenAI', 'Impact', 'Defense Evasion', 'Billing'],
  eventTypes: Object.keys(GUARDRAIL_CHANGES),

  title: (event) => `OpenAI ${changeOf(event)?.action ?? 'Guardrail Changed'} by [${actorLabel(event)}]`,

  severity: (event) => changeOf(event)?.severity ?? 'DEFAULT',

  dedup: (event) => `${GUARDRAIL_TAMPERING_RULE_ID}:${event.type ?? ''}:${event.actor.key}`,

  alertContext: (event) => {
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.guardrail = changeOf(event)?.guardrail ?? '<UNKNOWN_GUARDRAIL>';
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    if (event.type === RATE_LIMIT_DELETED) {
      context.rate_limit_id = textMember(event.details, 'id') ?? '<UNKNOWN_RATE_LIMIT_ID>';
    } else {
      // No payload schema: whatever object the event carries, bounded.
      Object.assign(context, payloadContext(event.details));
    }
    return Object.assign(context, extraContext(event));
  },
};
