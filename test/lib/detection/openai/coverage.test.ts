import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import type { AnyRule } from '../../../../lib/detection/engine/rule.ts';
import type { RulesSettings } from '../../../../lib/detection/engine/rule-settings.ts';
import type { AuditEvent } from '../../../../lib/detection/openai/audit-event.ts';
import { OPENAI_AUDIT_LOG_TYPE } from '../../../../lib/detection/openai/constants.ts';
import { COVERAGE_REASONS } from '../../../../lib/detection/openai/coverage-reasons.ts';
import { coverageOf, NO_REASON } from '../../../../lib/detection/openai/coverage.ts';
import { OPENAI_AUDIT_EVENT_TYPES } from '../../../../lib/detection/openai/event-types.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { createRuleCatalog } from '../../../../lib/detection/rules/create-rule-catalog.ts';
import { expectedWatchers } from '../../../support/expected-coverage.ts';
import { testCorrelationRule, testRule } from '../../../support/test-rule.ts';

const reasons: Readonly<Record<string, string | undefined>> = COVERAGE_REASONS;

function catalogOf(rules: ReadonlyArray<AnyRule<AuditEvent>>, settings: RulesSettings = {}): RuleCatalog {
  return new RuleCatalog(settings).register(openAiAuditLogType, rules);
}

describe('coverageOf on the default catalog', () => {
  const catalog = createRuleCatalog();
  const rows = coverageOf(catalog, OPENAI_AUDIT_EVENT_TYPES, COVERAGE_REASONS);

  it('lists every type of the schema once, in its order', () => {
    expect(rows.map((row) => row.type)).toEqual([...OPENAI_AUDIT_EVENT_TYPES]);
  });

  it('gives each type the rules the catalog runs on it, and the correlations they feed', () => {
    expect(rows.map((row) => [row.type, row.rules])).toEqual(
      OPENAI_AUDIT_EVENT_TYPES.map((type) => [type, expectedWatchers(catalog, type)]),
    );
    expect(rows.some((row) => row.rules.length > 0)).toBe(true);
  });

  it('has a reason for every type no rule watches, and none for a watched type', () => {
    const unwatched = OPENAI_AUDIT_EVENT_TYPES.filter((type) => expectedWatchers(catalog, type).length === 0);
    expect(
      unwatched.filter((type) => reasons[type] === undefined),
      'types no rule watches, without a reason',
    ).toEqual([]);
    const stale = OPENAI_AUDIT_EVENT_TYPES.filter(
      (type) => reasons[type] !== undefined && expectedWatchers(catalog, type).length > 0,
    );
    expect(stale, 'types a rule now watches: remove their reason from coverage-reasons.ts').toEqual([]);
    expect(rows.filter((row) => row.rules.length === 0).map((row) => [row.type, row.reason])).toEqual(
      unwatched.map((type) => [type, reasons[type]]),
    );
  });

  it('gives reasons only for types of the schema, each one short line', () => {
    const types: ReadonlySet<string> = new Set(OPENAI_AUDIT_EVENT_TYPES);
    expect(Object.keys(COVERAGE_REASONS).filter((type) => !types.has(type))).toEqual([]);
    for (const [type, reason] of Object.entries(COVERAGE_REASONS)) {
      expect(reason.trim(), type).not.toBe('');
      expect(reason, type).not.toMatch(/[\n\r]/);
      expect(reason.length, `${type}: ${reason}`).toBeLessThanOrEqual(120);
    }
  });

  it('watches only types of the schema: a rule on a type OpenAI never sends would see nothing', () => {
    const types: ReadonlySet<string> = new Set(OPENAI_AUDIT_EVENT_TYPES);
    const declared = [...catalog.declaredEventTypes(OPENAI_AUDIT_LOG_TYPE)].flatMap(([id, eventTypes]) =>
      (eventTypes ?? []).filter((type) => !types.has(type)).map((type) => `${id}: ${type}`),
    );
    expect(declared).toEqual([]);
  });
});

describe('coverageOf', () => {
  const types = ['a.created', 'a.deleted', 'b.changed'];

  it('lists the rules and signals whose event types include the type, in registration order', () => {
    const catalog = catalogOf([
      testRule('B', { eventTypes: ['b.changed', 'a.created'] }),
      testRule('A', { eventTypes: ['a.created'], createAlert: false }),
    ]);
    expect(coverageOf(catalog, types, { 'a.deleted': 'why' })).toEqual([
      { type: 'a.created', rules: ['B', 'A'] },
      { type: 'a.deleted', rules: [], reason: 'why' },
      { type: 'b.changed', rules: ['B'] },
    ]);
  });

  it('counts a rule without event types on every type, and ignores a reason given for a watched type', () => {
    const catalog = catalogOf([testRule('Any')]);
    expect(coverageOf(catalog, types, { 'a.created': 'stale' })).toEqual(
      types.map((type) => ({ type, rules: ['Any'] })),
    );
  });

  it('says so when no reason is given for an unwatched type', () => {
    expect(coverageOf(catalogOf([]), ['x.y'], {})).toEqual([{ type: 'x.y', rules: [], reason: NO_REASON }]);
  });

  it("lists a correlation on the types of its steps' rules", () => {
    const catalog = catalogOf([
      testRule('Failed', { eventTypes: ['a.created'], createAlert: false }),
      testRule('Succeeded', { eventTypes: ['b.changed'], createAlert: false }),
      testCorrelationRule<AuditEvent>('Chain', () => 'k'),
    ]);
    expect(coverageOf(catalog, types, {}).map((row) => row.rules)).toEqual([
      ['Failed', 'Chain'],
      [],
      ['Succeeded', 'Chain'],
    ]);
  });

  it('names the rules turned off, by default or by the rules configuration, instead of the reason', () => {
    const catalog = catalogOf(
      [
        testRule('Off', { eventTypes: ['a.created'], enabled: false }),
        testRule('Disabled', { eventTypes: ['a.created', 'b.changed'] }),
        testRule('On', { eventTypes: ['b.changed'] }),
      ],
      { Disabled: { enabled: false } },
    );
    expect(coverageOf(catalog, types, { 'a.created': 'ignored', 'a.deleted': 'why' })).toEqual([
      {
        type: 'a.created',
        rules: [],
        reason:
          'watched only by rules that are turned off: Off (off by default), Disabled (turned off by the rules configuration)',
      },
      { type: 'a.deleted', rules: [], reason: 'why' },
      { type: 'b.changed', rules: ['On'] },
    ]);
  });

  it('counts a rule turned on by the rules configuration, and a correlation only through a step that runs', () => {
    const catalog = catalogOf(
      [
        testRule('Failed', { eventTypes: ['a.created'], createAlert: false, enabled: false }),
        testRule('Succeeded', { eventTypes: ['b.changed'], createAlert: false, enabled: false }),
        testCorrelationRule<AuditEvent>('Chain', () => 'k'),
      ],
      { Succeeded: { enabled: true } },
    );
    expect(coverageOf(catalog, types, {})).toEqual([
      {
        type: 'a.created',
        rules: [],
        reason:
          'watched only by rules that are turned off: Failed (off by default), Chain (the rules of its steps are turned off)',
      },
      { type: 'a.deleted', rules: [], reason: NO_REASON },
      { type: 'b.changed', rules: ['Succeeded', 'Chain'] },
    ]);
  });
});
