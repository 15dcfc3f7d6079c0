import { describe, expect, it } from 'vitest';
import type { AlertDocument } from '../../../../lib/pipeline/alerts/alert-document.ts';
import { alertText } from '../../../../lib/tooling/local/alert-text.ts';
import { localTelemetry } from '../../../../lib/tooling/local/local-telemetry.ts';

const alert = {
  alertId: 'a1',
  severity: 'HIGH',
  title: 'Title\u202e',
  eventId: 'e1',
  alertContext: {
    actor_email: 'a@b.c',
    actor_id: 'u1',
    api_key_id: 'k1',
    elevated_scopes: ['all', 'admin'],
    source_ip: '<UNKNOWN_SOURCE_IP>',
    source_city: 'Paris',
  },
} as unknown as AlertDocument;

describe('alertText', () => {
  it('prints severity and title, then actor, key and scopes, then source, event and alert, escaping event text', () => {
    expect(alertText(alert)).toBe(
      [
        'HIGH      Title\\u202e',
        '          actor a@b.c (u1) · key k1 · elevated scopes all, admin',
        '          source (Paris) · event e1 · alert a1',
        '',
      ].join('\n'),
    );
  });
});

describe('alertText for keys without scopes', () => {
  it('says an All key holds every permission, and that unrecorded scopes are unknown', () => {
    const unrestricted = {
      ...alert,
      alertContext: { actor_id: 'u1', api_key_id: 'k2', elevated_scopes: [], key_permissions: 'unrestricted' },
    } as unknown as AlertDocument;
    expect(alertText(unrestricted)).toContain('actor (u1) · key k2 · unrestricted: every permission (no scopes)');
    const unrecorded = {
      ...alert,
      alertContext: { api_key_id: 'k3', key_permissions: 'unrecorded' },
    } as unknown as AlertDocument;
    expect(alertText(unrecorded)).toContain('key k3 · scopes not recorded');
  });
});

describe('localTelemetry', () => {
  it('writes JSON lines at and above its level and counts metrics', () => {
    const lines: string[] = [];
    const telemetry = localTelemetry(
      'WARN',
      (line) => lines.push(line),
      () => new Date(0),
    );
    telemetry.log('INFO', 'hidden');
    telemetry.log('ERROR', 'shown', { ruleId: 'R' });
    telemetry.count('AlertsPublished');
    telemetry.count('AlertsPublished', 2);
    expect(lines).toEqual([
      '{"level":"ERROR","message":"shown","timestamp":"1970-01-01T00:00:00.000Z","service":"openai-audit-alerts","ruleId":"R"}\n',
    ]);
    expect(telemetry.counted('AlertsPublished')).toBe(3);
    expect(telemetry.counted('RuleErrors')).toBe(0);
  });
});
