import { describe, expect, it } from 'vitest';
import { WEBHOOK_MAX_BODY_BYTES } from '../../../lib/delivery/constants.ts';
import { webhookDelivery } from '../../../lib/delivery/webhook.ts';
import { signWebhook, verifyWebhook, webhookSecretKey } from '../../../lib/delivery/webhook-signature.ts';
import { sampleAlert } from '../../support/alerts.ts';

// The signing example of the Standard Webhooks reference library's tests.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const key = webhookSecretKey(SECRET) as Buffer;

describe('Standard Webhooks signatures', () => {
  it('match the reference library for its example', () => {
    expect(signWebhook(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'starts with "whsec_"'],
    ['not base64', 'whsec_not base64!', 'followed by base64'],
    ['too short', `whsec_${Buffer.alloc(16).toString('base64')}`, 'holds 24 to 64 random bytes, this one 16'],
  ])('refuse a secret with %s', (_name, secret, reason) => {
    expect(webhookSecretKey(secret)).toContain(reason);
  });

  it('verify authentic, fresh deliveries only', () => {
    const body = '{"a":1}';
    const headers = { 'webhook-id': 'id1', 'webhook-timestamp': '1000', 'webhook-signature': signWebhook(key, 'id1', 1000, body) };
    expect(verifyWebhook(key, headers, body, 1100)).toBeUndefined();
    expect(verifyWebhook(key, { ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` }, body, 1100)).toBeUndefined();
    expect(verifyWebhook(key, headers, '{"a":2}', 1100)).toBe('no matching signature');
    expect(verifyWebhook(key, headers, body, 1400)).toBe('webhook-timestamp outside the tolerance');
    expect(verifyWebhook(key, { ...headers, 'webhook-id': 'id2' }, body, 1100)).toBe('no matching signature');
    expect(verifyWebhook(key, { 'webhook-id': 'id1' }, body, 1100)).toBe('missing webhook-id, webhook-timestamp or webhook-signature');
  });
});

describe('webhookDelivery', () => {
  it('sends the alert as Standard Webhooks data, with the alert id as webhook-id, signed', () => {
    const alert = sampleAlert();
    const { body, headers } = webhookDelivery(alert, key, 1_764_064_805);
    expect(JSON.parse(body)).toEqual({ type: 'alert.created', timestamp: alert.createdAt, data: alert });
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': alert.alertId, 'webhook-timestamp': '1764064805' });
    expect(verifyWebhook(key, headers, body, 1_764_064_805)).toBeUndefined();
  });

  it('keeps the same webhook-id on a retry; only timestamp and signature change', () => {
    const first = webhookDelivery(sampleAlert(), key, 1000);
    const retry = webhookDelivery(sampleAlert(), key, 1600);
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['webhook-signature']).not.toBe(first.headers['webhook-signature']);
  });

  it('types an escalation alert.escalated', () => {
    expect(JSON.parse(webhookDelivery(sampleAlert({ escalatesAlertId: 'first1' }), key, 1).body)).toMatchObject({ type: 'alert.escalated', data: { escalatesAlertId: 'first1' } });
  });

  it('escapes and masks strings from the event in the data', () => {
    const { body } = webhookDelivery(sampleAlert({ title: 'by \u202eevil sk-proj-abcdefghijklmnopqrstuvwx1234', eventId: 'id\u0007' }), key, 1);
    const data = (JSON.parse(body) as { data: { title: string; eventId: string } }).data;
    expect(data.title).toBe('by \\u202eevil sk-proj-…1234');
    expect(data.eventId).toBe('id\\u0007');
  });

  it('masks secrets in the context and stays within 256 KB', () => {
    const context = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'x'.repeat(4000)]));
    const { body, headers } = webhookDelivery(sampleAlert({ alertContext: { ...context, key: 'sk-proj-abcdefghijklmnopqrstuvwx1234' } }), key, 1);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(WEBHOOK_MAX_BODY_BYTES);
    const data = (JSON.parse(body) as { data: { alertContext: Record<string, unknown> } }).data;
    expect(data.alertContext.key).toBe('sk-proj-…1234');
    expect((data.alertContext._trimmed as string[]).length).toBeGreaterThan(0);
    expect(verifyWebhook(key, headers, body, 1)).toBeUndefined();
  });
});
