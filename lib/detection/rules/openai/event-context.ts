import type { AuditEvent } from '../../openai/audit-event.ts';
import { deepGet } from '../../../util/deep-get.ts';
import { isJsonObject, type JsonValue } from '../../../util/json.ts';

/** What a title shows for the actor: email, else id, else Panther's `<UNKNOWN_USER>`. */
export function actorLabel(event: AuditEvent): string {
  return event.actor.label ?? '<UNKNOWN_USER>';
}

/**
 * The alert context keys every OpenAI rule of Panther's pack shares, filled from the resolved
 * actor (not only `actor.session`, as Panther does), with Panther's placeholders when missing.
 *
 * @example
 * ```ts
 * const context = { ...eventIdentityContext(event), ...actorContext(event) };
 * ```
 */
export function actorContext(event: AuditEvent): Record<string, JsonValue> {
  const { actor } = event;
  return {
    actor_email: actor.email ?? '<UNKNOWN_ACTOR_EMAIL>',
    actor_id: actor.id ?? '<UNKNOWN_ACTOR_ID>',
    source_ip: actor.ipAddress ?? '<UNKNOWN_SOURCE_IP>',
    user_agent: actor.userAgent ?? '<UNKNOWN_USER_AGENT>',
  };
}

/**
 * `event_type` and `event_id`, with Panther's placeholders.
 *
 * @example
 * ```ts
 * eventIdentityContext(event); // { event_type: 'scim.disabled', event_id: 'audit_log-1' }
 * ```
 */
export function eventIdentityContext(event: AuditEvent): Record<string, JsonValue> {
  return { event_type: event.type ?? '<UNKNOWN_EVENT_TYPE>', event_id: event.id ?? '<UNKNOWN_EVENT_ID>' };
}

/**
 * The evidence beyond Panther's keys, only where the event has it: who acted and how (actor type,
 * acting key, service account), the project, where from (location, TLS fingerprints) and when.
 *
 * @example
 * ```ts
 * Object.assign(context, extraContext(event));
 * ```
 */
export function extraContext(event: AuditEvent): Record<string, JsonValue> {
  const { actor } = event;
  const optional: Array<[string, string | number | undefined]> = [
    ['actor_type', actor.type],
    ['actor_id_type', actor.idKind],
    ['acting_api_key_id', actor.apiKeyId],
    ['acting_api_key_type', actor.apiKeyType],
    ['service_account_id', actor.serviceAccountId],
    ['project_id', event.projectId],
    ['project_name', event.projectName],
    ['source_country', actor.country],
    ['source_region', actor.region],
    ['source_city', actor.city],
    ['ja3', actor.ja3],
    ['ja4', actor.ja4],
    ['effective_at', event.effectiveAt],
  ];
  const context: Record<string, JsonValue> = {};
  for (const [key, value] of optional) if (value !== undefined) context[key] = value;
  return context;
}

/**
 * `actor.session.ip_address_details` as the event gives it (Panther's `ip_details`), or `{}`; never
 * when `actor.type` says a key acted, whose session object (if any) is not the actor's.
 *
 * @example
 * ```ts
 * ipDetails(event); // { country: 'US', city: 'San Francisco' }
 * ```
 */
export function ipDetails(event: AuditEvent): JsonValue {
  if (event.actor.type === 'api_key') return {};
  const value = deepGet(event.raw, ['actor', 'session', 'ip_address_details']);
  return isJsonObject(value) ? value : {};
}
