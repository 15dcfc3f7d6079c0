import { perEvent } from '../../engine/per-event.ts';
import type { Rule } from '../../engine/rule.ts';
import type { AuditEvent } from '../../openai/audit-event.ts';
import { textMember } from '../../openai/text-field.ts';
import type { JsonValue } from '../../../shared/json.ts';
import { payloadContext } from './bounded-payload.ts';
import { actorContext, actorLabel, eventIdentityContext, extraContext, ipDetails } from './helpers.ts';

/** Rule id. */
export const MASS_CREDENTIAL_DELETION_RULE_ID = 'OpenAI.Mass.Credential.Deletion';

const API_KEY_DELETED = 'api_key.deleted';
const SERVICE_ACCOUNT_DELETED = 'service_account.deleted';
const ADMIN_API_KEY_DELETED = 'tenant.admin_api_key.deleted';

/** Distinct credentials one actor must delete within one window before an alert. */
export const MASS_CREDENTIAL_DELETION_THRESHOLD = 5;
/** The window, in minutes. */
export const MASS_CREDENTIAL_DELETION_WINDOW_MINUTES = 10;

/** What kind of credential each watched type deletes (the alert context's `deleted_credential_type`). */
const CREDENTIAL_KINDS: Readonly<Record<string, string>> = {
  [API_KEY_DELETED]: 'api_key',
  [SERVICE_ACCOUNT_DELETED]: 'service_account',
  [ADMIN_API_KEY_DELETED]: 'admin_api_key',
};

/** The credential a deletion event removed, and the value counted for it. */
export interface DeletedCredential {
  /** `api_key`, `service_account` or `admin_api_key`; the event type for any other. */
  readonly kind: string;
  /** The payload's `id`, trimmed, when it has one. */
  readonly id: string | undefined;
  /**
   * The distinct value counted: `<event type>:<payload id>`; without a payload id,
   * `<event type>:event:<event id>` (each such deletion counts as distinct); with neither,
   * `<event type>:unknown`.
   */
  readonly counted: string;
}

/**
 * The credential a deletion event removed: its kind, the payload `id` (schema: the API key's
 * tracking id, the service account id; `tenant.admin_api_key.deleted` has no payload schema, so its
 * `id` is read when the event carries one), and the distinct value the threshold counts.
 *
 * @example
 * ```ts
 * deletedCredential(event); // { kind: 'api_key', id: 'key_abc', counted: 'api_key.deleted:key_abc' }
 * ```
 */
export function deletedCredential(event: AuditEvent): DeletedCredential {
  const type = event.type ?? '<UNKNOWN_EVENT_TYPE>';
  const kind = CREDENTIAL_KINDS[type] ?? type;
  const id = textMember(event.details, 'id');
  if (id !== undefined) return { kind, id, counted: `${type}:${id}` };
  // No id: count the deletion by its event id, so that deletions whose payload lacks an id are
  // never pooled into one value (a redelivered event is still counted once, by its event id).
  const counted = event.id === undefined ? `${type}:unknown` : `${type}:event:${event.id}`;
  return { kind, id: undefined, counted };
}

/** The deleted credential of an event, read once for all of the rule's functions. */
const credentialOf = perEvent(deletedCredential);

/**
 * "OpenAI Mass Credential Deletion": one actor deleting at least five distinct credentials (API
 * keys, service accounts, admin API keys) within one 10-minute window: `threshold` 5 over
 * `unique()` = the deleted object's type and id, deduplicated per actor. Mass revocation cuts
 * applications off from the organization (impact), or wipes keys an attacker does not control.
 *
 * @example
 * ```ts
 * createRuleCatalog() // registers massCredentialDeletionRule
 * ```
 */
export const massCredentialDeletionRule: Rule<AuditEvent> = {
  id: MASS_CREDENTIAL_DELETION_RULE_ID,
  displayName: 'OpenAI Mass Credential Deletion',
  description: [
    'Alerts when one actor deletes at least five distinct OpenAI credentials (API keys: api_key.deleted;',
    'service accounts: service_account.deleted; admin API keys: tenant.admin_api_key.deleted) within a',
    '10-minute window. Deleting keys and service accounts in bulk takes every application that uses them',
    'offline at once, and an intruder who has taken over an admin account can use it to lock the',
    'organization out of its own integrations or to clear away keys before creating their own.',
    'Distinct credentials are counted, not events: the same key reported twice counts once.',
  ].join('\n'),
  runbook: [
    '1. List every api_key.deleted, service_account.deleted and tenant.admin_api_key.deleted event of the actor around the alert (GET /v1/organization/audit_logs with event_types[] and actor_ids[] or actor_emails[]): the alert names only the deletion that reached the threshold.',
    '2. Ask the actor, or the team that owns the acting service account or admin key, through a channel other than the alert whether a planned key rotation, a cleanup script or the offboarding of a project explains it.',
    '3. Check what stopped working: applications and pipelines that used the deleted keys and service accounts, and whether replacement keys were created, by whom and with which scopes (api_key.created, tenant.admin_api_key.created).',
    "4. If it is not legitimate: revoke the acting session or key, reset the acting account's credentials, review its other changes (role and owner grants, invitations, IP allowlists, SSO and SCIM settings), and reissue the deleted credentials to their owners.",
  ].join('\n'),
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'HIGH',
  threshold: MASS_CREDENTIAL_DELETION_THRESHOLD,
  dedupPeriodMinutes: MASS_CREDENTIAL_DELETION_WINDOW_MINUTES,
  reports: { 'MITRE ATT&CK': ['TA0040:T1531'] },
  tags: ['OpenAI', 'API Keys', 'Impact'],
  eventTypes: [API_KEY_DELETED, SERVICE_ACCOUNT_DELETED, ADMIN_API_KEY_DELETED],

  // Distinct deleted credentials, the type keeping an API key and a service account apart.
  unique: (event) => credentialOf(event).counted,

  // Per actor: deletions by one person through the console and through their admin key count together.
  dedup: (event) => `${MASS_CREDENTIAL_DELETION_RULE_ID}:${event.actor.key}`,

  title: (event) => `OpenAI Mass Credential Deletion by [${actorLabel(event)}]`,

  alertContext: (event) => {
    const credential = credentialOf(event);
    const context: Record<string, JsonValue> = eventIdentityContext(event);
    context.deleted_credential_type = credential.kind;
    context.deleted_credential_id = credential.id ?? '<UNKNOWN_CREDENTIAL_ID>';
    context.counted_as = credential.counted;
    context.actor_key = event.actor.key;
    Object.assign(context, actorContext(event));
    context.ip_details = ipDetails(event);
    // tenant.admin_api_key.deleted has no payload schema: whatever it carries, bounded.
    if (event.type === ADMIN_API_KEY_DELETED) Object.assign(context, payloadContext(event.details));
    return Object.assign(context, extraContext(event));
  },
};
