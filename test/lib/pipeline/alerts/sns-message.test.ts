import { describe, expect, it } from 'vitest';
import type { AlertDocument } from '../../../../lib/pipeline/alerts/alert-document.ts';
import { renderEmailText } from '../../../../lib/pipeline/alerts/email-text.ts';
import {
  buildSnsAlertMessage,
  fitAlert,
  snsMessageBytes,
  type SnsAlertMessage,
} from '../../../../lib/pipeline/alerts/sns-message.ts';

const published = (message: SnsAlertMessage) =>
  JSON.parse((JSON.parse(message.Message) as { default: string }).default) as AlertDocument;

const alert: AlertDocument = {
  version: 1,
  alertId: 'a'.repeat(32),
  ruleId: 'R.Id',
  ruleName: 'Rule',
  severity: 'HIGH',
  title: 'Title',
  dedupKey: 'R.Id:t:user:u',
  createdAt: '2026-01-01T00:00:00.000Z',
  windowStart: '2026-01-01T00:00:00.000Z',
  windowEndsAt: '2026-01-01T01:00:00.000Z',
  escalatesAlertId: null,
  escalatedFromSeverity: null,
  description: 'd',
  runbook: '1. step\n2. step',
  reference: 'https://example.com',
  mitre: ['TA0001:T1078'],
  logType: 'OpenAI.Audit',
  eventCount: 1,
  eventId: 'e1',
  eventType: 'api_key.created',
  eventTime: '2025-01-01T00:00:00.000Z',
  alertContext: { actor_email: 'a@b.c', api_key_scopes: ['all', 'admin'], user_agent: 'curl\r\n\u001b[31mred' },
};

describe('SNS alert message', () => {
  it('carries default JSON, email text, subject and filterable attributes', () => {
    const message = buildSnsAlertMessage(alert);
    expect(message.MessageStructure).toBe('json');
    expect(message.Subject).toBe('HIGH: Title');
    const parsed = JSON.parse(message.Message) as { default: string; email: string };
    expect(JSON.parse(parsed.default)).toEqual(alert);
    expect(parsed.email).toBe(renderEmailText(alert));
    expect(message.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'HIGH' },
      rule_id: { DataType: 'String', StringValue: 'R.Id' },
      log_type: { DataType: 'String', StringValue: 'OpenAI.Audit' },
      alert_id: { DataType: 'String', StringValue: 'a'.repeat(32) },
    });
  });

  it('escapes hostile values in the email text and keeps the runbook lines', () => {
    const email = renderEmailText(alert);
    expect(email).toContain('User agent:      curl\\r\\n\\u001b[31mred');
    expect(email).not.toMatch(/\u001b/);
    expect(email).toContain('Scopes:          all, admin');
    expect(email).toContain('Runbook:\n1. step\n2. step\n');
  });

  it('trims the largest context values first to fit, never the identifying fields', () => {
    const big = { ...alert, alertContext: { small: 'keep me', huge: 'x'.repeat(200_000), large: 'y'.repeat(100_000) } };
    const message = buildSnsAlertMessage(big);
    expect(snsMessageBytes(message)).toBeLessThanOrEqual(262_144);
    const parsed = published(message);
    expect(parsed.alertContext).toEqual({
      small: 'keep me',
      huge: '[trimmed: 200002 bytes]',
      large: 'y'.repeat(100_000),
      _trimmed: ['huge'],
    });
    expect({ ...parsed, alertContext: undefined }).toEqual({ ...alert, alertContext: undefined });
  });

  it('counts bytes, not characters', () => {
    const wide = { ...alert, alertContext: { v: '€'.repeat(60_000) } }; // 180 KB of UTF-8, 60k characters
    const message = buildSnsAlertMessage(wide, 100_000);
    expect(snsMessageBytes(message)).toBeLessThanOrEqual(100_000);
    expect(published(message).alertContext._trimmed).toEqual(['v']);
  });

  it('publishes exactly the fitted document, so a stored alert is published unchanged', () => {
    const big = { ...alert, alertContext: { huge: 'x'.repeat(300_000) } };
    const fitted = fitAlert(big);
    expect(published(buildSnsAlertMessage(big))).toEqual(fitted);
    expect(fitAlert(fitted)).toBe(fitted);
    expect(fitAlert(alert)).toBe(alert);
  });

  it('says in the subject and the email that an escalation is one, and of which alert', () => {
    const escalation = { ...alert, escalatesAlertId: 'f'.repeat(32), escalatedFromSeverity: 'MEDIUM' as const };
    const message = buildSnsAlertMessage(escalation);
    expect(message.Subject).toBe('HIGH (escalated from MEDIUM): Title');
    expect(renderEmailText(escalation)).toContain(
      `Escalation:   from MEDIUM; the window's first alert is ${'f'.repeat(32)}`,
    );
    expect(renderEmailText(alert)).not.toContain('Escalation:');
  });
});
