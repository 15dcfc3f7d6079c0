import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textField, textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const SERVICE_ACCOUNT_OWNER_RULE_ID = 'OpenAI.Service.Account.Owner';

const CREATED = 'service_account.created';
const UPDATED = 'service_account.updated';
const OWNER = 'owner';

/**
 * The role a service account event sets, trimmed and lower-cased: `data.role` of
 * `service_account.created`, `changes_requested.role` of `service_account.updated` (OpenAI's
 * schema: "Is either `owner` or `member`"); `undefined` when the event sets none.
 *
 * @example
 * ```ts
 * serviceAccountRole('service_account.created', { id: 'svc_1', data: { role: ' Owner ' } }); // 'owner'
 * ```
 */
export function serviceAccountRole(type: string | undefined, details: unknown): string | undefined {
  const path = type === CREATED ? ['data', 'role'] : type === UPDATED ? ['changes_requested', 'role'] : undefined;
  return path === undefined ? undefined : textField(details, path)?.toLowerCase();
}

/** The role of an event, read once for all of the rule's functions. */
const roleOf = perEvent((event: AuditEvent) => serviceAccountRole(event.type, event.details));

/**
 * "OpenAI Service Account Owner": a service account created with the owner role, or updated to it.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers serviceAccountOwnerRule
 * ```
 */
export const serviceAccountOwnerRule: Rule<AuditEvent> = {
  id: SERVICE_ACCOUNT_OWNER_RULE_ID,
  displayName: 'OpenAI Service Account Owner',
  description: [
    'Alerts when an OpenAI service account is created with the owner role (service_account.created,',
    'data.role) or updated to it (service_account.updated, changes_requested.role). A service account is',
    'a non-human identity whose API keys survive the people who made them; as owner of its project it',
    'can manage the project, its members, keys and settings, so an owner service account nobody asked',
    'for is durable, privileged access: persistence after an account takeover, or a pipeline given more',
    'than it needs. Service accounts set to member, or created without a role, do not alert.',
  ].join('\n'),
  runbook: [
    '1. Identify who acted (actor_email, actor_id, acting_api_key_id) and which service account became owner (target_service_account_id, project_id). Confirm it with the owner of the project through a channel other than the alert: an infrastructure-as-code pipeline or a documented integration explains it.',
    "2. Check the service account and its keys in the project (GET /v1/organization/projects/{project_id}/service_accounts/{service_account_id}); project_id is the project the log scoped the action to, and for actions taken with an admin API key it may be the default project rather than the service account's own.",
    '3. Pull the audit log around the event for the same actor and for the service account (GET /v1/organization/audit_logs with actor_ids[]): API keys it created, members added, settings changed since.',
    "4. If it is not legitimate: delete the service account (which revokes its key), revoke the acting key or session, reset the acting account's credentials, and treat it as compromised until shown otherwise.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  reports: { 'MITRE ATT&CK': ['TA0003:T1136.003', 'TA0004:T1098.003'] },
  tags: ['OpenAI', 'Service Accounts', 'Persistence', 'Privilege Escalation'],
  eventTypes: [CREATED, UPDATED],

  match: (event) => roleOf(event) === OWNER,

  title: (event) =>
    `OpenAI Service Account ${textMember(event.details, 'id') ?? 'Unknown'} ${
      event.type === CREATED ? 'Created with Owner Role' : 'Given Owner Role'
    } by [${actorLabel(event)}]`,

  // One alert per actor and service account: its creation and an update to owner within the hour are one incident.
  dedup: (event) =>
    `${SERVICE_ACCOUNT_OWNER_RULE_ID}:${event.actor.key}:${textMember(event.details, 'id') ?? 'unknown'}`,

  alertContext: (event) => {
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.target_service_account_id = textMember(event.details, 'id') ?? '<UNKNOWN_SERVICE_ACCOUNT_ID>';
    context.service_account_role = roleOf(event) ?? '<UNKNOWN_ROLE>';
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    return Object.assign(context, extraContext(event));
  },
};
