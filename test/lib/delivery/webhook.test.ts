import { describe, expect, it } from 'vitest';
import { WEBHOOK_MAX_BODY_BYTES } from '../../../lib/delivery/constants.ts';
import { webhookDelivery } from '../../../lib/delivery/webhook.ts';
import { readCredentials } from '../../../lib/ingestion/webhook/credentials.ts';
import { verifySignature } from '../../../lib/ingestion/webhook/signature.ts';
import { sampleAlert } from '../../support/alerts.ts';

const [key, nextKey] = readCredentials('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX')
  .signingKeys as [Buffer, Buffer];

/** Verifies a delivery as the ingestion webhook (and any Standard Webhooks receiver) does. */
function verify(headers: Record<string, string>, body: string, keys: readonly Buffer[], nowSeconds: number) {
  return verifySignature(
    { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
    Buffer.from(body),
    keys,
    nowSeconds,
  );
}

describe('webhookDelivery', () => {
  it('sends the alert as Standard Webhooks data, with the alert id as webhook-id, signed', () => {
    const alert = sampleAlert();
    const { body, headers } = webhookDelivery(alert, [key], 1_764_064_805);
    expect(JSON.parse(body)).toEqual({ type: 'alert.created', timestamp: alert.createdAt, data: alert });
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': alert.alertId,
      'webhook-timestamp': '1764064805',
    });
    expect(verify(headers, body, [key], 1_764_064_805)).toEqual({ ok: true, id: alert.alertId });
    expect(verify(headers, body.replace('HIGH', 'LOW'), [key], 1_764_064_805)).toMatchObject({ ok: false });
  });

  it('signs with every secret during a rotation, so a receiver holding either accepts it', () => {
    const { body, headers } = webhookDelivery(sampleAlert(), [key, nextKey], 1000);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verify(headers, body, [nextKey], 1000)).toMatchObject({ ok: true });
    expect(verify(headers, body, [key], 1000)).toMatchObject({ ok: true });
  });

  it('keeps the same webhook-id on a retry; only timestamp and signature change', () => {
    const first = webhookDelivery(sampleAlert(), [key], 1000);
    const retry = webhookDelivery(sampleAlert(), [key], 1600);
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['webhook-signature']).not.toBe(first.headers['webhook-signature']);
  });

  it('types an escalation alert.escalated', () => {
    expect(JSON.parse(webhookDelivery(sampleAlert({ escalatesAlertId: 'first1' }), [key], 1).body)).toMatchObject({
      type: 'alert.escalated',
      data: { escalatesAlertId: 'first1' },
    });
  });

  it('escapes and masks strings from the event in the data', () => {
    const { body } = webhookDelivery(
      sampleAlert({ title: 'by \u202eevil sk-proj-abcdefghijklmnopqrstuvwx1234', eventId: 'id\u0007' }),
      [key],
      1,
    );
    const data = (JSON.parse(body) as { data: { title: string; eventId: string } }).data;
    expect(data.title).toBe('by \\u202eevil sk-proj-…1234');
    expect(data.eventId).toBe('id\\u0007');
  });

  it('masks secrets in the context and stays within 256 KB', () => {
    const context = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'x'.repeat(4000)]));
    const { body, headers } = webhookDelivery(
      sampleAlert({ alertContext: { ...context, key: 'sk-proj-abcdefghijklmnopqrstuvwx1234' } }),
      [key],
      1,
    );
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(WEBHOOK_MAX_BODY_BYTES);
    const data = (JSON.parse(body) as { data: { alertContext: Record<string, unknown> } }).data;
    expect(data.alertContext.key).toBe('sk-proj-…1234');
    expect((data.alertContext._trimmed as string[]).length).toBeGreaterThan(0);
    expect(verify(headers, body, [key], 1)).toMatchObject({ ok: true });
  });
});
