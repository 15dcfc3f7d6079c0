import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { payloadContext } from './bounded-payload.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const AUTHENTICATION_POLICY_TAMPERING_RULE_ID = 'OpenAI.Authentication.Policy.Tampering';

/** What a change does to the way people sign in, as the alert context names it. */
export type AuthenticationChangeKind =
  'control removed' | 'trust added or changed' | 'policy changed' | 'setup started' | 'sessions revoked';

/** One tenant event type of the rule: the words of its title, its severity and its kind. */
export interface AuthenticationPolicyChange {
  readonly action: string;
  readonly severity: Severity;
  readonly kind: AuthenticationChangeKind;
}

/**
 * Every event type of the rule, with its severity (research OAI-DEF-02). All are tenant-scoped and
 * listed in OpenAI's `AuditLogEventType` enum (line numbers of the project's extract of the
 * schema) with no payload schema. `tenant.principal_authentication_policy.resolved` (L998) is left
 * out on purpose: by its name, the evaluation of a policy for a principal (a sign-in), not a change.
 */
export const AUTHENTICATION_POLICY_CHANGES: Readonly<Record<string, AuthenticationPolicyChange>> = {
  // Controls removed: HIGH.
  'tenant.sso_connection.deleted': { action: 'SSO Connection Deleted', severity: 'HIGH', kind: 'control removed' }, // L991
  'tenant.scim.deletion.requested': { action: 'SCIM Deletion Requested', severity: 'HIGH', kind: 'control removed' }, // L1000
  'tenant.session_policy.deleted': { action: 'Session Policy Deleted', severity: 'HIGH', kind: 'control removed' }, // L1040
  'tenant.policy.deleted': { action: 'Policy Deleted', severity: 'HIGH', kind: 'control removed' }, // L995
  'tenant.policy.detached': { action: 'Policy Detached', severity: 'HIGH', kind: 'control removed' }, // L997
  'tenant.microsoft_entra_mapping.deleted': {
    action: 'Microsoft Entra Mapping Deleted',
    severity: 'HIGH',
    kind: 'control removed',
  }, // L971
  // New or changed trust in an identity provider or a domain: HIGH.
  'tenant.sso_connection.created': {
    action: 'SSO Connection Created',
    severity: 'HIGH',
    kind: 'trust added or changed',
  }, // L989
  'tenant.sso_connection.updated': {
    action: 'SSO Connection Updated',
    severity: 'HIGH',
    kind: 'trust added or changed',
  }, // L990
  'tenant.microsoft_entra_mapping.upserted': {
    action: 'Microsoft Entra Mapping Upserted',
    severity: 'HIGH',
    kind: 'trust added or changed',
  }, // L970
  'tenant.domains.migrated': { action: 'Domains Migrated', severity: 'HIGH', kind: 'trust added or changed' }, // L988
  // Not in the research's severity map: rated as the trusts they move or add.
  'tenant.sso.migrated': { action: 'SSO Migrated', severity: 'HIGH', kind: 'trust added or changed' }, // L987
  'tenant.scim.directory.created': {
    action: 'SCIM Directory Created',
    severity: 'HIGH',
    kind: 'trust added or changed',
  }, // L1001
  // Policies changed: MEDIUM.
  'tenant.session_policy.updated': { action: 'Session Policy Updated', severity: 'MEDIUM', kind: 'policy changed' }, // L1039
  'tenant.policy.updated': { action: 'Policy Updated', severity: 'MEDIUM', kind: 'policy changed' }, // L994
  'tenant.policy.attached': { action: 'Policy Attached', severity: 'MEDIUM', kind: 'policy changed' }, // L996
  'tenant.third_party_app_policy.updated': {
    action: 'Third-Party App Policy Updated',
    severity: 'MEDIUM',
    kind: 'policy changed',
  }, // L1042
  // Not in the research's severity map: rated as the other policy changes.
  'tenant.product_access_policy.updated': {
    action: 'Product Access Policy Updated',
    severity: 'MEDIUM',
    kind: 'policy changed',
  }, // L1002
  'tenant.session_policy.created': { action: 'Session Policy Created', severity: 'MEDIUM', kind: 'policy changed' }, // L1038
  'tenant.policy.created': { action: 'Policy Created', severity: 'MEDIUM', kind: 'policy changed' }, // L993
  // Setup begun, and a responder's action: LOW.
  'tenant.sso_connection.setup.started': {
    action: 'SSO Connection Setup Started',
    severity: 'LOW',
    kind: 'setup started',
  }, // L992
  'tenant.scim.setup.started': { action: 'SCIM Setup Started', severity: 'LOW', kind: 'setup started' }, // L999
  'tenant.session_revocation.started': {
    action: 'Session Revocation Started',
    severity: 'LOW',
    kind: 'sessions revoked',
  }, // L1041
};

function changeOf(event: AuditEvent): AuthenticationPolicyChange | undefined {
  return event.type === undefined ? undefined : AUTHENTICATION_POLICY_CHANGES[event.type];
}

/**
 * "OpenAI Authentication Policy Tampering": a tenant's SSO connections, SCIM directory, Microsoft
 * Entra mappings, verified domains, session policies and authentication policies created, changed,
 * migrated or removed (research OAI-DEF-02). HIGH for removals and new trust, MEDIUM for policy
 * changes, LOW for setups begun and session revocations. The types have no payload schema: what
 * payload an event carries goes into the alert context, bounded.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers authenticationPolicyTamperingRule
 * ```
 */
export const authenticationPolicyTamperingRule: Rule<AuditEvent> = {
  id: AUTHENTICATION_POLICY_TAMPERING_RULE_ID,
  displayName: 'OpenAI Authentication Policy Tampering',
  description: [
    'Alerts when the way people sign in to an OpenAI tenant changes: SSO connections, the SCIM directory, Microsoft Entra mappings, verified domains, session policies and authentication, product-access and third-party-app policies created, changed, migrated or removed (tenant.* event types).',
    "Removing one of these controls lets accounts outlive offboarding or sign in without the company's identity provider; a new or changed SSO connection, Entra mapping or domain lets another identity provider vouch for the tenant's users. Both are HIGH. Policy changes are MEDIUM; a setup begun and a session revocation (usually a responder's own action) are LOW.",
  ].join('\n'),
  runbook: [
    '1. Confirm the change with the team that owns the identity provider integration (the event type, the actor and the payload in the alert context say what changed): a planned SSO or SCIM migration or a ticketed policy change explains it, nothing else should.',
    '2. For a new or changed SSO connection, Entra mapping or migrated domain, check in the OpenAI admin console which identity provider and domains the tenant now trusts, and that they are your own. For a removed SSO connection, SCIM directory, policy or session policy, assume accounts can now sign in without your identity provider and that offboarded people keep access: list sign-ins since the event (GET /v1/organization/audit_logs with effective_at[gte]).',
    "3. Review the acting account's other changes around the event (role assignments, admin API keys, invitations, IP allowlists). If the change was not planned, restore the previous configuration, revoke sessions, and treat the account as compromised until shown otherwise.",
    "4. Compare with the identity provider's own logs for the same period: an attacker who adds a federation trust often also creates the accounts it will vouch for.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  reports: { 'MITRE ATT&CK': ['TA0006:T1556', 'TA0005:T1484.002', 'TA0005:T1562.001'] },
  tags: ['OpenAI', 'Identity', 'Defense Evasion', 'Tenant'],
  eventTypes: Object.keys(AUTHENTICATION_POLICY_CHANGES),

  title: (event) => `OpenAI ${changeOf(event)?.action ?? 'Authentication Policy Changed'} by [${actorLabel(event)}]`,

  severity: (event) => changeOf(event)?.severity ?? 'DEFAULT',

  dedup: (event) => `${AUTHENTICATION_POLICY_TAMPERING_RULE_ID}:${event.type ?? ''}:${event.actor.key}`,

  alertContext: (event) => {
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.change_kind = changeOf(event)?.kind ?? '<UNKNOWN_CHANGE_KIND>';
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    // No payload schema: whatever object the event carries, bounded.
    Object.assign(context, payloadContext(event.details));
    return Object.assign(context, extraContext(event));
  },
};
