import type { JsonObject } from '../../shared/json.ts';

/** Which principal the resolved actor id belongs to. */
export type ActorIdKind = 'user' | 'service_account' | 'api_key';

/**
 * The actor of an audit event, resolved once for every rule: the session user, else the acting API
 * key's user, else its service account, else the acting key itself.
 */
export interface Actor {
  /** `actor.type` as the event gives it (`session` or `api_key`). */
  readonly type: string | undefined;
  /** Stable id of the resolved principal. */
  readonly id: string | undefined;
  readonly idKind: ActorIdKind | undefined;
  /** Email of the session user or of the acting key's user. */
  readonly email: string | undefined;
  /**
   * Stable grouping key: `<idKind>:<id>` when an id is known (ids are preferred over emails), else
   * `email:<email>`, else `unknown`.
   */
  readonly key: string;
  /** What a person reads: the email, else the id. */
  readonly label: string | undefined;
  readonly userId: string | undefined;
  readonly serviceAccountId: string | undefined;
  /** Tracking id of the API key the action was performed with. */
  readonly apiKeyId: string | undefined;
  /** `user` or `service_account`, for API key actors. */
  readonly apiKeyType: string | undefined;
  readonly ipAddress: string | undefined;
  readonly userAgent: string | undefined;
  readonly ja3: string | undefined;
  readonly ja4: string | undefined;
  readonly country: string | undefined;
  readonly region: string | undefined;
  readonly city: string | undefined;
  /** Autonomous system number of the source address (`ip_address_details.asn`, schema L1261), as text. */
  readonly asn: string | undefined;
}

/**
 * An OpenAI audit event after normalisation. Both shapes are accepted: OpenAI's own (details under
 * the dotted type, `"api_key.created": {...}`) and Panther's (`api_key_created`).
 */
export interface AuditEvent {
  readonly id: string | undefined;
  /** The event type, exactly as given. */
  readonly type: string | undefined;
  /** Unix seconds. */
  readonly effectiveAt: number | undefined;
  readonly actor: Actor;
  readonly projectId: string | undefined;
  readonly projectName: string | undefined;
  /** The type-specific details object, from whichever key shape the event uses. */
  readonly details: JsonObject | undefined;
  /** The event as received (an empty object when it was not an object at all). */
  readonly raw: JsonObject;
}
