import { UNKNOWN_ACTOR_KEY } from './constants.ts';
import type { Actor, ActorIdKind } from './audit-event.ts';
import { textField } from './text-field.ts';

function firstId(candidates: ReadonlyArray<readonly [ActorIdKind, string | undefined]>): {
  id: string | undefined;
  idKind: ActorIdKind | undefined;
} {
  for (const [idKind, id] of candidates) if (id !== undefined) return { id, idKind };
  return { id: undefined, idKind: undefined };
}

/**
 * Resolves the actor of an audit event (`event.actor`, which may be `null` or malformed).
 *
 * @example
 * ```ts
 * const actor = resolveActor({ type: 'api_key', api_key: { id: 'key_1', type: 'service_account',
 *   service_account: { id: 'svc_1' } } });
 * actor.key;   // 'service_account:svc_1'
 * actor.label; // 'svc_1'
 * ```
 */
export function resolveActor(raw: unknown): Actor {
  const sessionUserId = textField(raw, ['session', 'user', 'id']);
  const keyUserId = textField(raw, ['api_key', 'user', 'id']);
  const serviceAccountId = textField(raw, ['api_key', 'service_account', 'id']);
  const apiKeyId = textField(raw, ['api_key', 'id']);
  const { id, idKind } = firstId([
    ['user', sessionUserId],
    ['user', keyUserId],
    ['service_account', serviceAccountId],
    ['api_key', apiKeyId],
  ]);
  const email = textField(raw, ['session', 'user', 'email']) ?? textField(raw, ['api_key', 'user', 'email']);
  let key = UNKNOWN_ACTOR_KEY;
  if (id !== undefined) key = `${idKind}:${id}`;
  else if (email !== undefined) key = `email:${email.toLowerCase()}`;
  const details = ['session', 'ip_address_details'];
  return {
    type: textField(raw, ['type']),
    id,
    idKind,
    email,
    key,
    label: email ?? id,
    userId: sessionUserId ?? keyUserId,
    serviceAccountId,
    apiKeyId,
    apiKeyType: textField(raw, ['api_key', 'type']),
    ipAddress: textField(raw, ['session', 'ip_address']),
    userAgent: textField(raw, ['session', 'user_agent']),
    ja3: textField(raw, ['session', 'ja3']),
    ja4: textField(raw, ['session', 'ja4']),
    country: textField(raw, [...details, 'country']),
    region: textField(raw, [...details, 'region']),
    city: textField(raw, [...details, 'city']),
  };
}
