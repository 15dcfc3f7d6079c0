import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { CatalogError } from '../../../../lib/detection/engine/errors.ts';
import type { LogType } from '../../../../lib/detection/engine/log-type.ts';
import type { Rule } from '../../../../lib/detection/engine/rule.ts';
import { testRule } from '../../../support/test-rule.ts';

interface Ev {
  readonly type: string | undefined;
  readonly id: string | undefined;
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
      const r = raw as { type?: string; id?: string };
      if (r.id === 'explode') throw new Error('normaliser bug');
      return { type: r.type, id: r.id };
    },
    identify: (event: Ev) => ({ eventId: event.id, eventType: event.type, eventTime: undefined }),
  };
  return logType;
}

function rule(id: string, overrides: Partial<Rule<Ev>> = {}): Rule<Ev> {
  return testRule<Ev>(id, 'Test.Log', overrides);
}

describe('RuleCatalog', () => {
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
    expect(catalog.evaluate('Test.Log', { type: 't', id: '1' }).matches.map((m) => m.rule.id)).toEqual(['Any', 'Typed']);
    expect(catalog.evaluate('Test.Log', { type: 'u', id: '2' }).matches.map((m) => m.rule.id)).toEqual(['Any']);
    expect(catalog.evaluate('Test.Log', 42).matches.map((m) => m.rule.id)).toEqual(['Any']);
  });

  it('reports a failing rule as a rule error with the event identity, and still runs the others', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [
      rule('Broken', { match: () => { throw new Error('x'); } }),
      rule('Fine'),
    ]);
    const result = catalog.evaluate('Test.Log', { type: 't', id: 'e1' });
    expect(result.matches.map((m) => m.rule.id)).toEqual(['Fine']);
    expect(result.errors).toEqual([
      { eventId: 'e1', eventType: 't', eventTime: undefined, ruleId: 'Broken', function: 'match', message: 'Error: x' },
    ]);
  });

  it('reports auxiliary failures of a matching rule alongside the match', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [rule('R', { title: () => { throw new Error('t'); } })]);
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
    expect(() => catalog.evaluateRule('Nope', {})).toThrow(new CatalogError('no rule with id Nope'));
  });

  it('lists its rules and looks them up by id', () => {
    const catalog = new RuleCatalog().register(countingLogType(), [rule('A'), rule('B')]);
    expect(catalog.rules.map((r) => r.id)).toEqual(['A', 'B']);
    expect(catalog.getRule('B')?.id).toBe('B');
    expect(catalog.getRule('C')).toBeUndefined();
  });

  it('rejects a malformed catalog at registration', () => {
    expect(() => new RuleCatalog().register(countingLogType(), [rule('A'), rule('A')])).toThrow('rule A is registered twice');
    expect(() => new RuleCatalog().register(countingLogType(), [rule('A', { logTypes: ['Other'] })])).toThrow(
      'rule A: logTypes does not include Test.Log',
    );
    expect(() => new RuleCatalog().register(countingLogType(), [rule('A', { threshold: 0, dedupPeriodMinutes: 0 })])).toThrow(
      'rule A: threshold must be an integer >= 1; dedupPeriodMinutes must be > 0',
    );
    const logType = countingLogType();
    expect(() => new RuleCatalog().register(logType, []).register(logType, [])).toThrow(CatalogError);
    expect(() => new RuleCatalog().evaluate('Missing', {})).toThrow('no log type Missing is registered');
  });
});
