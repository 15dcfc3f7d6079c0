import { describe, expect, it } from 'vitest';
import { PAGERDUTY_MAX_REQUEST_BYTES } from '../../../lib/delivery/constants.ts';
import { PAGERDUTY_SEVERITY, pagerDutyEventBody, type PagerDutyEvent } from '../../../lib/delivery/pagerduty.ts';
import { SEVERITIES } from '../../../lib/detection/engine/severity.ts';
import { sampleAlert } from '../../support/alerts.ts';

const KEY = 'R0123456789abcdef0123456789abcd0';
const parse = (body: string) => JSON.parse(body) as PagerDutyEvent;

describe('pagerDutyEventBody', () => {
  it('links the rule runbook first when a runbook base URL is configured', () => {
    const event = parse(pagerDutyEventBody(sampleAlert(), KEY, 'https://wiki.example.com/runbooks/{ruleId}.md'));
    expect(event.links).toEqual([
      { href: 'https://wiki.example.com/runbooks/OpenAI.API.Key.Anomalous.Activity.md', text: 'Runbook' },
      { href: 'https://platform.openai.com/docs/api-reference/audit-logs', text: 'Rule reference' },
    ]);
  });

  it('triggers with the alert id as dedup_key, a severity summary, the context as custom_details and the reference as a link', () => {
    const event = parse(pagerDutyEventBody(sampleAlert(), KEY));
    expect(event).toMatchObject({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: '328f2bde2e79e594cf21a3eada0c0756',
      client: 'openai-audit-alerts',
      payload: {
        summary: 'HIGH: OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]',
        source: 'OpenAI organization audit log',
        severity: 'error',
        timestamp: '2026-11-25T10:00:00.000Z',
        component: 'api_key.updated',
        group: 'OpenAI.Audit',
        class: 'OpenAI.API.Key.Anomalous.Activity',
      },
      links: [{ href: 'https://platform.openai.com/docs/api-reference/audit-logs', text: 'Rule reference' }],
    });
    expect(event.payload.custom_details).toMatchObject({
      alert_id: '328f2bde2e79e594cf21a3eada0c0756',
      actor_email: 'mallory@contractor.example',
      api_key_id: 'key_ops_admin',
      elevated_scopes: ['all'],
      source_ip: '198.51.100.7',
      runbook: '1. Confirm the change with the actor.\n2. Revoke the key if unexpected.',
      event_id: 'audit_log-sample-0004',
      mitre: ['TA0003:T1098'],
    });
    expect(event.payload.custom_details).not.toHaveProperty('escalates_alert_id');
  });

  it('maps every severity to one of PagerDuty four', () => {
    expect(SEVERITIES.map((s) => PAGERDUTY_SEVERITY[s])).toEqual(['info', 'info', 'warning', 'error', 'critical']);
    for (const severity of SEVERITIES)
      expect(parse(pagerDutyEventBody(sampleAlert({ severity }), KEY)).payload.severity).toBe(
        PAGERDUTY_SEVERITY[severity],
      );
  });

  it('keeps the summary within 1,024 characters and the identifying fields whole', () => {
    const event = parse(pagerDutyEventBody(sampleAlert({ title: `T${'é'.repeat(5000)}` }), KEY));
    expect(Array.from(event.payload.summary).length).toBeLessThanOrEqual(1024);
    expect(event.payload.summary.startsWith('HIGH: Té')).toBe(true);
    expect(event.payload.summary.endsWith('…')).toBe(true);
  });

  it('stays within 512 KB for an oversized context, trimming the largest values first and saying so', () => {
    const context = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'x'.repeat(3000 + i)]));
    const body = pagerDutyEventBody(sampleAlert({ alertContext: { ...context, blob: 'z'.repeat(600_000) } }), KEY);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(PAGERDUTY_MAX_REQUEST_BYTES);
    const details = parse(body).payload.custom_details as Record<string, unknown>;
    const trimmed = details._trimmed as string[];
    expect(trimmed.slice(0, 3)).toEqual(['blob', 'k199', 'k198']);
    expect(details.k199).toMatch(/^\[trimmed: \d+ bytes\]$/);
    expect(details.k0).toBe('x'.repeat(3000));
    expect(trimmed).not.toContain('k0');
    expect(details.alert_id).toBe('328f2bde2e79e594cf21a3eada0c0756');
  });

  it('cuts any one value from the event to 4,000 characters', () => {
    const details = parse(pagerDutyEventBody(sampleAlert({ alertContext: { blob: 'z'.repeat(600_000) } }), KEY)).payload
      .custom_details;
    expect(details.blob).toBe(`${'z'.repeat(4000)}…`);
  });

  it('sanitises and masks strings from the event', () => {
    const hostile = sampleAlert({
      title: 'key sk-proj-abcdefghijklmnopqrstuvwx1234 by \u202eevil\r\nInjected: yes',
      alertContext: { user_agent: 'curl\u0000\u001b[31m', note: 'sk-admin-ABCDEFGHIJKLMNOPQRSTUVWX9999' },
    });
    const event = parse(pagerDutyEventBody(hostile, KEY));
    expect(event.payload.summary).toBe('HIGH: key sk-proj-…1234 by \\u202eevil\\r\\nInjected: yes');
    expect(event.payload.custom_details.user_agent).toBe('curl\\u0000\\u001b[31m');
    expect(event.payload.custom_details.note).toBe('sk-admin-…9999');
  });

  it('gives an escalation its own incident and names the alert it escalates', () => {
    const event = parse(
      pagerDutyEventBody(
        sampleAlert({
          alertId: 'escalation2',
          severity: 'CRITICAL',
          escalatesAlertId: '328f2bde2e79e594cf21a3eada0c0756',
        }),
        KEY,
      ),
    );
    expect(event.dedup_key).toBe('escalation2');
    expect(event.payload.summary.startsWith('ESCALATED CRITICAL: ')).toBe(true);
    expect(event.payload.severity).toBe('critical');
    expect(event.payload.custom_details.escalates_alert_id).toBe('328f2bde2e79e594cf21a3eada0c0756');
  });

  it('leaves out a reference that is not an https URL', () => {
    expect(parse(pagerDutyEventBody(sampleAlert({ reference: 'javascript:alert(1)' }), KEY))).not.toHaveProperty(
      'links',
    );
  });
});
