import type { AuditEvent } from '../../openai/audit-event.ts';
import { deepGet } from '../../../shared/deep-get.ts';
import { isJsonObject, type JsonValue } from '../../../shared/json.ts';

/** OpenAI's event types of logins. */
export const LOGIN_FAILED = 'login.failed';
export const LOGIN_SUCCEEDED = 'login.succeeded';

/**
 * The account a login event is about: the email (lower-cased), else the user id, else nothing.
 *
 * @example
 * ```ts
 * loginAccount(event); // 'alice@example.com', or 'user:user-abc' without an email
 * ```
 */
export function loginAccount(event: AuditEvent): string | undefined {
  const email = event.actor.email?.toLowerCase();
  if (email !== undefined) return email;
  return event.actor.userId === undefined ? undefined : `user:${event.actor.userId}`;
}

/**
 * What a title shows for the actor: email, else id, else Panther's `<UNKNOWN_USER>`.
 *
 * @example
 * ```ts
 * `SCIM disabled by [${actorLabel(event)}]`;
 * ```
 */
export function actorLabel(event: AuditEvent): string {
  return event.actor.label ?? '<UNKNOWN_USER>';
}

/**
 * The alert context keys every OpenAI rule of Panther's pack shares, filled from the resolved
 * actor (not only `actor.session`, as Panther does), with Panther's placeholders when missing.
 *
 * @example
 * ```ts
 * const context = Object.assign(eventIdentityContext(event), actorContext(event));
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
  // Straight assignments, in a fixed order (the order of the keys in the alert): this runs for
  // every match and every signal.
  const { actor } = event;
  const context: Record<string, JsonValue> = {};
  if (actor.type !== undefined) context.actor_type = actor.type;
  if (actor.idKind !== undefined) context.actor_id_type = actor.idKind;
  if (actor.apiKeyId !== undefined) context.acting_api_key_id = actor.apiKeyId;
  if (actor.apiKeyType !== undefined) context.acting_api_key_type = actor.apiKeyType;
  if (actor.serviceAccountId !== undefined) context.service_account_id = actor.serviceAccountId;
  if (event.projectId !== undefined) context.project_id = event.projectId;
  if (event.projectName !== undefined) context.project_name = event.projectName;
  if (actor.country !== undefined) context.source_country = actor.country;
  if (actor.region !== undefined) context.source_region = actor.region;
  if (actor.city !== undefined) context.source_city = actor.city;
  if (actor.ja3 !== undefined) context.ja3 = actor.ja3;
  if (actor.ja4 !== undefined) context.ja4 = actor.ja4;
  if (event.effectiveAt !== undefined) context.effective_at = event.effectiveAt;
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
