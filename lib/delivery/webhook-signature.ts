import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SECRET_MAX_BYTES, WEBHOOK_SECRET_MIN_BYTES, WEBHOOK_SECRET_PREFIX } from './constants.ts';

/**
 * The HMAC key of a Standard Webhooks symmetric secret (`whsec_` + base64 of 24 to 64 bytes), or a
 * reason it is not one. The reason never quotes the secret.
 *
 * @example
 * ```ts
 * const key = webhookSecretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'); // Buffer of 24 bytes
 * ```
 */
export function webhookSecretKey(secret: string): Buffer | string {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return `a Standard Webhooks secret starts with "${WEBHOOK_SECRET_PREFIX}"`;
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return `a Standard Webhooks secret is "${WEBHOOK_SECRET_PREFIX}" followed by base64`;
  const key = Buffer.from(encoded, 'base64');
  if (key.length < WEBHOOK_SECRET_MIN_BYTES || key.length > WEBHOOK_SECRET_MAX_BYTES) {
    return `a Standard Webhooks secret holds ${WEBHOOK_SECRET_MIN_BYTES} to ${WEBHOOK_SECRET_MAX_BYTES} random bytes, this one ${key.length}`;
  }
  return key;
}

/**
 * The Standard Webhooks signature of one delivery: `v1,` + base64 HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}` under the secret's key.
 *
 * @example
 * ```ts
 * headers['webhook-signature'] = signWebhook(key, alertId, nowSeconds, body);
 * ```
 */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** Why a delivery failed verification, or `undefined` when it is authentic and fresh. */
export type WebhookVerification = string | undefined;

/**
 * Verifies a delivery as a Standard Webhooks receiver must: the three headers present, the
 * timestamp within `toleranceSeconds` of `nowSeconds` (replays are refused), and one of the
 * space-separated `v1` signatures equal to the expected one, compared in constant time.
 *
 * @example
 * ```ts
 * const problem = verifyWebhook(key, headers, rawBody, Math.floor(Date.now() / 1000));
 * if (problem) return respond(401, problem);
 * ```
 */
export function verifyWebhook(
  key: Buffer,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): WebhookVerification {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature';
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - seconds) > toleranceSeconds) return 'webhook-timestamp outside the tolerance';
  const expected = Buffer.from(signWebhook(key, id, seconds, body).slice(3));
  for (const candidate of signatures.split(' ')) {
    const [version, signature] = candidate.split(',');
    if (version !== 'v1' || signature === undefined) continue;
    const given = Buffer.from(signature);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
  }
  return 'no matching signature';
}
