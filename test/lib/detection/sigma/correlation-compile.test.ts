// What each correlation type compiles to: event_count and value_count as threshold rules,
// temporal and temporal_ordered as correlation rules over signals, `generate`, and a chained
// event_count as a step.
import { describe, expect, it } from 'vitest';
import type { CorrelationRule, Rule } from '../../../../lib/detection/engine/rule.ts';
import type { AuditEvent } from '../../../../lib/detection/openai/audit-event.ts';
import { normalizeAuditEvent } from '../../../../lib/detection/openai/normalize.ts';
import { compileSigmaFile } from '../../../../lib/detection/sigma/index.ts';
import { base, correlation, rulesById } from './helpers.ts';

const login = (type: string, email: string | undefined, ip?: string) =>
  normalizeAuditEvent({
    id: 'e',
    type,
    actor: { type: 'session', session: { ...(email ? { user: { email } } : {}), ...(ip ? { ip_address: ip } : {}) } },
  });

describe('event_count', () => {
  const text = [
    correlation(
      '  type: event_count\n  rules: [failed]\n  group-by: [actor.session.user.email]\n  timespan: 15m\n  condition:\n    gt: 4',
    ),
    base('failed', 'login.failed'),
  ].join('---\n');

  it('is a threshold rule over the referenced rule, per group, within the timespan', () => {
    const { rules } = compileSigmaFile(text, 'x.yml');
    expect(rules.map((r) => r.id)).toEqual(['corr']);
    const rule = rules[0] as Rule<AuditEvent>;
    expect(rule).toMatchObject({
      threshold: 5,
      dedupPeriodMinutes: 15,
      eventTypes: ['login.failed'],
      defaultSeverity: 'HIGH',
    });
    expect('unique' in rule).toBe(false);
    const event = login('login.failed', 'a@x');
    expect(rule.match?.(event)).toBe(true);
    expect(rule.dedup?.(event)).toBe('corr:a@x');
    expect(rule.title?.(event)).toBe('Corr: a@x');
    expect(rule.alertContext?.(event)).toEqual({
      group_by: { 'actor.session.user.email': 'a@x' },
      threshold: 5,
      window_minutes: 15,
    });
  });

  it('leaves out events of other rules, and events without the group-by field', () => {
    const rule = compileSigmaFile(text, 'x.yml').rules[0] as Rule<AuditEvent>;
    expect(rule.match?.(login('login.succeeded', 'a@x'))).toBe(false);
    expect(rule.match?.(login('login.failed', undefined))).toBe(false);
  });

  it('with several group-by fields, keys the group by all of them', () => {
    const rule = rulesById(
      [
        correlation(
          '  type: event_count\n  rules: [failed]\n  group-by: [actor.session.user.email, actor.session.ip_address]\n  timespan: 1h\n  condition:\n    gte: 3',
        ),
        base('failed', 'login.failed'),
      ].join('---\n'),
    ).get('corr') as Rule<AuditEvent>;
    expect(rule.dedup?.(login('login.failed', 'a@x', '1.2.3.4'))).toBe('corr:["a@x","1.2.3.4"]');
    expect(rule.dedupPeriodMinutes).toBeUndefined();
  });

  it('counts the events of several rules together', () => {
    const rule = rulesById(
      [
        correlation(
          '  type: event_count\n  rules: [failed, succeeded]\n  group-by: [actor.session.user.email]\n  timespan: 5m\n  condition:\n    gte: 3',
        ),
        base('failed', 'login.failed'),
        base('succeeded', 'login.succeeded'),
      ].join('---\n'),
    ).get('corr') as Rule<AuditEvent>;
    expect(rule.eventTypes).toEqual(['login.failed', 'login.succeeded']);
    expect(rule.match?.(login('login.succeeded', 'a@x'))).toBe(true);
  });

  it('with generate: true, registers the referenced rules as alerting rules too', () => {
    const { rules } = compileSigmaFile(
      [
        correlation(
          '  type: event_count\n  rules: [failed]\n  group-by: [actor.session.user.email]\n  timespan: 5m\n  condition:\n    gte: 3\n  generate: true',
        ),
        base('failed', 'login.failed', 'level: low\n'),
      ].join('---\n'),
      'x.yml',
    );
    expect(rules.map((r) => [r.id, r.defaultSeverity, (r as Rule<AuditEvent>).createAlert])).toEqual([
      ['failed', 'LOW', undefined],
      ['corr', 'HIGH', undefined],
    ]);
  });
});

describe('value_count', () => {
  it('is a threshold over distinct values of the field', () => {
    const rule = rulesById(
      [
        correlation(
          '  type: value_count\n  rules: [failed]\n  group-by: [actor.session.user.email]\n  timespan: 30m\n  condition:\n    field: actor.session.ip_address\n    gte: 4',
        ),
        base('failed', 'login.failed'),
      ].join('---\n'),
    ).get('corr') as Rule<AuditEvent>;
    expect(rule).toMatchObject({ threshold: 4, dedupPeriodMinutes: 30 });
    expect(rule.unique?.(login('login.failed', 'a@x', '1.2.3.4'))).toBe('1.2.3.4');
    // An event without the counted field is left out.
    expect(rule.match?.(login('login.failed', 'a@x'))).toBe(false);
    expect(rule.alertContext?.(login('login.failed', 'a@x', '1.2.3.4'))).toMatchObject({
      counted_fields: ['actor.session.ip_address'],
    });
  });
});

describe('temporal', () => {
  const text = [
    correlation('  type: temporal\n  rules: [scim, allowlist]\n  group-by: [actor.session.user.email]\n  timespan: 2h'),
    base('scim', 'scim.disabled'),
    base('allowlist', 'ip_allowlist.config.deactivated'),
  ].join('---\n');

  it('registers the rules as signals, an any-of-them signal, then the correlation', () => {
    const rules = [...rulesById(text).values()];
    expect(rules.map((r) => [r.id, r.kind ?? 'rule', (r as Rule<AuditEvent>).createAlert])).toEqual([
      ['scim', 'rule', false],
      ['allowlist', 'rule', false],
      ['corr.any', 'rule', false],
      ['corr', 'correlation', undefined],
    ]);
    const corr = rules[3] as CorrelationRule<AuditEvent>;
    expect(corr.steps).toEqual([
      { id: 'scim', ruleId: 'scim', minMatchCount: 1 },
      { id: 'allowlist', ruleId: 'allowlist', minMatchCount: 1 },
      { id: 'any of them', ruleId: 'corr.any', minMatchCount: 1 },
    ]);
    expect(corr).toMatchObject({ lookbackMinutes: 120, dedupPeriodMinutes: 120, defaultSeverity: 'HIGH' });
    expect(corr.correlationKey(login('scim.disabled', 'a@x'))).toBe('a@x');
    expect(corr.correlationKey(login('scim.disabled', undefined))).toBeUndefined();
    const any = rules[2] as Rule<AuditEvent>;
    expect(any.eventTypes).toEqual(['ip_allowlist.config.deactivated', 'scim.disabled']);
    expect(any.match?.(login('scim.disabled', 'a@x'))).toBe(true);
    expect(any.match?.(login('ip_allowlist.config.deactivated', 'a@x'))).toBe(true);
    expect(any.match?.(login('login.failed', 'a@x'))).toBe(false);
  });

  it('with generate: true, the referenced rules alert on their own', () => {
    const rules = [...rulesById(text.replace('timespan: 2h', 'timespan: 2h\n  generate: true')).values()];
    expect(rules.slice(0, 3).map((r) => (r as Rule<AuditEvent>).createAlert)).toEqual([undefined, undefined, false]);
  });

  it('accepts a condition asking for every rule, as pySigma defaults it', () => {
    expect(rulesById(text.replace('timespan: 2h', 'timespan: 2h\n  condition:\n    gte: 2')).has('corr')).toBe(true);
  });
});

describe('temporal_ordered', () => {
  it('keeps the order of the rules as the steps', () => {
    const rules = rulesById(
      [
        correlation(
          '  type: temporal_ordered\n  rules: [failed, succeeded]\n  group-by: [actor.session.user.email]\n  timespan: 10m',
        ),
        base('failed', 'login.failed'),
        base('succeeded', 'login.succeeded'),
      ].join('---\n'),
    );
    expect([...rules.keys()]).toEqual(['failed', 'succeeded', 'corr']);
    expect((rules.get('corr') as CorrelationRule<AuditEvent>).steps.map((s) => s.ruleId)).toEqual([
      'failed',
      'succeeded',
    ]);
  });

  it('reports that the order among more than two rules is not enforced', () => {
    const { ignoredKeys } = compileSigmaFile(
      [
        correlation(
          '  type: temporal_ordered\n  rules: [a, b, c]\n  group-by: [actor.session.user.email]\n  timespan: 10m',
        ),
        base('a', 'login.failed'),
        base('b', 'login.succeeded'),
        base('c', 'api_key.created'),
      ].join('---\n'),
      'x.yml',
    );
    expect(ignoredKeys).toEqual([
      {
        key: 'correlation.rules',
        line: 6,
        reason:
          "temporal_ordered: the engine requires 'c' to match after the others, but not the order among the first 2",
      },
    ]);
  });

  it('takes a chained event_count as a step needing its count', () => {
    const rules = rulesById(
      [
        correlation(
          '  type: temporal_ordered\n  rules: [many_failed, succeeded]\n  group-by: [actor.session.user.email]\n  timespan: 10m',
        ),
        correlation(
          '  type: event_count\n  rules: [failed]\n  group-by: [actor.session.user.email]\n  timespan: 10m\n  condition:\n    gte: 3',
          'title: Many\nname: many_failed',
        ),
        base('failed', 'login.failed'),
        base('succeeded', 'login.succeeded'),
      ].join('---\n'),
    );
    expect([...rules.keys()]).toEqual(['many_failed', 'succeeded', 'corr']);
    expect(rules.get('many_failed')).toMatchObject({ threshold: 3, createAlert: false, defaultSeverity: 'INFO' });
    expect((rules.get('corr') as CorrelationRule<AuditEvent>).steps).toEqual([
      { id: 'many_failed', ruleId: 'many_failed', minMatchCount: 3 },
      { id: 'succeeded', ruleId: 'succeeded', minMatchCount: 1 },
    ]);
  });
});

describe('status of the root', () => {
  it('a deprecated correlation disables everything compiled from the file', () => {
    const rules = [
      ...rulesById(
        [
          correlation(
            '  type: temporal\n  rules: [a, b]\n  group-by: [actor.session.user.email]\n  timespan: 10m',
            'title: Corr\nname: corr\nlevel: high\nstatus: deprecated',
          ),
          base('a', 'login.failed'),
          base('b', 'login.succeeded', 'status: deprecated\n'),
        ].join('---\n'),
      ).values(),
    ];
    expect(rules.map((r) => r.enabled)).toEqual([false, false, false, false]);
  });

  it("a referenced rule's own deprecation does not blind the correlation", () => {
    const rules = rulesById(
      [
        correlation('  type: temporal\n  rules: [a, b]\n  group-by: [actor.session.user.email]\n  timespan: 10m'),
        base('a', 'login.failed'),
        base('b', 'login.succeeded', 'status: deprecated\n'),
      ].join('---\n'),
    );
    expect(rules.get('b')?.enabled).not.toBe(false);
  });
});
