import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { payloadContext } from './bounded-payload.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const ADMIN_API_KEY_CHANGE_RULE_ID = 'OpenAI.Admin.API.Key.Change';

const ADMIN_KEY_CREATED = 'tenant.admin_api_key.created';
const ADMIN_KEY_UPDATED = 'tenant.admin_api_key.updated';
const PROJECT_KEY_CREATED = 'tenant.project_api_key.created';
const API_KEY_CREATED = 'api_key.created';

/** Per event type: the words in the title and the severity. */
const ACTIONS: Readonly<Record<string, { readonly what: string; readonly severity: Severity }>> = {
  [ADMIN_KEY_CREATED]: { what: 'Admin API Key Created', severity: 'HIGH' },
  [ADMIN_KEY_UPDATED]: { what: 'Admin API Key Updated', severity: 'HIGH' },
  [PROJECT_KEY_CREATED]: { what: 'Project API Key Created', severity: 'MEDIUM' },
  [API_KEY_CREATED]: { what: 'API Key Created with a Service Account Key', severity: 'MEDIUM' },
};

/**
 * Whether the acting API key belongs to a service account: `actor.api_key.type` is
 * `service_account` (case-insensitive), or, without a key type, the resolved actor is the key's
 * service account. Never for a `session` actor.
 */
function actingServiceAccountKey(event: AuditEvent): boolean {
  const { actor } = event;
  const keyType = actor.apiKeyType?.toLowerCase();
  if (keyType !== undefined) return keyType === 'service_account';
  return actor.idKind === 'service_account';
}

/**
 * "OpenAI Admin API Key Change": an organization admin API key created or updated (HIGH), a
 * project API key created through the tenant (MEDIUM), or an API key created by a service
 * account's key (MEDIUM): credentials that outlive the session that made them.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers adminApiKeyChangeRule
 * ```
 */
export const adminApiKeyChangeRule: Rule<AuditEvent> = {
  id: ADMIN_API_KEY_CHANGE_RULE_ID,
  displayName: 'OpenAI Admin API Key Change',
  description: [
    'Alerts when an OpenAI organization admin API key is created or updated (tenant.admin_api_key.created,',
    'tenant.admin_api_key.updated: HIGH), when a project API key is created at the tenant level',
    "(tenant.project_api_key.created: MEDIUM), and when a service account's API key creates another API key",
    '(api_key.created by an actor whose api_key.type is service_account: MEDIUM).',
    'An admin key manages the whole organization (members, projects, keys, settings) and keeps working',
    'after the password of the person who made it is reset, which makes it the persistence of choice',
    'after an account takeover; a machine identity minting keys is rarely part of a deployment.',
    'These tenant types have no documented payload: whatever the event carries is passed on, bounded.',
  ].join('\n'),
  runbook: [
    '1. Identify who acted (actor_email, actor_id, acting_api_key_id) and which key was made or changed (api_key_id, payload). Confirm it with the owner of the OpenAI organization through a channel other than the alert: a planned rotation or a new SIEM or automation integration explains it.',
    '2. List the admin keys (GET /v1/organization/admin_api_keys) and the project keys and service accounts of the project named in the alert: a key nobody claims is the finding.',
    "3. Pull the audit log around the event for the same actor (GET /v1/organization/audit_logs with actor_ids[] or actor_emails[]): logins from new places, role or owner grants, invitations, security settings changed, and what the new key did since (actor_ids[] = the new key's id).",
    "4. If it is not legitimate: delete the key, revoke the acting key or session, reset the acting account's credentials, and treat every key it made as compromised until shown otherwise.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  reports: { 'MITRE ATT&CK': ['TA0003:T1098.001', 'TA0003:T1078.004'] },
  tags: ['OpenAI', 'API Keys', 'Persistence'],
  eventTypes: [ADMIN_KEY_CREATED, ADMIN_KEY_UPDATED, PROJECT_KEY_CREATED, API_KEY_CREATED],

  // Tenant key events always; api_key.created only when a service account's key acted (keys made by
  // users or sessions are judged by their scopes in OpenAI.API.Key.Anomalous.Activity).
  match: (event) => event.type !== API_KEY_CREATED || actingServiceAccountKey(event),

  title: (event) =>
    `OpenAI ${(event.type !== undefined && ACTIONS[event.type]?.what) || 'API Key Change'} by [${actorLabel(event)}]`,

  severity: (event) => (event.type !== undefined && ACTIONS[event.type]?.severity) || 'DEFAULT',

  dedup: (event) => `${ADMIN_API_KEY_CHANGE_RULE_ID}:${event.type ?? ''}:${event.actor.key}`,

  alertContext: (event) => {
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    const keyId = textMember(event.details, 'id');
    if (keyId !== undefined) context.api_key_id = keyId;
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    // No payload schema: whatever object the event carries, bounded.
    Object.assign(context, payloadContext(event.details));
    return Object.assign(context, extraContext(event));
  },
};
