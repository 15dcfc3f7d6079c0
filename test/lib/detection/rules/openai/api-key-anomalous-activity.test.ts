import { describe, expect, it } from 'vitest';
import { runRule } from '../../../../../lib/detection/engine/run-rule.ts';
import { normalizeAuditEvent } from '../../../../../lib/detection/openai/normalize.ts';
import {
  API_KEY_ANOMALOUS_ACTIVITY_RULE_ID,
  MAX_LISTED_SCOPES,
  createApiKeyAnomalousActivityRule,
} from '../../../../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../../../../lib/detection/openai/constants.ts';
import { extractAuditEvents } from '../../../../../lib/detection/openai/extract-events.ts';
import { createRuleCatalog } from '../../../../../lib/detection/rules/create-rule-catalog.ts';
import { grantedScopes } from '../../../../../lib/detection/rules/openai/key-scopes.ts';

const rule = createApiKeyAnomalousActivityRule();

function created(scopes: unknown, actor: unknown = { type: 'session', session: { user: { id: 'user-1' } } }) {
  return normalizeAuditEvent({
    id: 'e1',
    type: 'api_key.created',
    actor,
    'api_key.created': { id: 'key_1', data: { scopes } },
  });
}

describe('OpenAI.API.Key.Anomalous.Activity', () => {
  it("carries the seed's metadata", () => {
    expect(createRuleCatalog().getRule(API_KEY_ANOMALOUS_ACTIVITY_RULE_ID)).toMatchObject({
      id: API_KEY_ANOMALOUS_ACTIVITY_RULE_ID,
      displayName: 'OpenAI Anomalous API Key Activity',
      defaultSeverity: 'MEDIUM',
      dedupPeriodMinutes: 60,
      threshold: 1,
      logTypes: ['OpenAI.Audit'],
      reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
      reports: { 'MITRE ATT&CK': ['TA0001:T1078', 'TA0003:T1098', 'TA0005:T1550', 'TA0011:T1071'] },
    });
    expect(rule.eventTypes).toEqual(['api_key.created', 'api_key.updated']);
    expect(rule.runbook).toMatch(/^1\. Validate the identity responsible/);
  });

  it("keeps Panther's alert-context keys first, in Panther's order", () => {
    const outcome = runRule(rule, created(['all']));
    if (outcome.kind !== 'match') throw new Error('expected a match');
    expect(Object.keys(outcome.output.alertContext).slice(0, 8)).toEqual([
      'event_type',
      'event_id',
      'api_key_id',
      'api_key_scopes',
      'actor_email',
      'actor_id',
      'source_ip',
      'user_agent',
    ]);
  });

  it('gives two service accounts acting through keys different dedup keys', () => {
    const svc = (id: string) => ({
      type: 'api_key',
      api_key: { id: 'key_x', type: 'service_account', service_account: { id } },
    });
    const a = runRule(rule, created(['admin'], svc('svc_a')));
    const b = runRule(rule, created(['admin'], svc('svc_b')));
    if (a.kind !== 'match' || b.kind !== 'match') throw new Error('expected matches');
    expect(a.output.dedup).not.toBe(b.output.dedup);
  });

  it('keeps the policy configurable: a custom policy changes what matches and how severe', () => {
    const custom = createApiKeyAnomalousActivityRule({
      elevatedScopes: [{ glob: '*.webhooks.write', severity: 'LOW' }],
    });
    expect(runRule(custom, created(['all'])).kind).toBe('no-match');
    const outcome = runRule(custom, created(['api.webhooks.write']));
    expect(outcome.kind === 'match' && outcome.output.severity).toBe('LOW');
  });

  it('handles 10,000 scopes, listing at most 100 in the context and counting the rest', () => {
    const scopes = Array.from({ length: 10_000 }, (_, i) => `api.thing${i}.read`);
    scopes.push('api_keys:write');
    const outcome = runRule(rule, created(scopes));
    if (outcome.kind !== 'match') throw new Error('expected a match');
    expect(outcome.output.severity).toBe('MEDIUM');
    expect(outcome.output.alertContext.api_key_scopes).toHaveLength(MAX_LISTED_SCOPES);
    expect(outcome.output.alertContext.api_key_scopes_omitted).toBe(10_001 - MAX_LISTED_SCOPES);
    expect(outcome.output.alertContext.elevated_scopes).toEqual(['api_keys:write']);
  });

  it('survives huge strings: the title and dedup are cut, the context is dropped past its cap', () => {
    const huge = 'x'.repeat(300_000);
    const outcome = runRule(rule, created(['all'], { session: { user: { email: huge } } }));
    if (outcome.kind !== 'match') throw new Error('expected a match');
    expect(outcome.output.title).toHaveLength(1000);
    expect(outcome.output.title.endsWith('... (truncated)')).toBe(true);
    expect(outcome.output.dedup.startsWith(`${API_KEY_ANOMALOUS_ACTIVITY_RULE_ID}:api_key.created:email:xxx`)).toBe(
      true,
    );
    expect(outcome.output.alertContext._error).toMatch(/over the limit of 204800/);
    expect(outcome.errors).toEqual([]);
  });

  it('reads prototype-named keys as data and never throws on them', () => {
    const event = normalizeAuditEvent(
      JSON.parse(
        '{"id":"e","type":"api_key.created","__proto__":{"x":1},"api_key.created":{"__proto__":{"scopes":["all"]},"data":{"constructor":1,"scopes":["api.model.read"]}}}',
      ),
    );
    expect(grantedScopes(event)).toEqual(['api.model.read']);
    expect(runRule(rule, event)).toEqual({ kind: 'no-match' });
  });

  it('reads changes_requested only for updates', () => {
    const raw = (type: string) => ({ id: 'e', type, [type]: { changes_requested: { scopes: ['all'] } } });
    expect(grantedScopes(normalizeAuditEvent(raw('api_key.updated')))).toEqual(['all']);
    expect(grantedScopes(normalizeAuditEvent(raw('api_key.created')))).toEqual([]);
  });

  it('finds the All key in an OpenAI list page (the list example with one more event), and only it', () => {
    // The list-audit-logs example of OpenAI's OpenAPI description, plus an All key created by a service account.
    const page = {
      object: 'list',
      data: [
        {
          id: 'audit_log-xxx_yyyymmdd',
          type: 'project.archived',
          effective_at: 1722461446,
          actor: { type: 'api_key', api_key: { type: 'user', user: { id: 'user-xxx', email: 'user@example.com' } } },
          'project.archived': { id: 'proj_abc' },
        },
        {
          id: 'audit_log-yyy__20240101',
          type: 'api_key.updated',
          effective_at: 1720804190,
          actor: {
            type: 'session',
            session: { user: { id: 'user-xxx', email: 'user@example.com' }, ip_address: '127.0.0.1' },
          },
          'api_key.updated': { id: 'key_xxxx', data: { scopes: ['resource_2.operation_2'] } },
        },
        {
          id: 'audit_log-zzz',
          type: 'api_key.created',
          effective_at: 1720804290,
          actor: {
            type: 'api_key',
            api_key: { id: 'key_ci', type: 'service_account', service_account: { id: 'svc_ci' } },
          },
          'api_key.created': { id: 'key_all', data: { scopes: [] } },
        },
      ],
      first_id: 'audit_log-xxx_yyyymmdd',
      last_id: 'audit_log-zzz',
      has_more: false,
    };
    const catalog = createRuleCatalog();
    const { events, problems } = extractAuditEvents(page);
    expect(problems).toEqual([]);
    // This rule's matches only: the catalog's other rules may well find something in the page too.
    const matches = events
      .flatMap(({ event }) => catalog.evaluate(OPENAI_AUDIT_LOG_TYPE, event).matches)
      .filter((m) => m.rule.id === API_KEY_ANOMALOUS_ACTIVITY_RULE_ID);
    expect(matches.map((m) => [m.eventId, m.severity, m.dedup])).toEqual([
      ['audit_log-zzz', 'HIGH', 'OpenAI.API.Key.Anomalous.Activity:api_key.created:service_account:svc_ci'],
    ]);
  });
});
