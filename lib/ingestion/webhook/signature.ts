import { createHmac, timingSafeEqual } from 'node:crypto';
import { TIMESTAMP_TOLERANCE_SECONDS } from './constants.ts';

/** The three Standard Webhooks headers of a request (absent ones undefined). */
export interface SignatureHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/** A verified request, or why not. */
export type SignatureCheck =
  { readonly ok: true; readonly id: string } | { readonly ok: false; readonly reason: string };

/** The reason given when the request is well-formed but signed with no key we hold. */
export const NO_MATCH = 'no signature matches';

/** webhook-id: printable ASCII without spaces or dots (the signed content is `id.timestamp.body`). */
const WEBHOOK_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

function mac(key: Buffer, id: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/**
 * Signs a request the Standard Webhooks way: `v1,` and base64 of HMAC-SHA256 over
 * `webhook-id.webhook-timestamp.body` with the decoded secret.
 *
 * @example
 * ```ts
 * signWebhook(key, 'msg_1', '1700000000', Buffer.from(body)); // 'v1,K5oZ...='
 * ```
 */
export function signWebhook(key: Buffer, id: string, timestamp: string, body: Buffer): string {
  return `v1,${mac(key, id, timestamp, body).toString('base64')}`;
}

/**
 * Verifies Standard Webhooks headers: all three present, an id without dots or spaces, an integer
 * timestamp within 5 minutes of `nowSeconds` either way, and at least one `v1,` signature in the
 * space-separated list matching one of the keys (compared in constant time). Other versions
 * (e.g. `v1a`, asymmetric) are skipped.
 *
 * @example
 * ```ts
 * const check = verifySignature(headers, rawBody, credentials.signingKeys, Math.floor(Date.now() / 1000));
 * if (!check.ok) return unauthorized(check.reason);
 * ```
 */
export function verifySignature(
  headers: SignatureHeaders,
  body: Buffer,
  keys: readonly Buffer[],
  nowSeconds: number,
): SignatureCheck {
  const { id, timestamp, signature } = headers;
  if (id === undefined || timestamp === undefined || signature === undefined) {
    return { ok: false, reason: 'webhook-id, webhook-timestamp and webhook-signature are all required' };
  }
  if (!WEBHOOK_ID.test(id))
    return { ok: false, reason: 'webhook-id must be 1-256 printable characters without spaces or dots' };
  if (!/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'webhook-timestamp must be an integer number of seconds' };
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: `webhook-timestamp is more than ${TIMESTAMP_TOLERANCE_SECONDS / 60} minutes from the receiver's clock`,
    };
  }
  const offered = signature
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'));
  if (offered.length === 0) return { ok: false, reason: 'webhook-signature has no v1 signature' };
  for (const key of keys) {
    const expected = mac(key, id, timestamp, body);
    if (offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected)))
      return { ok: true, id };
  }
  return { ok: false, reason: NO_MATCH };
}

/**
 * Compares a bearer token with the configured ones in constant time (per candidate length).
 *
 * @example
 * ```ts
 * bearerMatches(token, credentials.bearerTokens);
 * ```
 */
export function bearerMatches(token: string, tokens: readonly string[]): boolean {
  const given = Buffer.from(token);
  return tokens.some((candidate) => {
    const expected = Buffer.from(candidate);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
