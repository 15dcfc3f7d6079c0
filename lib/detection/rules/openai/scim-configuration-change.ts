import type { Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

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
    'Alerts when SCIM provisioning is switched on or off for an OpenAI organization (scim.enabled,',
    'scim.disabled). With SCIM, the identity provider adds and removes members; switched off, people',
    'who leave the company keep their OpenAI accounts until someone removes them by hand, which is why',
    'disabling it is rated higher than enabling it.',
  ].join('\n'),
  runbook: [
    '1. Confirm the change with the team that owns the identity provider integration: a planned migration or a reconfiguration explains it, nothing else should.',
    "2. If SCIM was disabled, compare the organization's members with the identity provider's assignments now, and again until it is back on: anyone deprovisioned upstream keeps access here meanwhile.",
    "3. Review the acting account's other changes around the event (role assignments, invitations, API keys, IP allowlists). If the change was not planned, switch SCIM back on and handle the account as compromised until shown otherwise.",
    "4. Check the identity provider's own logs for the same period: an attacker who disables SCIM often wants a member to survive offboarding.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM',
  reports: { 'MITRE ATT&CK': ['TA0003:T1098', 'TA0005:T1562.001'] },
  tags: ['OpenAI', 'Identity'],
  eventTypes: [ENABLED, DISABLED],

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
