import type { Organization } from '../packing/organization.ts';
import { readCredentialEntry, type WebhookCredentials } from './credentials.ts';

/** The webhook's credentials, by the organization each authenticates. */
export interface OrganizationCredentials {
  /** What authenticates a request for this organization (empty lists when nothing does). */
  of(organizationId: string): WebhookCredentials;
  /**
   * Every organization's: a request naming an organization the stack does not have is
   * authenticated before it is told so, so that a stranger learns nothing of which ids exist.
   */
  readonly all: WebhookCredentials;
}

/** `<organization id>=` before an entry; base64 ends in `=` only as padding, so an unbound secret never matches. */
const BINDING = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63})=(?!=*$)/;

const NONE: WebhookCredentials = Object.freeze({ signingKeys: [], bearerTokens: [] });

/**
 * Reads the webhook secret parameter: entries separated by white space, each a signing secret or
 * a bearer token (see `readCredentialEntry`), bound to the organization it authenticates as
 * `<organization id>=<entry>`; an entry without one belongs to the first of `organizations` (the
 * default, which the requests naming no organization go to). Standard Webhooks signs the id, the
 * timestamp and the body but not the URL, so binding each secret to one organization is what
 * authenticates `?organization=`: a secret (or token) listed for two organizations, or for one
 * the stack does not have, is refused. Throws naming the entry's position, never its value.
 *
 * @example
 * ```ts
 * const credentials = readOrganizationCredentials('whsec_AAA... org-globex=whsec_BBB...', organizations);
 * credentials.of('org-globex').signingKeys; // [<Buffer BBB...>]
 * ```
 */
export function readOrganizationCredentials(
  value: string,
  organizations: readonly Organization[],
): OrganizationCredentials {
  const fallback = organizations[0]?.id;
  if (fallback === undefined) throw new Error('the webhook has no organization');
  const known = new Set(organizations.map((o) => o.id));
  const byOrganization = new Map<string, { signingKeys: Buffer[]; bearerTokens: string[] }>();
  /** Each secret and token, with the organization and entry that first listed it. */
  const owners = new Map<string, { organization: string; position: number }>();
  const all = { signingKeys: [] as Buffer[], bearerTokens: [] as string[] };
  value
    .split(/\s+/)
    .filter((text) => text !== '')
    .forEach((text, index) => {
      const position = index + 1;
      const bound = BINDING.exec(text);
      const organization = bound?.[1] ?? fallback;
      // Not echoed: a malformed secret could look like a binding.
      if (!known.has(organization))
        throw new Error(
          `webhook secret entry ${position}: binds an organization the stack does not have (it has ${[...known].join(', ')})`,
        );
      const entry = readCredentialEntry(bound === null ? text : text.slice(bound[0].length), position);
      const identity = entry.kind === 'bearer' ? `bearer:${entry.token}` : `key:${entry.key.toString('base64')}`;
      const owner = owners.get(identity);
      if (owner !== undefined && owner.organization !== organization)
        throw new Error(
          `webhook secret entry ${position}: entry ${owner.position} holds the same ${entry.kind === 'bearer' ? 'bearer token' : 'signing secret'} for organization "${owner.organization}"; each organization needs its own`,
        );
      owners.set(identity, owner ?? { organization, position });
      const credentials = byOrganization.get(organization) ?? { signingKeys: [], bearerTokens: [] };
      byOrganization.set(organization, credentials);
      for (const target of [credentials, all]) {
        if (entry.kind === 'bearer') target.bearerTokens.push(entry.token);
        else target.signingKeys.push(entry.key);
      }
    });
  if (all.signingKeys.length === 0 && all.bearerTokens.length === 0)
    throw new Error('the webhook secret holds no signing secret');
  return { of: (id) => byOrganization.get(id) ?? NONE, all };
}
