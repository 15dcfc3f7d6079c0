import type { Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../openai/constants.ts';
import { textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../util/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './event-context.ts';

/** Rule id, kept from Panther. */
export const SCIM_CONFIGURATION_CHANGE_RULE_ID = 'OpenAI.SCIM.Configuration.Change';

const ENABLED = 'scim.enabled';
const DISABLED = 'scim.disabled';

/**
 * "OpenAI SCIM Configuration Change": SCIM provisioning enabled (LOW) or disabled (HIGH), Panther's
 * severities, on both event shapes and with the resolved actor.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers scimConfigurationChangeRule
 * ```
 */
export const scimConfigurationChangeRule: Rule<AuditEvent> = {
  id: SCIM_CONFIGURATION_CHANGE_RULE_ID,
  displayName: 'OpenAI SCIM Configuration Change',
  description: [
    'Detects when SCIM (System for Cross-domain Identity Management) is enabled or disabled in an',
    'OpenAI organization. SCIM provides automated user provisioning and deprovisioning from identity',
    'providers to OpenAI. Disabling SCIM can bypass identity governance, let orphaned accounts persist',
    'after offboarding, indicate an attempt to keep unauthorized access, or break compliance',
    'requirements. Enabling SCIM is recorded for visibility.',
  ].join('\n'),
  runbook: [
    '1. Verify the SCIM configuration change was authorized. Confirm whether the change aligns with approved identity management policies or integration updates.',
    '2. If SCIM was disabled, immediately verify that user provisioning and deprovisioning workflows are not disrupted. Check if there are alternative mechanisms in place for user lifecycle management.',
    '3. Review the actor who made the change, including source IP, geolocation, and timing. Investigate if the change was made from an unusual location or during off-hours.',
    '4. If the change is unauthorized or suspicious, immediately re-enable SCIM (if disabled), review all user accounts for unauthorized access, audit recent role assignments, and escalate for security review.',
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM',
  dedupPeriodMinutes: 60,
  threshold: 1,
  logTypes: [OPENAI_AUDIT_LOG_TYPE],
  reports: { 'MITRE ATT&CK': ['TA0003:T1098', 'TA0005:T1562.001'] },
  tags: ['OpenAI', 'Identity'],
  eventTypes: [ENABLED, DISABLED],

  match: (event) => event.type === ENABLED || event.type === DISABLED,

  title: (event) => `OpenAI SCIM ${event.type === ENABLED ? 'Enabled' : 'Disabled'} by [${actorLabel(event)}]`,

  severity: (event) => (event.type === DISABLED ? 'HIGH' : event.type === ENABLED ? 'LOW' : 'DEFAULT'),

  dedup: (event) => `${SCIM_CONFIGURATION_CHANGE_RULE_ID}:${event.type ?? ''}:${event.actor.key}`,

  alertContext: (event) => {
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.scim_resource_id = textMember(event.details, 'id') ?? '<UNKNOWN_SCIM_RESOURCE_ID>';
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    return Object.assign(context, extraContext(event));
  },
};
