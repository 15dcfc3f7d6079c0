import type { AlertDocument } from '../pipeline/alerts/alert-document.ts';
import { escalatedFrom } from './alert-message.ts';
import { CLIENT_NAME, DETAIL_VALUE_MAX_CHARS, WEBHOOK_MAX_BODY_BYTES } from './constants.ts';
import { fitAlert } from './fit.ts';
import { sanitizeValue } from './text.ts';
import { printable } from '../shared/printable.ts';
// One Standard Webhooks implementation serves both directions: the ingestion webhook verifies with it.
import { signWebhook } from '../ingestion/webhook/signature.ts';

/** The Standard Webhooks event types we send. */
export const WEBHOOK_EVENT_TYPES = { created: 'alert.created', escalated: 'alert.escalated' } as const;

/**
 * The generic webhook delivery of an alert, signed with Standard Webhooks: the body is
 * `{"type", "timestamp", "data"}` with the alert document as `data` (strings from the event: title,
 * dedup key, event id and type, context; masked and escaped, within 256 KB), `webhook-id` is the alert id (the same on every retry and every
 * redelivery, so receivers deduplicate on it), `webhook-timestamp` is the time of this attempt and
 * `webhook-signature` its `v1` HMAC-SHA256 signatures, one per key (several during a rotation, as
 * the specification allows: the receiver accepts any one).
 *
 * @example
 * ```ts
 * const { body, headers } = webhookDelivery(alert, [key], Math.floor(Date.now() / 1000));
 * ```
 */
export function webhookDelivery(
  alert: AlertDocument,
  keys: readonly Buffer[],
  nowSeconds: number,
): { body: string; headers: Record<string, string> } {
  const type = escalatedFrom(alert) === undefined ? WEBHOOK_EVENT_TYPES.created : WEBHOOK_EVENT_TYPES.escalated;
  const render = (a: AlertDocument) => {
    // Strings that come from the event: masked and escaped like everywhere else they are shown.
    const text = (value: string | null) => (value === null ? null : printable(value, DETAIL_VALUE_MAX_CHARS));
    const data = {
      ...a,
      title: printable(a.title, DETAIL_VALUE_MAX_CHARS),
      dedupKey: printable(a.dedupKey, DETAIL_VALUE_MAX_CHARS),
      eventId: text(a.eventId),
      eventType: text(a.eventType),
      alertContext: sanitizeValue(a.alertContext, DETAIL_VALUE_MAX_CHARS),
    };
    return JSON.stringify({ type, timestamp: a.createdAt, data });
  };
  const body = fitAlert(alert, render, WEBHOOK_MAX_BODY_BYTES);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': CLIENT_NAME,
      'webhook-id': alert.alertId,
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': keys
        .map((key) => signWebhook(key, alert.alertId, String(nowSeconds), Buffer.from(body)))
        .join(' '),
    },
  };
}
