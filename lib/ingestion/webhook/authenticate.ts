import type { Organization } from '../packing/organization.ts';
import type { SecretSource } from '../parameters/secure-parameter.ts';
import type { WebhookCredentials } from './credentials.ts';
import { readOrganizationCredentials, type OrganizationCredentials } from './organization-credentials.ts';
import type { WebhookRequest } from './request.ts';
import { bearerMatches, NO_MATCH, verifySignature } from './signature.ts';

/** What authenticating a request needs. */
export interface AuthenticationContext {
  /** The secret parameter's text, read again when nothing matches (it may have just been rotated). */
  readonly secrets: SecretSource;
  /** Accept `Authorization: Bearer` for forwarders that cannot sign. */
  readonly bearerEnabled: boolean;
  readonly organizations: readonly Organization[];
  /** Unix seconds. */
  readonly clock: () => number;
}

/** How a request authenticated. */
export type Authentication =
  | { readonly ok: true; readonly webhookId: string | undefined }
  /** `keyMismatch`: well-formed, but no key or token matched (the secret may have been rotated). */
  | { readonly ok: false; readonly reason: string; readonly keyMismatch: boolean };

/**
 * Authenticates a request for the organization it names: a Standard Webhooks signature made with
 * one of that organization's signing secrets, or (when switched on) one of its bearer tokens, so
 * that a request signed for one organization cannot be sent into another. For an organization
 * the stack does not have (`undefined`), any organization's will do: the caller refuses it after.
 * When nothing matches, the secret is read again (at most every few seconds) and checked once more.
 *
 * @example
 * ```ts
 * const auth = await authenticate(request, organization, readOrganizationCredentials(secret, organizations), context);
 * if (!auth.ok) return errorResponse(401, 'unauthorized', auth.reason);
 * ```
 */
export async function authenticate(
  request: WebhookRequest,
  organization: Organization | undefined,
  credentials: OrganizationCredentials,
  context: AuthenticationContext,
): Promise<Authentication> {
  const { headers } = request;
  const signed = headers['webhook-signature'] !== undefined || headers['webhook-id'] !== undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  // Naming the organization tells the sender which secret to sign with (ids are configuration, not secrets).
  const forOrganization = organization === undefined ? '' : ` for organization "${organization.id}"`;
  const check = (secret: OrganizationCredentials): Authentication => {
    const creds: WebhookCredentials = organization === undefined ? secret.all : secret.of(organization.id);
    if (signed) {
      const result = verifySignature(
        { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
        request.body,
        creds.signingKeys,
        context.clock(),
      );
      if (result.ok) return { ok: true, webhookId: result.id };
      return result.reason === NO_MATCH
        ? { ok: false, reason: `${NO_MATCH}${forOrganization}`, keyMismatch: true }
        : { ok: false, reason: result.reason, keyMismatch: false };
    }
    if (bearer !== undefined && context.bearerEnabled) {
      return bearerMatches(bearer, creds.bearerTokens)
        ? { ok: true, webhookId: undefined }
        : { ok: false, reason: `the bearer token is not valid${forOrganization}`, keyMismatch: true };
    }
    const reason = context.bearerEnabled
      ? 'sign the request (webhook-id, webhook-timestamp, webhook-signature) or send a bearer token'
      : 'sign the request: webhook-id, webhook-timestamp, webhook-signature';
    return { ok: false, reason, keyMismatch: false };
  };
  const first = check(credentials);
  if (first.ok || !first.keyMismatch) return first;
  // The secret may have just been rotated: read it again (at most every few seconds) and retry.
  try {
    return check(readOrganizationCredentials(await context.secrets.get({ refresh: true }), context.organizations));
  } catch {
    return first;
  }
}
