import type { BaselineValue } from '../../engine/baseline.ts';
import type { BaselineRule, BaselineSubject } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textField, textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { payloadContext } from './bounded-payload.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';
import { grantedScopes, keyPermissions } from './key-scopes.ts';
import { ASN, COUNTRY, newValue, SESSION_SOURCE, sessionUser } from './session-source.ts';

/** Rule id. */
export const CREDENTIAL_NEW_SOURCE_RULE_ID = 'OpenAI.Credential.New.Source';

const API_KEY_CREATED = 'api_key.created';
const SERVICE_ACCOUNT_CREATED = 'service_account.created';
const ADMIN_API_KEY_CREATED = 'tenant.admin_api_key.created';
const PROJECT_API_KEY_CREATED = 'tenant.project_api_key.created';

/** Per trigger type, what was created, as a title shows it. */
const CREATED: Readonly<Record<string, string>> = {
  [API_KEY_CREATED]: 'API Key',
  [SERVICE_ACCOUNT_CREATED]: 'Service Account',
  [ADMIN_API_KEY_CREATED]: 'Admin API Key',
  [PROJECT_API_KEY_CREATED]: 'Project API Key',
};

/** An ASN as a person reads it: `AS64500` for a number, else as given. */
function asnLabel(asn: string): string {
  return /^\d+$/.test(asn) ? `AS${asn}` : asn;
}

/** The value the event showed for one dimension, new or known. */
function shownValue(values: readonly BaselineValue[], dimension: string): string | undefined {
  return values.find((value) => value.dimension === dimension)?.value;
}

/** `Country FR and New ASN AS64500`, `Country FR` or `ASN AS64500`: what was new, for the title. */
function newSourceLabel(subject: BaselineSubject<AuditEvent>): string {
  const parts: string[] = [];
  const newCountry = newValue(subject, COUNTRY);
  const newAsn = newValue(subject, ASN);
  if (newCountry !== undefined) parts.push(`Country ${newCountry}`);
  if (newAsn !== undefined) parts.push(`ASN ${asnLabel(newAsn)}`);
  return parts.length === 0 ? 'Source' : parts.join(' and New ');
}

/** What the event created, from its payload: key id, scopes, service account id and role, or the bounded payload. */
function createdContext(event: AuditEvent): Record<string, JsonValue> {
  const context: Record<string, JsonValue> = { created: CREATED[event.type ?? ''] ?? 'Credential' };
  const id = textMember(event.details, 'id');
  if (event.type === SERVICE_ACCOUNT_CREATED) {
    // service_account.created {id, data.role} (schema L615-628).
    context.target_service_account_id = id ?? '<UNKNOWN_SERVICE_ACCOUNT_ID>';
    const role = textField(event.details, ['data', 'role'])?.toLowerCase();
    if (role !== undefined) context.service_account_role = role;
    return context;
  }
  context.api_key_id = id ?? '<UNKNOWN_API_KEY_ID>';
  if (event.type === API_KEY_CREATED) {
    // api_key.created {id, data.scopes} (schema L34-50); an empty list is an unrestricted key.
    context.api_key_permissions = keyPermissions(event).kind;
    context.api_key_scopes = [...grantedScopes(event)];
    return context;
  }
  // The tenant types have no payload schema: whatever the event carries, bounded.
  return Object.assign(context, payloadContext(event.details));
}

/**
 * "OpenAI Credential Created from a New Country or Network": a session user creates an API key, a
 * service account, an admin API key or a project API key from a country or an autonomous system
 * (ASN) it was not seen on in the last 30 days (first-seen baseline per actor, fed by every event of
 * the actor, logins included; 7 days of learning). MEDIUM when one of the two is new, HIGH when both
 * are. `api_key` actors carry no source fields and are skipped, as are events without
 * `ip_address_details`.
 *
 * @example
 * ```ts
 * createRuleCatalog(); // registers credentialNewSourceRule
 * ```
 */
export const credentialNewSourceRule: BaselineRule<AuditEvent> = {
  kind: 'baseline',
  id: CREDENTIAL_NEW_SOURCE_RULE_ID,
  displayName: 'OpenAI Credential Created from a New Country or Network',
  description: [
    'Alerts when a user, signed in to OpenAI, creates a credential (api_key.created, service_account.created,',
    'tenant.admin_api_key.created, tenant.project_api_key.created) from a country or an autonomous system (ASN)',
    'not seen for that user in the last 30 days: MEDIUM when one of the two is new, HIGH when both are.',
    'Every event of the user (logins included) teaches its usual sources; nothing alerts during the first 7 days',
    "after the user is first seen. A stolen session used to mint keys usually comes from the attacker's network,",
    "not the victim's; a new IP inside a known ASN (a DHCP lease, another office address) does not alert.",
    'Actions taken with an API key carry no source fields in the audit log and are not judged.',
  ].join('\n'),
  runbook: [
    '1. Read the alert: who acted (actor_email, actor_id), what was new (new_values) and from where (source_ip, source_country, source_asn, source_city), and what was created (api_key_id, target_service_account_id, api_key_scopes).',
    '2. Ask the user, through a channel other than the alert, whether they created it from there: travel, a new VPN or mobile egress, or a new office explains it; then nothing more is needed.',
    "3. Otherwise pull the user's audit log around the event (GET /v1/organization/audit_logs with actor_ids[] or actor_emails[]): the login from that address, and other keys, service accounts, invitations, role or security setting changes since.",
    "4. If it was not the user: delete the credential (and every other one created from that source), end the user's sessions, reset their password and multi-factor authentication, and check what the new key did since (actor_ids[] = the key's id).",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM',
  reports: { 'MITRE ATT&CK': ['TA0001:T1078.004', 'TA0003:T1098.001'] },
  tags: ['OpenAI', 'API Keys', 'Persistence', 'Baseline'],
  eventTypes: [API_KEY_CREATED, SERVICE_ACCOUNT_CREATED, ADMIN_API_KEY_CREATED, PROJECT_API_KEY_CREATED],
  // A login from the new place teaches it just before the key is made: still new for an hour.
  newForMinutes: 60,

  actor: sessionUser,
  dimensions: SESSION_SOURCE,

  title: (subject) =>
    `OpenAI ${CREATED[subject.event.type ?? ''] ?? 'Credential'} Created from New ${newSourceLabel(subject)} by [${actorLabel(subject.event)}]`,

  severity: (subject) =>
    newValue(subject, COUNTRY) !== undefined && newValue(subject, ASN) !== undefined ? 'HIGH' : 'MEDIUM',

  // One alert per actor and new source per hour, whatever was created.
  dedup: ({ actor, newValues }) =>
    `${CREDENTIAL_NEW_SOURCE_RULE_ID}:${actor}:${newValues.map((value) => `${value.dimension}=${value.value}`).join(',')}`,

  alertContext: (subject) => {
    const { event, values } = subject;
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    Object.assign(context, createdContext(event));
    const newValues: Record<string, JsonValue> = {};
    for (const value of subject.newValues) newValues[value.dimension] = value.value;
    context.new_values = newValues;
    context.baseline_actor = subject.actor;
    Object.assign(context, actorContext(event));
    const shownCountry = shownValue(values, COUNTRY);
    const shownAsn = shownValue(values, ASN);
    if (shownAsn !== undefined) context.source_asn = shownAsn;
    context.ip_details = ipDetails(event);
    Object.assign(context, extraContext(event));
    // extraContext gives the country as the event wrote it; the baseline compares it upper-cased.
    if (shownCountry !== undefined) context.source_country = shownCountry;
    return context;
  },
};
