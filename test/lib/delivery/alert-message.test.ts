import { describe, expect, it } from 'vitest';
import { alertFromDeliveryMessage, escalatedFrom } from '../../../lib/delivery/alert-message.ts';
import { sampleAlert } from '../../support/alerts.ts';

const alert = sampleAlert();

describe('alertFromDeliveryMessage', () => {
  it.each([
    ['the alert document (SNS raw delivery)', JSON.stringify(alert)],
    ['an SNS notification envelope', JSON.stringify({ Type: 'Notification', Message: JSON.stringify(alert) })],
    ['the whole MessageStructure', JSON.stringify({ default: JSON.stringify(alert), email: 'text' })],
    [
      'an envelope around the MessageStructure',
      JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ default: JSON.stringify(alert), email: 'x' }) }),
    ],
  ])('reads %s', (_name, body) => {
    expect(alertFromDeliveryMessage(body)).toEqual({ ok: true, alert });
  });

  it.each([
    ['{broken', 'the message body is not JSON'],
    ['[1]', 'the message body is not an alert document (not a JSON object)'],
    [
      JSON.stringify({ ...alert, alertId: undefined }),
      'the message body is not an alert document: alertId: missing or not a string',
    ],
    [JSON.stringify({ ...alert, alertId: 'a.b' }), 'alertId: expected 1-200 letters, digits, "_", "-" or ":"'],
    [JSON.stringify({ ...alert, severity: 'high' }), 'severity: expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL'],
    [JSON.stringify({ ...alert, title: 5 }), 'title: missing or not a string'],
    [JSON.stringify({ ...alert, eventId: 5 }), 'eventId: expected a string or null'],
    [JSON.stringify({ ...alert, mitre: [1] }), 'mitre: expected a list of strings'],
    [JSON.stringify({ ...alert, alertContext: [] }), 'alertContext: missing or not an object'],
    [JSON.stringify({ ...alert, escalatesAlertId: 'x y' }), 'escalatesAlertId: expected an alert id or null'],
    [JSON.stringify({ Type: 'Notification', Message: 'not json' }), 'the message body is not JSON'],
  ])('refuses %s with a reason naming the field', (body, reason) => {
    const parsed = alertFromDeliveryMessage(body);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });

  it('accepts a null event id and time (threshold alerts)', () => {
    expect(alertFromDeliveryMessage(JSON.stringify({ ...alert, eventId: null, eventTime: null })).ok).toBe(true);
  });
});

describe('escalatedFrom', () => {
  it('is the earlier alert id on an escalation, undefined otherwise', () => {
    expect(escalatedFrom(sampleAlert({ escalatesAlertId: 'earlier1' }))).toBe('earlier1');
    expect(escalatedFrom(alert)).toBeUndefined();
  });
});
