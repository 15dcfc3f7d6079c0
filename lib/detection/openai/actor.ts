import { isJsonObject, ownValue, type JsonObject } from '../../shared/json.ts';
import { UNKNOWN_ACTOR_KEY } from './constants.ts';
import type { Actor, ActorIdKind } from './audit-event.ts';
import { textValue } from './text-field.ts';

/** `actor.type` values OpenAI documents (AuditLogActor in OpenAI's OpenAPI description). */
const SESSION = 'session';
const API_KEY = 'api_key';

function child(parent: JsonObject | undefined, key: string): JsonObject | undefined {
  if (parent === undefined) return undefined;
  const value = ownValue(parent, key);
  return isJsonObject(value) ? value : undefined;
}

function text(parent: JsonObject | undefined, key: string): string | undefined {
  return parent === undefined ? undefined : textValue(ownValue(parent, key));
}

interface Identity {
  readonly id: string | undefined;
  readonly idKind: ActorIdKind | undefined;
  readonly email: string | undefined;
  readonly userId: string | undefined;
}

const NOBODY: Identity = { id: undefined, idKind: undefined, email: undefined, userId: undefined };

function sessionIdentity(user: JsonObject | undefined): Identity {
  const userId = text(user, 'id');
  return { id: userId, idKind: userId === undefined ? undefined : 'user', email: text(user, 'email'), userId };
}

function apiKeyIdentity(
  key: JsonObject | undefined,
  serviceAccountId: string | undefined,
  apiKeyId: string | undefined,
): Identity {
  const user = child(key, 'user');
  const userId = text(user, 'id');
  const email = text(user, 'email');
  if (userId !== undefined) return { id: userId, idKind: 'user', email, userId };
  if (serviceAccountId !== undefined) return { id: serviceAccountId, idKind: 'service_account', email, userId };
  if (apiKeyId !== undefined) return { id: apiKeyId, idKind: 'api_key', email, userId };
  return { ...NOBODY, email };
}

/** Today's order, for an actor whose `type` is missing or not one OpenAI documents. */
function anyIdentity(session: Identity, key: Identity): Identity {
  if (session.id !== undefined) return { ...session, email: session.email ?? key.email };
  if (key.id !== undefined) return { ...key, email: session.email ?? key.email, userId: key.userId };
  return { ...NOBODY, email: session.email ?? key.email };
}

/**
 * Resolves the actor of an audit event (`event.actor`, which may be `null` or malformed).
 *
 * `actor.type` decides whose identity it is, because OpenAI's own generated example carries a
 * `session` and an `api_key` object at once: `session` names the session user (and its network
 * details); `api_key` names the acting key's user, else its service account, else the key itself.
 * Only when `type` is missing or unknown are both read, in that order (session user first).
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
  const actor = isJsonObject(raw) ? raw : undefined;
  const type = text(actor, 'type');
  const sessionObject = child(actor, 'session');
  const keyObject = child(actor, 'api_key');
  const serviceAccountId = text(child(keyObject, 'service_account'), 'id');
  const apiKeyId = text(keyObject, 'id');

  const useSession = type !== API_KEY;
  const useKey = type !== SESSION;
  let identity: Identity;
  if (type === SESSION) identity = sessionIdentity(child(sessionObject, 'user'));
  else if (type === API_KEY) identity = apiKeyIdentity(keyObject, serviceAccountId, apiKeyId);
  else
    identity = anyIdentity(
      sessionIdentity(child(sessionObject, 'user')),
      apiKeyIdentity(keyObject, serviceAccountId, apiKeyId),
    );

  const { id, idKind, email } = identity;
  let key = UNKNOWN_ACTOR_KEY;
  if (id !== undefined) key = `${idKind}:${id}`;
  else if (email !== undefined) key = `email:${email.toLowerCase()}`;
  const session = useSession ? sessionObject : undefined;
  const details = child(session, 'ip_address_details');
  return {
    type,
    id,
    idKind,
    email,
    key,
    label: email ?? id,
    userId: identity.userId,
    serviceAccountId: useKey ? serviceAccountId : undefined,
    apiKeyId: useKey ? apiKeyId : undefined,
    apiKeyType: useKey ? text(keyObject, 'type') : undefined,
    ipAddress: text(session, 'ip_address'),
    userAgent: text(session, 'user_agent'),
    ja3: text(session, 'ja3'),
    ja4: text(session, 'ja4'),
    country: text(details, 'country'),
    region: text(details, 'region'),
    city: text(details, 'city'),
    asn: text(details, 'asn'),
  };
}
