// Alert documents as the detection function publishes them, for delivery tests.
import type { AlertDocument } from '../../lib/pipeline/alerts/alert-document.ts';
import type { Severity } from '../../lib/detection/engine/severity.ts';

/** A complete alert of the API key rule; `overrides` replace fields, `escalatesAlertId` marks an escalation. */
export function sampleAlert(overrides: Partial<AlertDocument> = {}): AlertDocument {
  return {
    version: 1,
    alertId: '328f2bde2e79e594cf21a3eada0c0756',
    ruleId: 'OpenAI.API.Key.Anomalous.Activity',
    ruleName: 'OpenAI Anomalous API Key Activity',
    severity: 'HIGH',
    title: 'OpenAI API Key with Elevated Scopes: api_key.updated by [mallory@contractor.example]',
    dedupKey: 'OpenAI.API.Key.Anomalous.Activity:api_key.updated:user:user-mallory',
    createdAt: '2026-11-25T10:00:05.000Z',
    windowStart: '2026-11-25T10:00:00.000Z',
    windowEndsAt: '2026-11-25T11:00:00.000Z',
    escalatesAlertId: null,
    escalatedFromSeverity: null,
    description: 'An API key was created or updated with elevated scopes.',
    runbook: '1. Confirm the change with the actor.\n2. Revoke the key if unexpected.',
    reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
    mitre: ['TA0003:T1098'],
    logType: 'OpenAI.Audit',
    eventCount: 1,
    eventId: 'audit_log-sample-0004',
    eventType: 'api_key.updated',
    eventTime: '2026-11-25T10:00:00.000Z',
    alertContext: {
      actor_email: 'mallory@contractor.example',
      actor_id: 'user-mallory',
      api_key_id: 'key_ops_admin',
      api_key_scopes: ['all'],
      elevated_scopes: ['all'],
      source_ip: '198.51.100.7',
      source_city: 'Bucharest',
      source_country: 'RO',
      user_agent: 'curl/8.5.0',
    },
    ...overrides,
  };
}

/** Alerts with distinct ids, cycling through the severities given. */
export function alertsOf(count: number, severities: readonly Severity[] = ['HIGH']): AlertDocument[] {
  return Array.from({ length: count }, (_, i) =>
    sampleAlert({
      alertId: `alert${String(i).padStart(4, '0')}`,
      severity: severities[i % severities.length] ?? 'HIGH',
      eventId: `event-${i}`,
    }),
  );
}
