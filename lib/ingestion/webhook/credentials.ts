import { MIN_BEARER_TOKEN_CHARS, MIN_SECRET_BYTES } from './constants.ts';

/** What a webhook request may authenticate with. */
export interface WebhookCredentials {
  /** Standard Webhooks signing keys (decoded), several at once during a rotation. */
  readonly signingKeys: readonly Buffer[];
  /** Bearer tokens, honoured only when bearer authentication is switched on. */
  readonly bearerTokens: readonly string[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** One entry of the webhook secret parameter. */
export type CredentialEntry =
  { readonly kind: 'signing-key'; readonly key: Buffer } | { readonly kind: 'bearer'; readonly token: string };

/**
 * Reads one entry of the webhook secret parameter: a Standard Webhooks signing secret (`whsec_`
 * and base64 of at least 24 random bytes; the prefix may be left out) or `bearer:<token>` (at
 * least 32 characters). Throws naming the entry's position (from 1), never its value.
 *
 * @example
 * ```ts
 * readCredentialEntry('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 1); // { kind: 'signing-key', key: <Buffer ...> }
 * ```
 */
export function readCredentialEntry(entry: string, position: number): CredentialEntry {
  if (entry.startsWith('bearer:')) {
    const token = entry.slice('bearer:'.length);
    if (token.length < MIN_BEARER_TOKEN_CHARS)
      throw new Error(
        `webhook secret entry ${position}: a bearer token must have at least ${MIN_BEARER_TOKEN_CHARS} characters`,
      );
    return { kind: 'bearer', token };
  }
  const encoded = entry.startsWith('whsec_') ? entry.slice('whsec_'.length) : entry;
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length < MIN_SECRET_BYTES)
    throw new Error(
      `webhook secret entry ${position}: expected whsec_ and base64 of at least ${MIN_SECRET_BYTES} random bytes`,
    );
  return { kind: 'signing-key', key };
}

/**
 * Reads a secret parameter of signing secrets and bearer tokens (see {@link readCredentialEntry}),
 * separated by white space. Several signing secrets are valid at once, for rotation. Throws naming
 * the entry's position, never its value.
 *
 * @example
 * ```ts
 * readCredentials('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw bearer:0123456789abcdef0123456789abcdef');
 * ```
 */
export function readCredentials(value: string): WebhookCredentials {
  const signingKeys: Buffer[] = [];
  const bearerTokens: string[] = [];
  value
    .split(/\s+/)
    .filter((entry) => entry !== '')
    .forEach((text, index) => {
      const entry = readCredentialEntry(text, index + 1);
      if (entry.kind === 'bearer') bearerTokens.push(entry.token);
      else signingKeys.push(entry.key);
    });
  if (signingKeys.length === 0 && bearerTokens.length === 0)
    throw new Error('the webhook secret holds no signing secret');
  return { signingKeys, bearerTokens };
}
