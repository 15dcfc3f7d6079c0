import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import { ownValue, type JsonValue } from '../../../shared/json.ts';
import { boundedPayload, payloadContext } from './bounded-payload.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const WORKLOAD_IDENTITY_TRUST_RULE_ID = 'OpenAI.Workload.Identity.Trust.Change';

/** What a workload identity event is about. */
export type WorkloadIdentityObject = 'provider' | 'mapping' | 'binding' | 'principal';

/** One event type of the rule: the words of its title, its severity and what it is about. */
export interface WorkloadIdentityChange {
  readonly action: string;
  readonly severity: Severity;
  readonly object: WorkloadIdentityObject;
  /** `organization`: a payload schema exists (L650-721); `tenant`: type only. */
  readonly scope: 'organization' | 'tenant';
}

/**
 * Every event type of the rule, with its severity (research OAI-WID-01), and the line of OpenAI's
 * schema (the project's extract) that lists it. `tenant.workload_identity.access_token.issued`
 * (L980) is left out: a token issued through an existing trust is use, not a change of trust.
 */
export const WORKLOAD_IDENTITY_CHANGES: Readonly<Record<string, WorkloadIdentityChange>> = {
  // Organization-scoped, with payloads.
  'workload_identity_provider.created': {
    action: 'Provider Created',
    severity: 'HIGH',
    object: 'provider',
    scope: 'organization',
  }, // L650-659 {id, data}
  'workload_identity_provider.updated': {
    action: 'Provider Updated',
    severity: 'HIGH',
    object: 'provider',
    scope: 'organization',
  }, // L660-669 {id, changes_requested}
  'workload_identity_provider.deleted': {
    action: 'Provider Deleted',
    severity: 'LOW',
    object: 'provider',
    scope: 'organization',
  }, // L670-679 {id, name}
  'workload_identity_provider_mapping.created': {
    action: 'Mapping Created',
    severity: 'HIGH',
    object: 'mapping',
    scope: 'organization',
  }, // L680-692 {id, identity_provider_id, data}
  'workload_identity_provider_mapping.updated': {
    action: 'Mapping Updated',
    severity: 'HIGH',
    object: 'mapping',
    scope: 'organization',
  }, // L693-705 {id, identity_provider_id, changes_requested}
  'workload_identity_provider_mapping.deleted': {
    action: 'Mapping Deleted',
    severity: 'LOW',
    object: 'mapping',
    scope: 'organization',
  }, // L706-721 {id, identity_provider_id, project_id, service_account_id}
  // Tenant-scoped, type only (enum L972-979).
  'tenant.workload_identity.provider.created': {
    action: 'Provider Created',
    severity: 'HIGH',
    object: 'provider',
    scope: 'tenant',
  }, // L972
  'tenant.workload_identity.provider.updated': {
    action: 'Provider Updated',
    severity: 'HIGH',
    object: 'provider',
    scope: 'tenant',
  }, // L973
  'tenant.workload_identity.provider.archived': {
    action: 'Provider Archived',
    severity: 'LOW',
    object: 'provider',
    scope: 'tenant',
  }, // L974
  'tenant.workload_identity.mapping.created': {
    action: 'Mapping Created',
    severity: 'HIGH',
    object: 'mapping',
    scope: 'tenant',
  }, // L975
  'tenant.workload_identity.mapping.updated': {
    action: 'Mapping Updated',
    severity: 'HIGH',
    object: 'mapping',
    scope: 'tenant',
  }, // L976
  'tenant.workload_identity.mapping.archived': {
    action: 'Mapping Archived',
    severity: 'LOW',
    object: 'mapping',
    scope: 'tenant',
  }, // L977
  'tenant.workload_identity.binding.created': {
    action: 'Binding Created',
    severity: 'HIGH',
    object: 'binding',
    scope: 'tenant',
  }, // L978
  // Not in the research's severity map: a new identity through an existing trust, not a new trust.
  'tenant.workload_identity.principal.provisioned': {
    action: 'Principal Provisioned',
    severity: 'MEDIUM',
    object: 'principal',
    scope: 'tenant',
  }, // L979
};

/** The ids an event names, from the fields its type's payload schema has (none for tenant types). */
interface WorkloadIdentityIds {
  readonly providerId: string | undefined;
  readonly providerName: string | undefined;
  readonly mappingId: string | undefined;
  readonly mappedProjectId: string | undefined;
  readonly mappedServiceAccountId: string | undefined;
  /** `id` of a tenant type's payload, when one is sent (no schema says what it names). */
  readonly objectId: string | undefined;
}

function changeOf(event: AuditEvent): WorkloadIdentityChange | undefined {
  return event.type === undefined ? undefined : WORKLOAD_IDENTITY_CHANGES[event.type];
}

function idsOf(event: AuditEvent): WorkloadIdentityIds {
  const details = event.details;
  const change = changeOf(event);
  const id = textMember(details, 'id');
  if (change?.scope === 'organization' && change.object === 'provider')
    return {
      providerId: id, // L654, L664, L674
      providerName: textMember(details, 'name'), // L677 (deleted only)
      mappingId: undefined,
      mappedProjectId: undefined,
      mappedServiceAccountId: undefined,
      objectId: id,
    };
  if (change?.scope === 'organization' && change.object === 'mapping')
    return {
      providerId: textMember(details, 'identity_provider_id'), // L687, L700, L713
      providerName: undefined,
      mappingId: id, // L684, L697, L710
      mappedProjectId: textMember(details, 'project_id'), // L716 (deleted only)
      mappedServiceAccountId: textMember(details, 'service_account_id'), // L719 (deleted only)
      objectId: id,
    };
  return {
    providerId: undefined,
    providerName: undefined,
    mappingId: undefined,
    mappedProjectId: undefined,
    mappedServiceAccountId: undefined,
    objectId: id,
  };
}

/** The ids of an event, read once for all of the rule's functions. */
const idsOfEvent = perEvent(idsOf);

/** What the dedup key names as the object changed: the mapping, else its provider, else the payload id. */
function dedupTarget(event: AuditEvent): string {
  const ids = idsOfEvent(event);
  const object = changeOf(event)?.object ?? 'object';
  if (object === 'mapping' && ids.mappingId === undefined && ids.providerId !== undefined)
    return `provider:${ids.providerId}`;
  return `${object}:${ids.objectId ?? 'unknown'}`;
}

/**
 * "OpenAI Workload Identity Trust Change": a workload identity federation provider or mapping
 * created, updated, deleted or archived, a binding created or a principal provisioned, in the
 * organization-scoped shape (with ids) or the tenant-scoped one (type only) (research OAI-WID-01).
 * New or changed trust is HIGH, a provisioned principal MEDIUM, a removal LOW.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers workloadIdentityTrustRule
 * ```
 */
export const workloadIdentityTrustRule: Rule<AuditEvent> = {
  id: WORKLOAD_IDENTITY_TRUST_RULE_ID,
  displayName: 'OpenAI Workload Identity Trust Change',
  description: [
    'Alerts when OpenAI workload identity federation changes: an external identity provider (a CI system, a cloud workload identity) registered or updated, a mapping from its tokens to a project service account created or updated, a binding created (HIGH), a workload principal provisioned (MEDIUM), or a provider or mapping deleted or archived (LOW).',
    'A provider and a mapping let workloads outside OpenAI obtain API access without any API key: whoever controls the trusted issuer, or the claims the mapping accepts, holds that access. Tokens issued through an existing trust (tenant.workload_identity.access_token.issued) are not alerted.',
  ].join('\n'),
  runbook: [
    '1. Identify the provider and mapping (ids in the alert context; data or changes_requested show the issuer, audience and claim conditions when OpenAI sends them) and confirm the change with the platform team that owns the CI or cloud workloads it serves.',
    "2. Check that the trusted issuer is one of your own (your CI organization, your cloud tenant) and that the mapping's conditions are narrow (a repository and branch, a workload, not a whole issuer), and which project and service account it maps to.",
    '3. If it was not planned: delete the mapping and the provider, review what the mapped service account did since the event (GET /v1/organization/audit_logs with effective_at[gte]), and treat the acting account as compromised until shown otherwise.',
    '4. A deletion or archive (LOW) can break a pipeline or remove evidence: confirm it was intended.',
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  reports: { 'MITRE ATT&CK': ['TA0005:T1484.002', 'TA0003:T1098.001'] },
  tags: ['OpenAI', 'Identity', 'Persistence', 'Workload Identity'],
  eventTypes: Object.keys(WORKLOAD_IDENTITY_CHANGES),

  title: (event) => `OpenAI Workload Identity ${changeOf(event)?.action ?? 'Trust Changed'} by [${actorLabel(event)}]`,

  severity: (event) => changeOf(event)?.severity ?? 'DEFAULT',

  dedup: (event) => `${WORKLOAD_IDENTITY_TRUST_RULE_ID}:${event.actor.key}:${dedupTarget(event)}:${event.type ?? ''}`,

  alertContext: (event) => {
    const details = event.details;
    const change = changeOf(event);
    const ids = idsOfEvent(event);
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.change_scope = change?.scope ?? '<UNKNOWN_SCOPE>';
    if (change?.scope === 'organization') {
      context.workload_identity_provider_id = ids.providerId ?? '<UNKNOWN_PROVIDER_ID>';
      if (change.object === 'mapping') context.workload_identity_mapping_id = ids.mappingId ?? '<UNKNOWN_MAPPING_ID>';
      if (ids.providerName !== undefined) context.workload_identity_provider_name = ids.providerName;
      if (ids.mappedProjectId !== undefined) context.mapped_project_id = ids.mappedProjectId;
      if (ids.mappedServiceAccountId !== undefined) context.mapped_service_account_id = ids.mappedServiceAccountId;
    }
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    if (change?.scope === 'organization') {
      // Opaque objects (L657, L667, L690, L703): bounded copies.
      let truncated = false;
      for (const key of ['data', 'changes_requested']) {
        const value = details === undefined ? undefined : ownValue(details, key);
        if (value === undefined) continue;
        const bounded = boundedPayload(value);
        context[key] = bounded.value;
        truncated ||= bounded.truncated;
      }
      context.payload_truncated = truncated;
    } else {
      // No payload schema: whatever object the event carries, bounded; null without one.
      if (ids.objectId !== undefined) context.workload_identity_object_id = ids.objectId;
      Object.assign(context, payloadContext(details));
    }
    return Object.assign(context, extraContext(event));
  },
};
