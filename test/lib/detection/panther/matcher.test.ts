// Match expressions beyond one condition: the combinators nested, list comprehensions, two-field
// comparisons, absolute conditions, and InlineFilters (Panther's reduced grammar).
import { describe, expect, it } from 'vitest';
import { normalizeAuditEvent } from '../../../../lib/detection/openai/normalize.ts';
import { compile, detection, file, matches } from './helpers.ts';

const is = (field: string, value: string) => `{ KeyPath: ${field}, Condition: Equals, Value: ${value} }`;

describe('the top-level list', () => {
  it('needs every expression to match, as All does', () => {
    const expressions = `- ${is('a', 'x')}\n- ${is('b', 'y')}`;
    expect(matches(expressions, { a: 'x', b: 'y' })).toBe(true);
    expect(matches(expressions, { a: 'x', b: 'z' })).toBe(false);
  });
});

describe('combinators', () => {
  const events = [
    { a: 'x', b: 'y' },
    { a: 'x', b: 'n' },
    { a: 'n', b: 'y' },
    { a: 'n', b: 'n' },
  ];
  const truth = (combinator: string) =>
    events.map((raw) => matches(`- ${combinator}:\n    - ${is('a', 'x')}\n    - ${is('b', 'y')}`, raw));

  it('All: every one', () => expect(truth('All')).toEqual([true, false, false, false]));
  it('Any: at least one', () => expect(truth('Any')).toEqual([true, true, true, false]));
  it('OnlyOne: exactly one', () => expect(truth('OnlyOne')).toEqual([false, true, true, false]));
  it('None: not one', () => expect(truth('None')).toEqual([false, false, false, true]));

  it('nest to any depth', () => {
    // a = x AND (b = y OR NOT (c = z OR d = w)) AND exactly one of (e = 1, f = 1)
    const expressions = `
- All:
    - ${is('a', 'x')}
    - Any:
        - ${is('b', 'y')}
        - None:
            - ${is('c', 'z')}
            - ${is('d', 'w')}
    - OnlyOne:
        - { Key: e, Condition: Equals, Value: 1 }
        - { Key: f, Condition: Equals, Value: 1 }`;
    expect(matches(expressions, { a: 'x', b: 'y', e: 1 })).toBe(true);
    expect(matches(expressions, { a: 'x', b: 'n', c: 'n', d: 'n', f: 1 })).toBe(true);
    expect(matches(expressions, { a: 'x', b: 'n', c: 'z', e: 1 })).toBe(false);
    expect(matches(expressions, { a: 'x', b: 'y', e: 1, f: 1 })).toBe(false);
    expect(matches(expressions, { a: 'n', b: 'y', e: 1 })).toBe(false);
  });
});

describe('list comprehensions', () => {
  const scopes = (condition: string) => `
- KeyPath: data.permissions
  Condition: ${condition}
  Expressions:
    - { KeyPath: scope, Condition: Equals, Value: all }
    - { KeyPath: level, Condition: IsGreaterThan, Value: 1 }`;
  const lists = [
    [{ scope: 'all', level: 2 }],
    [
      { scope: 'all', level: 2 },
      { scope: 'all', level: 3 },
    ],
    [
      { scope: 'all', level: 2 },
      { scope: 'read', level: 2 },
    ],
    [{ scope: 'all', level: 1 }],
    [],
    'not a list',
  ];
  const truth = (condition: string) =>
    lists.map((permissions) => matches(scopes(condition), { data: { permissions } }));

  // An element counts when it matches every expression (panther_analysis_tool's fixture).
  it('AnyElement', () => expect(truth('AnyElement')).toEqual([true, true, true, false, false, false]));
  it('AllElements (an empty list satisfies it, as Python all())', () =>
    expect(truth('AllElements')).toEqual([true, true, false, false, true, false]));
  it('NoElement', () => expect(truth('NoElement')).toEqual([false, false, false, true, true, true]));
  it('OnlyOneElement', () => expect(truth('OnlyOneElement')).toEqual([true, false, true, false, false, false]));

  it('nest, with paths relative to the element', () => {
    const expressions = `
- Key: projects
  Condition: AnyElement
  Expressions:
    - Key: members
      Condition: AnyElement
      Expressions:
        - { Key: role, Condition: Equals, Value: owner }`;
    expect(
      matches(expressions, { projects: [{ members: [{ role: 'reader' }] }, { members: [{ role: 'owner' }] }] }),
    ).toBe(true);
    expect(matches(expressions, { projects: [{ members: [{ role: 'reader' }] }] })).toBe(false);
  });
});

describe('two-field comparisons', () => {
  const compare = (condition: string) => `
- Condition: ${condition}
  Values:
    - KeyPath: actor.session.user.email
    - DeepKey: [invite.created, data, email]`;

  it('compare one field with another', () => {
    const raw = {
      type: 'invite.created',
      actor: { session: { user: { email: 'a@example.com' } } },
      'invite.created': { data: { email: 'a@example.com' } },
    };
    expect(matches(compare('Equals'), raw)).toBe(true);
    expect(matches(compare('DoesNotEqual'), raw)).toBe(false);
    expect(matches(compare('IStartsWith'), raw)).toBe(true);
  });

  it('compare numbers, and a second field of another type is no match of the positive form', () => {
    const expressions = `
- Condition: IsGreaterThan
  Values: [{ Key: new }, { Key: old }]`;
    expect(matches(expressions, { new: 3, old: 2 })).toBe(true);
    expect(matches(expressions, { new: 1, old: 2 })).toBe(false);
    expect(matches(expressions, { new: 3, old: '2' })).toBe(false);
    expect(matches(expressions, { new: 3 })).toBe(false);
    expect(matches(`- Condition: DoesNotEqual\n  Values: [{ Key: a }, { Key: b }]`, { a: 'x' })).toBe(true);
  });
});

describe('absolute conditions', () => {
  it('AlwaysTrue and AlwaysFalse', () => {
    expect(matches('- Condition: AlwaysTrue', {})).toBe(true);
    expect(matches('- Condition: AlwaysFalse', {})).toBe(false);
  });
});

describe('InlineFilters', () => {
  it('filter events before the detection', () => {
    const rule = compile(
      detection(
        `- ${is('type', 'api_key.created')}`,
        `InlineFilters:\n  - KeyPath: actor.session.ip_address\n    Condition: IsIPAddressNotInCIDR\n    Value: 10.0.0.0/8`,
      ),
    );
    const event = (ip: string) =>
      normalizeAuditEvent({ type: 'api_key.created', actor: { session: { ip_address: ip } } });
    expect(rule.match?.(event('8.8.8.8'))).toBe(true);
    expect(rule.match?.(event('10.1.1.1'))).toBe(false);
  });

  it('combine with All and Any', () => {
    const rule = compile(
      file(
        `Detection:\n  - Condition: AlwaysTrue\nInlineFilters:\n  - Any:\n      - ${is('a', 'x')}\n      - ${is('b', 'y')}`,
      ),
    );
    expect(rule.match?.(normalizeAuditEvent({ b: 'y' }))).toBe(true);
    expect(rule.match?.(normalizeAuditEvent({ b: 'n' }))).toBe(false);
  });
});

describe('event types', () => {
  it('come from a top-level type Equals or IsIn, so the engine runs the rule on those types only', () => {
    const rule = compile(
      detection(
        `- All:\n    - { Key: type, Condition: IsIn, Values: [scim.enabled, scim.disabled] }\n- ${is('type', 'scim.disabled')}`,
      ),
    );
    expect(rule.eventTypes).toEqual(['scim.disabled']);
  });

  it('are not derived from an Any, a negation or a list comprehension', () => {
    expect(compile(detection(`- Any:\n    - ${is('type', 'a.b')}\n    - ${is('x', 'y')}`)).eventTypes).toBeUndefined();
    expect(compile(detection(`- { Key: type, Condition: DoesNotEqual, Value: a.b }`)).eventTypes).toBeUndefined();
  });
});
