import type { BaselineRule, BaselineSubject } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textField, textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const RATE_LIMIT_RAISED_RULE_ID = 'OpenAI.Rate.Limit.Raised';

/** How many times the last value seen a limit must be raised to alert (research OAI-RES-01). */
export const RATE_LIMIT_RAISE_FACTOR = 10;

const RATE_LIMIT_UPDATED = 'rate_limit.updated';

/** The limits a `rate_limit.updated` event can change: `changes_requested`'s integers (schema L392-415). */
export const RATE_LIMIT_FIELDS = [
  'max_requests_per_1_minute',
  'max_tokens_per_1_minute',
  'max_images_per_1_minute',
  'max_audio_megabytes_per_1_minute',
  'max_requests_per_1_day',
  'batch_1_day_max_input_tokens',
] as const;

/** A rate limit's id (L389-391), with its project when the event names one: whose values are remembered. */
function rateLimitOf(event: AuditEvent): string | undefined {
  if (event.type !== RATE_LIMIT_UPDATED) return undefined;
  const id = textMember(event.details, 'id');
  if (id === undefined) return undefined;
  return event.projectId === undefined ? `rate_limit:${id}` : `project:${event.projectId}/rate_limit:${id}`;
}

function raisedLabel(subject: BaselineSubject<AuditEvent>): string {
  return subject.newValues
    .map((raised) => `${raised.dimension} ${raised.previous ?? '?'} to ${raised.value}`)
    .join(', ');
}

/**
 * "OpenAI Rate Limit Raised": a project rate limit raised to ten times or more of the value last
 * seen for that limit (research OAI-RES-01, its baseline part), MEDIUM. `rate_limit.updated`
 * carries only the new values (`changes_requested`, schema L392-415), so the previous one is what
 * this rule saw last: the first change of a limit seen only teaches it.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers rateLimitRaisedRule
 * ```
 */
export const rateLimitRaisedRule: BaselineRule<AuditEvent> = {
  kind: 'baseline',
  id: RATE_LIMIT_RAISED_RULE_ID,
  displayName: 'OpenAI Rate Limit Raised',
  description: [
    `Alerts when a project rate limit is raised to ${RATE_LIMIT_RAISE_FACTOR} times or more of the value this rule last saw for it`,
    '(rate_limit.updated: requests, tokens, images or audio per minute, requests per day, batch input tokens per day). MEDIUM.',
    'Rate limits bound what a stolen key can spend in an hour: raising them by an order of magnitude is how',
    'LLMjacking turns a key into a large bill. The audit log carries only the new value, so the first change of',
    'a limit this deployment sees is learned, not judged; a limit not changed for a year is forgotten.',
  ].join('\n'),
  runbook: [
    '1. Confirm the change with the owner of the project (project_id in the alert): a launch or a load test explains it; compare the new limit with what the project needs.',
    "2. Check the project's usage since the change (the Usage page, or GET /v1/organization/usage/completions with project_ids[]) for a rise in requests or tokens, and the keys that drive it.",
    "3. If it was not planned: restore the limit, revoke the keys behind the rise, reset the acting account's credentials, and review its other guardrail changes (OpenAI.Guardrail.Tampering).",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM',
  reports: { 'MITRE ATT&CK': ['TA0040:T1496.004', 'TA0005:T1562.001'] },
  tags: ['OpenAI', 'Impact', 'Billing', 'Baseline'],
  eventTypes: [RATE_LIMIT_UPDATED],
  raisedBy: RATE_LIMIT_RAISE_FACTOR,
  // Any value seen before counts: no learning period beyond the limit's first change.
  learningDays: 0,
  forgetAfterDays: 365,

  actor: rateLimitOf,
  dimensions: Object.fromEntries(
    RATE_LIMIT_FIELDS.map((field) => [
      field,
      (event: AuditEvent) => textField(event.details, ['changes_requested', field]),
    ]),
  ),

  title: (subject) =>
    `OpenAI Rate Limit Raised ${RATE_LIMIT_RAISE_FACTOR}x or More: ${raisedLabel(subject)} by [${actorLabel(subject.event)}]`,

  dedup: ({ actor, newValues }) =>
    `${RATE_LIMIT_RAISED_RULE_ID}:${actor}:${newValues.map((raised) => `${raised.dimension}=${raised.value}`).join(',')}`,

  alertContext: (subject) => {
    const { event } = subject;
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.rate_limit_id = textMember(event.details, 'id') ?? '<UNKNOWN_RATE_LIMIT_ID>';
    context.raised = subject.newValues.map((raised) => ({
      limit: raised.dimension,
      from: raised.previous ?? null,
      to: raised.value,
    }));
    context.raise_factor = RATE_LIMIT_RAISE_FACTOR;
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    return Object.assign(context, extraContext(event));
  },
};
