// Every condition of a field match expression, on a matching and a non-matching value, each
// case-insensitive form, a missing field and a field of another type (a non-match of the positive
// form, never an exception: its negated form then holds).
import { describe, expect, it } from 'vitest';
import { matches } from './helpers.ts';

const ABSENT = Symbol('absent');
type Case = readonly [condition: string, operand: string, value: unknown, expected: boolean];

const CASES: readonly Case[] = [
  ['Equals', 'Value: admin', 'admin', true],
  ['Equals', 'Value: admin', 'Admin', false],
  ['Equals', 'Value: admin', ABSENT, false],
  ['Equals', 'Value: 5', 5, true],
  ['Equals', 'Value: 5', '5', false],
  ['Equals', 'Value: true', true, true],
  ['Equals', 'Value: true', 'true', false],
  ['DoesNotEqual', 'Value: admin', 'admin', false],
  ['DoesNotEqual', 'Value: admin', 'reader', true],
  ['DoesNotEqual', 'Value: admin', ABSENT, true],
  ['IEquals', 'Value: Admin', 'aDMIN', true],
  ['IEquals', 'Value: Admin', 'reader', false],
  ['IEquals', 'Value: Admin', 5, false],
  ['IDoesNotEqual', 'Value: Admin', 'ADMIN', false],
  ['IDoesNotEqual', 'Value: Admin', 'reader', true],
  ['StartsWith', 'Value: sk-', 'sk-abc', true],
  ['StartsWith', 'Value: sk-', 'SK-abc', false],
  ['StartsWith', 'Value: sk-', 5, false],
  ['DoesNotStartWith', 'Value: sk-', 'sk-abc', false],
  ['DoesNotStartWith', 'Value: sk-', 'pk-abc', true],
  ['DoesNotStartWith', 'Value: sk-', ABSENT, true],
  ['IStartsWith', 'Value: SK-', 'sk-abc', true],
  ['IStartsWith', 'Value: SK-', 'pk-abc', false],
  ['IDoesNotStartWith', 'Value: SK-', 'Sk-abc', false],
  ['IDoesNotStartWith', 'Value: SK-', 'pk-abc', true],
  ['EndsWith', 'Value: "@example.com"', 'a@example.com', true],
  ['EndsWith', 'Value: "@example.com"', 'a@EXAMPLE.com', false],
  ['DoesNotEndWith', 'Value: "@example.com"', 'a@example.com', false],
  ['DoesNotEndWith', 'Value: "@example.com"', 'a@evil.test', true],
  ['IEndsWith', 'Value: "@Example.COM"', 'a@example.com', true],
  ['IEndsWith', 'Value: "@Example.COM"', 'a@evil.test', false],
  ['IDoesNotEndWith', 'Value: "@Example.COM"', 'a@EXAMPLE.com', false],
  ['IDoesNotEndWith', 'Value: "@Example.COM"', 'a@evil.test', true],
  ['Contains', 'Value: admin', 'superadmin', true],
  ['Contains', 'Value: admin', 'ADMIN', false],
  // On a list, Contains is membership (panther-analysis: `authorizationInfo[*].granted Contains true`).
  ['Contains', 'Value: admin', ['reader', 'admin'], true],
  ['Contains', 'Value: admin', ['superadmin'], false],
  ['Contains', 'Value: true', [false, true], true],
  ['Contains', 'Value: true', 'true', false],
  ['Contains', 'Value: admin', 5, false],
  ['DoesNotContain', 'Value: admin', 'superadmin', false],
  ['DoesNotContain', 'Value: admin', ['reader'], true],
  ['DoesNotContain', 'Value: admin', ABSENT, true],
  ['IContains', 'Value: ADMIN', 'superAdmin', true],
  ['IContains', 'Value: ADMIN', ['Admin'], true],
  ['IContains', 'Value: ADMIN', ['reader'], false],
  ['IDoesNotContain', 'Value: ADMIN', 'SuperAdmin', false],
  ['IDoesNotContain', 'Value: ADMIN', 'reader', true],
  ['IsGreaterThan', 'Value: 5', 6, true],
  ['IsGreaterThan', 'Value: 5', 5, false],
  ['IsGreaterThan', 'Value: 5', '6', false],
  ['IsGreaterThanOrEquals', 'Value: 5', 5, true],
  ['IsGreaterThanOrEquals', 'Value: 5', 4.5, false],
  ['IsLessThan', 'Value: 5', 4, true],
  ['IsLessThan', 'Value: 5', 5, false],
  ['IsLessThanOrEquals', 'Value: 5', 5, true],
  ['IsLessThanOrEquals', 'Value: 5', 6, false],
  ['IsIn', 'Values: [owner, admin]', 'owner', true],
  ['IsIn', 'Values: [owner, admin]', 'reader', false],
  ['IsIn', 'Values: [owner, admin]', ['owner'], false],
  ['IsIn', 'Values: [1, 2]', 2, true],
  ['IsIn', 'Values: [1, 2]', '2', false],
  ['IsNotIn', 'Values: [owner, admin]', 'owner', false],
  ['IsNotIn', 'Values: [owner, admin]', 'reader', true],
  ['IsNotIn', 'Values: [owner, admin]', ABSENT, true],
  ['Exists', '', 'x', true],
  ['Exists', '', null, true],
  ['Exists', '', ABSENT, false],
  ['DoesNotExist', '', ABSENT, true],
  ['DoesNotExist', '', null, false],
  ['IsNull', '', null, true],
  ['IsNull', '', ABSENT, true],
  ['IsNull', '', '', false],
  ['IsNotNull', '', 'x', true],
  ['IsNotNull', '', null, false],
  ['IsNullOrEmpty', '', '', true],
  ['IsNullOrEmpty', '', [], true],
  ['IsNullOrEmpty', '', {}, true],
  ['IsNullOrEmpty', '', ABSENT, true],
  ['IsNullOrEmpty', '', 'x', false],
  ['IsNullOrEmpty', '', 0, false],
  ['IsNotNullOrEmpty', '', 'x', true],
  ['IsNotNullOrEmpty', '', '', false],
  ['IsIPAddress', '', '203.0.113.7', true],
  ['IsIPAddress', '', '2001:db8::1', true],
  ['IsIPAddress', '', 'example.com', false],
  ['IsIPAddress', '', 5, false],
  ['IsIPv4Address', '', '10.0.0.1', true],
  ['IsIPv4Address', '', '::1', false],
  ['IsIPv6Address', '', '::1', true],
  ['IsIPv6Address', '', '10.0.0.1', false],
  ['IsIPAddressPrivate', '', '10.1.2.3', true],
  ['IsIPAddressPrivate', '', 'fd00::1', true],
  ['IsIPAddressPrivate', '', '8.8.8.8', false],
  ['IsIPAddressPrivate', '', 'x', false],
  ['IsIPAddressPublic', '', '8.8.8.8', true],
  ['IsIPAddressPublic', '', '2606:4700::1111', true],
  ['IsIPAddressPublic', '', '10.1.2.3', false],
  ['IsIPAddressPublic', '', '100.64.0.1', false],
  ['IsIPAddressPublic', '', '224.0.0.1', false],
  ['IsIPAddressPublic', '', 'x', false],
  ['IsIPAddressInCIDR', 'Value: 10.0.0.0/8', '10.1.2.3', true],
  ['IsIPAddressInCIDR', 'Value: 10.0.0.0/8', '11.0.0.1', false],
  ['IsIPAddressInCIDR', 'Value: 10.0.0.0/8', 'x', false],
  ['IsIPAddressInCIDR', 'Value: "2001:db8::/32"', '2001:db8::1', true],
  ['IsIPAddressInCIDR', 'Value: "2001:db8::/32"', '2001:db9::1', false],
  ['IsIPAddressNotInCIDR', 'Value: 10.0.0.0/8', '11.0.0.1', true],
  ['IsIPAddressNotInCIDR', 'Value: 10.0.0.0/8', '10.1.2.3', false],
];

function render(value: unknown): string {
  return value === ABSENT ? 'missing' : JSON.stringify(value);
}

describe('conditions', () => {
  it.each(CASES.map(([condition, operand, value, expected]) => [condition, operand, render(value), expected, value]))(
    '%s %s on %s: %s',
    (condition, operand, _shown, expected, value) => {
      const expression = [`- KeyPath: field`, `  Condition: ${condition}`, operand === '' ? '' : `  ${operand}`].join(
        '\n',
      );
      const raw = value === ABSENT ? { type: 't' } : { type: 't', field: value };
      expect(matches(expression, raw)).toBe(expected);
    },
  );

  it('covers every condition the compiler knows', async () => {
    const { CONDITIONS } = await import('../../../../lib/detection/panther/conditions.ts');
    expect(new Set(CASES.map(([condition]) => condition))).toEqual(new Set(CONDITIONS.keys()));
  });
});
