import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { CatalogError } from '../../../../lib/detection/engine/errors.ts';
import type { LogType } from '../../../../lib/detection/engine/log-type.ts';
import type { CorrelationFinding } from '../../../../lib/detection/engine/correlation.ts';
import type { CorrelationRule, Rule } from '../../../../lib/detection/engine/rule.ts';
import { testCorrelationRule, testRule } from '../../../support/test-rule.ts';

interface Ev {
  readonly type: string | undefined;
  readonly id: string | undefined;
  readonly actor?: string | undefined;
  readonly ip?: string | undefined;
}

function countingLogType(): LogType<Ev> & { normalized: number } {
  const logType = {
    name: 'Test.Log',
    normalized: 0,
    eventTypeOf: (raw: unknown) => {
      const type = (raw as { type?: unknown } | null)?.type;
      return typeof type === 'string' ? type : undefined;
    },
    normalize: (raw: unknown): Ev => {
      logType.normalized++;
      const r = raw as { type?: string; id?: string; actor?: string; ip?: string; t?: number };
      if (r.id === 'explode') throw new Error('normaliser bug');
      return { type: r.type, id: r.id, actor: r.actor, ip: r.ip };
    },
    identify: (event: Ev) => ({ eventId: event.id, eventType: event.type, eventTime: undefined }),
    subject: (event: Ev) => ({
      actorIds: event.actor === undefined ? [] : [event.actor],
      serviceAccountIds: [],
      emails: [],
      sourceIp: event.ip,
    }),
  };
  return logType;
}

function rule(id: string, overrides: Partial<Rule<Ev>> = {}): Rule<Ev> {
  return testRule<Ev>(id, overrides);
}

describe('RuleCatalog', () => {
  it("fills in Panther's defaults for what a rule does not state, and the settings in force", () => {
    const catalog = new RuleCatalog({ B: { enabled: false, severity: 'HIGH' } }).register(countingLogType(), [
      rule('A'),
      rule('B', { displayName: 'Bee', threshold: 3, dedupPeriodMinutes: 5, createAlert: false }),
    ]);
    expect(catalog.getRule('A')).toEqual({
      id: 'A',
      kind: 'rule',
      displayName: 'A',
      description: '',
      runbook: '',
      reference: '',
      defaultSeverity: 'LOW',
      dedupPeriodMinutes: 60,
      threshold: 1,
      logTypes: ['Test.Log'],
      reports: {},
      tags: [],
      enabled: true,
      createAlert: true,
      pantherDifferences: {},
    });
    expect(catalog.getRule('B')).toMatchObject({
      kind: 'signal',
      displayName: 'Bee',
      threshold: 3,
      dedupPeriodMinutes: 5,
      enabled: false,
      createAlert: false,
      defaultSeverity: 'HIGH',
    });
    expect(catalog.eventTypes('Test.Log')).toEqual(new Map([['A', []]]));
  });

  it('runs only the rules registered for the event type and skips normalisation otherwise', () => {
    const logType = countingLogType();
    const catalog = new RuleCatalog().register(logType, [
      rule('A', { eventTypes: ['a'] }),
      rule('B', { eventTypes: ['b'] }),
    ]);
    const first = catalog.evaluate('Test.Log', { type: 'other', id: '1' });
    const second = catalog.evaluate('Test.Log', { type: 'zzz', id: '2' });
    expect(first.matches).toEqual([]);
    expect(first).toBe(second); // the shared empty result: nothing allocated
    expect(logType.normalized).toBe(0);
    const hit = catalog.evaluate('Test.Log', { type: 'b', id: '3' });
    expect(hit.matches.map((m) => [m.rule.id, m.eventId, m.eventType])).toEqual([['B', '3', 'b']]);
    expect(logType.normalized).toBe(1);
  });

  it('runs rules without eventTypes on every event, typed ones too', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [rule('Any'), rule('Typed', { eventTypes: ['t'] })]);
    expect(catalog.evaluate('Test.Log', { type: 't', id: '1' }).matches.map((m) => m.rule.id)).toEqual([
      'Any',
      'Typed',
    ]);
    expect(catalog.evaluate('Test.Log', { type: 'u', id: '2' }).matches.map((m) => m.rule.id)).toEqual(['Any']);
    expect(catalog.evaluate('Test.Log', 42).matches.map((m) => m.rule.id)).toEqual(['Any']);
  });

  it('reports a failing rule as a rule error with the event identity, and still runs the others', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [
      rule('Broken', {
        match: () => {
          throw new Error('x');
        },
      }),
      rule('Fine'),
    ]);
    const result = catalog.evaluate('Test.Log', { type: 't', id: 'e1' });
    expect(result.matches.map((m) => m.rule.id)).toEqual(['Fine']);
    expect(result.errors).toEqual([
      { eventId: 'e1', eventType: 't', eventTime: undefined, ruleId: 'Broken', function: 'match', message: 'Error: x' },
    ]);
  });

  it('reports auxiliary failures of a matching rule alongside the match', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [
      rule('R', {
        title: () => {
          throw new Error('t');
        },
      }),
    ]);
    const result = catalog.evaluate('Test.Log', { type: 't', id: 'e1' });
    expect(result.matches).toHaveLength(1);
    expect(result.errors.map((e) => [e.ruleId, e.function])).toEqual([['R', 'title']]);
  });

  it('turns a normaliser failure into an error for each candidate rule', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [rule('A'), rule('B')]);
    const result = catalog.evaluate('Test.Log', { type: 't', id: 'explode' });
    expect(result.matches).toEqual([]);
    expect(result.errors.map((e) => [e.ruleId, e.function, e.message, e.eventType])).toEqual([
      ['A', 'normalize', 'Error: normaliser bug', 't'],
      ['B', 'normalize', 'Error: normaliser bug', 't'],
    ]);
  });

  it('evaluates a single rule with the same type filter', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [rule('A', { eventTypes: ['a'] })]);
    expect(catalog.evaluateRule('A', { type: 'b', id: '1' }).outcome).toEqual({ kind: 'no-match' });
    expect(catalog.evaluateRule('A', { type: 'a', id: '1' }).outcome.kind).toBe('match');
    expect(() => catalog.evaluateRule('Nope', {})).toThrow(new CatalogError('no single-event rule with id Nope'));
  });

  it('lists its rules and looks them up by id', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [rule('A'), rule('B')]);
    expect(catalog.rules.map((r) => r.id)).toEqual(['A', 'B']);
    expect(catalog.getRule('B')?.id).toBe('B');
    expect(catalog.getRule('C')).toBeUndefined();
  });

  it('rejects a malformed catalog at registration', () => {
    expect(() => new RuleCatalog().register(countingLogType(), [rule('A'), rule('A')])).toThrow(
      'rule A is registered twice',
    );
    expect(() => new RuleCatalog().register(countingLogType(), [rule('')])).toThrow('a rule has an empty id');
    expect(() =>
      new RuleCatalog().register(countingLogType(), [rule('A', { threshold: 0, dedupPeriodMinutes: 0 })]),
    ).toThrow('rule A: threshold must be an integer >= 1; dedupPeriodMinutes must be > 0');
    const logType = countingLogType();
    expect(() => new RuleCatalog().register(logType, []).register(logType, [])).toThrow(CatalogError);
    expect(() => new RuleCatalog().evaluate('Missing', {})).toThrow('no log type Missing is registered');
  });

  describe('signals, settings and suppressions', () => {
    it('lists signal matches apart from alert-worthy ones', () => {
      const catalog = new RuleCatalog().register(countingLogType(), [
        rule('Signal', { createAlert: false }),
        rule('Alert'),
      ]);
      const result = catalog.evaluate('Test.Log', { type: 't', id: 'e1' });
      expect(result.matches.map((m) => m.rule.id)).toEqual(['Alert']);
      expect(result.signals.map((m) => m.rule.id)).toEqual(['Signal']);
      expect([catalog.getRule('Signal')?.kind, catalog.getRule('Alert')?.kind, catalog.getRule('Nope')?.kind]).toEqual([
        'signal',
        'rule',
        undefined,
      ]);
    });

    it("builds a signal's outputs as any rule's, and reports what fails in them", () => {
      const signal = rule('Signal', {
        createAlert: false,
        title: () => {
          throw new Error('title bug');
        },
        alertContext: () => ({ a: 1 }),
      });
      const result = new RuleCatalog()
        .register(countingLogType(), [signal])
        .evaluate('Test.Log', { type: 't', id: 'e1' });
      expect(result.signals.map((m) => [m.rule.id, m.title, m.alertContext])).toEqual([['Signal', 'Signal', { a: 1 }]]);
      expect(result.errors.map((e) => [e.ruleId, e.function])).toEqual([['Signal', 'title']]);
      const suppressed = new RuleCatalog({ Signal: { suppress: { actorIds: ['ci'] } } })
        .register(countingLogType(), [signal])
        .evaluate('Test.Log', { type: 't', id: 'e2', actor: 'ci' });
      expect(suppressed.signals).toEqual([]);
      expect(suppressed.suppressed.map((s) => [s.match.rule.id, s.reason])).toEqual([
        ['Signal', 'actor id ci is suppressed'],
      ]);
    });

    it('skips disabled rules, and lets the settings enable or disable any rule', () => {
      const rules = [rule('Off', { enabled: false }), rule('On')];
      expect(
        new RuleCatalog()
          .register(countingLogType(), rules)
          .evaluate('Test.Log', { type: 't', id: '1' })
          .matches.map((m) => m.rule.id),
      ).toEqual(['On']);
      const flipped = new RuleCatalog({ Off: { enabled: true }, On: { enabled: false } }).register(
        countingLogType(),
        rules,
      );
      expect(flipped.evaluate('Test.Log', { type: 't', id: '1' }).matches.map((m) => m.rule.id)).toEqual(['Off']);
      expect(flipped.getRule('On')?.enabled).toBe(false);
      // A disabled rule can still be tested on its own.
      expect(flipped.evaluateRule('On', { type: 't', id: '1' }).outcome.kind).toBe('match');
    });

    it('pins the severity the settings give, over what the rule computes', () => {
      const catalog = new RuleCatalog({ R: { severity: 'CRITICAL' } }).register(countingLogType(), [
        rule('R', { severity: () => 'LOW' }),
      ]);
      const [match] = catalog.evaluate('Test.Log', { type: 't', id: '1' }).matches;
      expect([match?.severity, match?.rule.defaultSeverity]).toEqual(['CRITICAL', 'CRITICAL']);
    });

    it("replaces a rule's threshold and dedup period with the settings, over what the rule states", () => {
      const catalog = new RuleCatalog({ R: { threshold: 7, dedupPeriodMinutes: 15 } }).register(countingLogType(), [
        rule('R', { threshold: 3, dedupPeriodMinutes: 60 }),
        rule('S', { threshold: 3 }),
      ]);
      expect(catalog.getRule('R')).toMatchObject({ threshold: 7, dedupPeriodMinutes: 15 });
      expect(catalog.getRule('S')).toMatchObject({ threshold: 3, dedupPeriodMinutes: 60 });
      const [match] = catalog.evaluate('Test.Log', { type: 't', id: '1' }).matches.filter((m) => m.rule.id === 'R');
      expect([match?.rule.threshold, match?.rule.dedupPeriodMinutes]).toEqual([7, 15]);
    });

    it('suppresses matches by actor id or source range, per rule, with the reason', () => {
      const catalog = new RuleCatalog({
        R: { suppress: { actorIds: ['ci'], sourceCidrs: ['10.0.0.0/8', '2001:db8::/32'] } },
      }).register(countingLogType(), [rule('R'), rule('Other')]);
      const byActor = catalog.evaluate('Test.Log', { type: 't', id: '1', actor: 'ci' });
      expect(byActor.matches.map((m) => m.rule.id)).toEqual(['Other']);
      expect(byActor.suppressed.map((s) => [s.match.rule.id, s.reason])).toEqual([['R', 'actor id ci is suppressed']]);
      const byRange = catalog.evaluate('Test.Log', { type: 't', id: '2', actor: 'alice', ip: '10.9.8.7' });
      expect(byRange.suppressed.map((s) => s.reason)).toEqual(['source 10.9.8.7 is in suppressed range 10.0.0.0/8']);
      expect(catalog.evaluate('Test.Log', { type: 't', id: '3', ip: '2001:db8::5' }).suppressed).toHaveLength(1);
      expect(catalog.evaluate('Test.Log', { type: 't', id: '4', actor: 'alice', ip: '11.0.0.1' }).matches).toHaveLength(
        2,
      );
    });
  });

  describe('correlation rules', () => {
    const failed = rule('Failed', { createAlert: false, eventTypes: ['fail'] });
    const succeeded = rule('Succeeded', { createAlert: false, eventTypes: ['ok'] });
    const correlation: CorrelationRule<Ev> = testCorrelationRule<Ev>('Brute', (event) => event.actor, {
      recordDetail: (event) => event.ip,
      title: (finding) => `brute force on ${finding.key}`,
    });

    it('emits a step match for each correlation step a matching rule makes, with key and detail', () => {
      const catalog = new RuleCatalog().register(countingLogType(), [failed, succeeded, correlation]);
      const result = catalog.evaluate('Test.Log', { type: 'fail', id: 'f1', actor: 'alice', ip: '1.2.3.4' });
      expect(result.signals.map((m) => m.rule.id)).toEqual(['Failed']);
      expect(result.steps.map((s) => [s.correlation.id, s.stepIndex, s.key, s.detail, s.eventId])).toEqual([
        ['Brute', 0, 'alice', '1.2.3.4', 'f1'],
      ]);
      // No key, no step.
      expect(catalog.evaluate('Test.Log', { type: 'fail', id: 'f2' }).steps).toEqual([]);
    });

    it('masks a key in a step detail before cutting it to 200 characters', () => {
      const catalog = new RuleCatalog().register(countingLogType(), [failed, succeeded, correlation]);
      const ip = `${'x'.repeat(180)}sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789`;
      const [step] = catalog.evaluate('Test.Log', { type: 'fail', id: 'f1', actor: 'alice', ip }).steps;
      expect(step?.detail).toBe(`${'x'.repeat(180)}sk-proj-…6789`);
      expect(catalog.getRule('Brute')?.kind).toBe('correlation');
    });

    it('emits no steps for a disabled correlation rule', () => {
      const catalog = new RuleCatalog({ Brute: { enabled: false } }).register(countingLogType(), [
        failed,
        succeeded,
        correlation,
      ]);
      expect(catalog.evaluate('Test.Log', { type: 'fail', id: 'f1', actor: 'alice' }).steps).toEqual([]);
    });

    it('runs a finding through the rule with the engine semantics', () => {
      const catalog = new RuleCatalog({ Brute: { severity: 'CRITICAL' } }).register(countingLogType(), [
        failed,
        succeeded,
        correlation,
      ]);
      const finding: CorrelationFinding = {
        ruleId: 'Brute',
        key: 'alice',
        trigger: { eventId: 's1', time: 100 },
        steps: [],
        lookbackMinutes: 10,
      };
      const result = catalog.evaluateFinding(finding);
      expect(result.errors).toEqual([]);
      expect([result.match.title, result.match.severity, result.match.eventId, result.match.eventTime]).toEqual([
        'brute force on alice',
        'CRITICAL',
        's1',
        100,
      ]);
    });

    it('rejects a correlation rule with an unknown step rule or a single step', () => {
      expect(() => new RuleCatalog().register(countingLogType(), [failed, correlation])).toThrow(
        'step success names unknown rule Succeeded',
      );
      expect(() =>
        new RuleCatalog().register(countingLogType(), [
          failed,
          succeeded,
          { ...correlation, steps: correlation.steps.slice(0, 1) },
        ]),
      ).toThrow('needs at least two steps');
    });

    describe('fed by another correlation', () => {
      const admin = rule('Admin', { createAlert: false, eventTypes: ['admin'] });
      const chain = testCorrelationRule<Ev>('Chain', (event) => event.actor, {
        steps: [
          { id: 'brute force', ruleId: 'Brute', minMatchCount: 1 },
          { id: 'action', ruleId: 'Admin', minMatchCount: 1 },
        ],
      });
      const finding: CorrelationFinding = {
        ruleId: 'Brute',
        key: 'alice',
        trigger: { eventId: 's1', time: 100, detail: '1.2.3.4' },
        steps: [],
        lookbackMinutes: 10,
      };

      it('makes each finding a step of the correlation it feeds, with its key and its trigger', () => {
        const catalog = new RuleCatalog().register(countingLogType(), [failed, succeeded, correlation, admin, chain]);
        expect(catalog.findingSteps(finding)).toEqual([
          {
            eventId: 's1',
            eventType: undefined,
            eventTime: 100,
            correlation: catalog.getRule('Chain'),
            stepIndex: 0,
            key: 'alice',
            detail: '1.2.3.4',
          },
        ]);
        expect(catalog.findingSteps({ ...finding, ruleId: 'Chain' })).toEqual([]);
      });

      it('feeds no disabled correlation', () => {
        const catalog = new RuleCatalog({ Chain: { enabled: false } }).register(countingLogType(), [
          failed,
          succeeded,
          correlation,
          admin,
          chain,
        ]);
        expect(catalog.findingSteps(finding)).toEqual([]);
      });

      it('refuses a step on a correlation registered after it, or on itself', () => {
        expect(() =>
          new RuleCatalog().register(countingLogType(), [failed, succeeded, admin, chain, correlation]),
        ).toThrow(
          'rule Chain: step brute force names Brute, which is not a single-event rule, a signal or a correlation rule registered before it',
        );
        const itself = {
          ...chain,
          steps: [{ id: 'self', ruleId: 'Chain', minMatchCount: 1 }, ...chain.steps.slice(1)],
        };
        expect(() => new RuleCatalog().register(countingLogType(), [failed, succeeded, admin, itself])).toThrow(
          'step self names Chain',
        );
      });
    });
  });
});
