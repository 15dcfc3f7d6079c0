import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import { maxSeverity, type Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { DEFAULT_SCOPE_POLICY } from './default-scope-policy.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext } from './helpers.ts';
import { API_KEY_CREATED, API_KEY_UPDATED, keyPermissions, type KeyPermissions } from './key-scopes.ts';
import {
  compileScopePolicy,
  elevatedScopes,
  type CompiledScopePolicy,
  type ElevatedScope,
  type ScopePolicy,
} from './scope-policy.ts';

/** Rule id, kept from Panther so existing suppressions and runbooks carry over. */
export const API_KEY_ANOMALOUS_ACTIVITY_RULE_ID = 'OpenAI.API.Key.Anomalous.Activity';

/** Listing more scopes than this in the alert context adds noise, not evidence. */
export const MAX_LISTED_SCOPES = 100;

/** What the rule concluded about one event, computed once and shared by its functions. */
interface Decision {
  readonly permissions: KeyPermissions;
  readonly elevated: readonly ElevatedScope[];
  /** Most severe reason to alert, or `undefined` for no alert. */
  readonly severity: Severity | undefined;
}

function decide(event: AuditEvent, policy: CompiledScopePolicy): Decision {
  const permissions = keyPermissions(event);
  const elevated =
    permissions.kind === 'scoped' || permissions.kind === 'unrestricted'
      ? elevatedScopes(permissions.scopes, policy)
      : [];
  let severity: Severity | undefined;
  const raise = (candidate: Severity | undefined): void => {
    if (candidate !== undefined) severity = severity === undefined ? candidate : maxSeverity(severity, candidate);
  };
  for (const scope of elevated) raise(scope.severity);
  if (permissions.kind === 'unrestricted') raise(policy.unrestrictedSeverity);
  if (permissions.kind === 'unrecorded') raise(policy.unrecordedSeverity);
  return { permissions, elevated, severity };
}

/** `key_permissions` in the alert context. */
function permissionsLabel(permissions: KeyPermissions): string {
  return permissions.kind === 'none' ? 'scoped' : permissions.kind;
}

/**
 * Creates the rule "OpenAI Anomalous API Key Activity": an API key created or updated with
 * elevated scopes, as defined by `policy` (the default policy unless configured otherwise).
 *
 * @example
 * ```ts
 * const rule = createApiKeyAnomalousActivityRule(loadScopePolicy(process.env));
 * ```
 */
export function createApiKeyAnomalousActivityRule(policy: ScopePolicy = DEFAULT_SCOPE_POLICY): Rule<AuditEvent> {
  const compiled = compileScopePolicy(policy);
  // match, title, severity, dedup and alertContext all ask the same question of one event: answer it once.
  const decision = perEvent((event: AuditEvent) => decide(event, compiled));

  return {
    id: API_KEY_ANOMALOUS_ACTIVITY_RULE_ID,
    displayName: 'OpenAI Anomalous API Key Activity',
    description: [
      'Detects anomalous OpenAI API key activity indicative of potential key compromise,',
      'unauthorized access, or preparation for malicious misuse (e.g., C2, phishing, automation).',
      'OpenAI API keys provide programmatic access to powerful LLM capabilities. Abuse or',
      'compromise of these keys enables attackers to blend malicious activity into legitimate',
      'cloud traffic, bypassing traditional network-based detections.',
      'This rule alerts on:',
      '- API keys created or updated with elevated or unrestricted permissions (all, models:write, organization:write, api_keys:write, admin)',
      '',
      'This implementation also fires on the forms OpenAI uses: a key with no scopes at all (an',
      '"All" key, every permission), an admin key with api.management.write, scopes under',
      "changes_requested, and OpenAI's dotted event shape as well as Panther's; the actor is the one",
      'actor.type names, and the list of elevated scopes comes from a configurable policy.',
    ].join('\n'),
    runbook: [
      '1. Validate the identity responsible for the API key activity. Confirm whether the user or service account is authorized to manage API keys and if the action aligns with an approved business process (e.g., onboarding, rotation).',
      "2. Review the key's scopes/permissions for elevated or unrestricted access. Check recent API usage, source IP address, geolocation, and TLS fingerprints for unusual client patterns or concurrent suspicious activities.",
      '3. If suspicious activity is confirmed, immediately revoke or rotate the affected API key. Review all API keys created by the same identity, investigate potential account compromise, and escalate for further investigation.',
    ].join('\n'),
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    defaultSeverity: 'MEDIUM',
    threshold: 1,
    reports: { 'MITRE ATT&CK': ['TA0001:T1078', 'TA0003:T1098', 'TA0005:T1550', 'TA0011:T1071'] },
    tags: ['OpenAI', 'API Keys', 'Privilege Escalation'],
    eventTypes: [API_KEY_CREATED, API_KEY_UPDATED],

    match: (event) => decision(event).severity !== undefined,

    title: (event) =>
      `OpenAI API Key with Elevated Scopes: ${event.type ?? '<UNKNOWN_EVENT_TYPE>'} by [${actorLabel(event)}]`,

    severity: (event) => decision(event).severity ?? 'DEFAULT',

    // Rule + type + stable actor id: two service accounts never share a key, one user does across
    // session and key actions.
    dedup: (event) => `${API_KEY_ANOMALOUS_ACTIVITY_RULE_ID}:${event.type ?? ''}:${event.actor.key}`,

    alertContext: (event) => {
      const { permissions, elevated } = decision(event);
      const scopes = permissions.kind === 'scoped' || permissions.kind === 'unrestricted' ? permissions.scopes : [];
      const context: Record<string, JsonValue> = eventIdentityContext(event);
      context.api_key_id = textMember(event.details, 'id') ?? '<UNKNOWN_API_KEY_ID>';
      context.api_key_scopes = scopes.slice(0, MAX_LISTED_SCOPES);
      Object.assign(context, actorContext(event));
      context.elevated_scopes = elevated.slice(0, MAX_LISTED_SCOPES).map(({ scope }) => scope);
      context.key_permissions = permissionsLabel(permissions);
      if (scopes.length > MAX_LISTED_SCOPES) context.api_key_scopes_omitted = scopes.length - MAX_LISTED_SCOPES;
      Object.assign(context, extraContext(event));
      return context;
    },
  };
}
