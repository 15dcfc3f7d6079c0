import { isJsonObject } from '../../shared/json.ts';
import { MISSING, type Resolved } from './field-path.ts';
import { cidrTest, ipVersion, isPrivateIp, isPublicIp } from './ip.ts';

/**
 * A scalar of the file: what `Value` and the items of `Values` may be.
 *
 * @example
 * ```ts
 * const value: Scalar = 'scim.disabled';
 * ```
 */
export type Scalar = string | number | boolean;

/**
 * What a condition compares the field with:
 * - `none`: nothing (`Exists`, `IsNull`, `IsIPAddress`...): no `Value`;
 * - `text`: a string `Value`; `number`: a number `Value`; `scalar`: a string, number or boolean `Value`;
 * - `cidr`: a string `Value` that is a CIDR;
 * - `list`: `Values`, a non-empty list of scalars of one type.
 *
 * @example
 * ```ts
 * CONDITIONS.get('IsIn')?.operand; // 'list'
 * ```
 */
export type OperandKind = 'none' | 'text' | 'number' | 'scalar' | 'cidr' | 'list';

/**
 * A test of a field's value; total: a value of another type (or missing) is simply not a match.
 *
 * @example
 * ```ts
 * const isOwner: Predicate = (value) => value === 'owner';
 * ```
 */
export type Predicate = (value: Resolved) => boolean;

/** The positive form of a condition; its `DoesNot`/`IsNot` form is its exact negation. */
interface Base {
  readonly operand: OperandKind;
  /**
   * Also compares two fields (Panther's multi-key match expressions): the second field's value is
   * the operand, and is checked at run time (a value of another type is not a match).
   */
  readonly twoFields: boolean;
  /** Binds a checked operand, once, into a test of the field's value. */
  bind(operand: unknown): Predicate;
}

/**
 * A condition of a match expression, by its Panther name.
 *
 * @example
 * ```ts
 * const def = CONDITIONS.get('IContains');
 * def?.bind('admin')('SuperAdmin'); // true
 * ```
 */
export interface ConditionDef {
  readonly name: string;
  readonly operand: OperandKind;
  readonly twoFields: boolean;
  /** Allowed in `InlineFilters`, whose condition set Panther reduces. */
  readonly inInlineFilters: boolean;
  /** A `DoesNot`/`IsNot` form: true exactly when its positive form is false. */
  readonly negated: boolean;
  /** The test, bound to its operand, negation applied. */
  bind(operand: unknown): Predicate;
}

const lower = (text: string): string => text.toLowerCase();
const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

const equals: Base = {
  operand: 'scalar',
  twoFields: true,
  bind: (operand) => (value) => value === operand,
};
const iEquals: Base = {
  operand: 'text',
  twoFields: true,
  bind: (operand) => {
    const wanted = lower(operand as string);
    return (value) => typeof value === 'string' && lower(value) === wanted;
  },
};
function text(test: (value: string, operand: string) => boolean, caseInsensitive: boolean): Base {
  return {
    operand: 'text',
    twoFields: true,
    bind: (operand) => {
      const wanted = caseInsensitive ? lower(operand as string) : (operand as string);
      return (value) => typeof value === 'string' && test(caseInsensitive ? lower(value) : value, wanted);
    },
  };
}
/**
 * Panther's `Contains` on a list field is membership (panther-analysis's simple rules test
 * `authorizationInfo[*].granted Contains true`), on a string field a substring.
 */
const contains: Base = {
  operand: 'scalar',
  twoFields: true,
  bind: (operand) => (value) => {
    if (typeof value === 'string') return typeof operand === 'string' && value.includes(operand);
    return Array.isArray(value) && value.some((element) => element === operand);
  },
};
const iContains: Base = {
  operand: 'text',
  twoFields: true,
  bind: (operand) => {
    const wanted = lower(operand as string);
    return (value) => {
      if (typeof value === 'string') return lower(value).includes(wanted);
      return Array.isArray(value) && value.some((element) => typeof element === 'string' && lower(element) === wanted);
    };
  },
};
function numeric(test: (value: number, operand: number) => boolean): Base {
  return {
    operand: 'number',
    twoFields: true,
    bind: (operand) => (value) => typeof value === 'number' && test(value, operand as number),
  };
}
const isIn: Base = {
  operand: 'list',
  twoFields: false,
  bind: (operand) => {
    const set = new Set(operand as readonly Scalar[]);
    return (value) => isScalar(value) && set.has(value);
  },
};
function check(test: Predicate): Base {
  return { operand: 'none', twoFields: false, bind: () => test };
}
const inCidr: Base = {
  operand: 'cidr',
  twoFields: false,
  bind: (operand) => {
    const test = cidrTest(operand as string);
    if (typeof test === 'string') throw new RangeError(test); // checked before binding
    return test;
  },
};

const isEmpty = (value: Resolved): boolean =>
  value === MISSING ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (isJsonObject(value) && Object.keys(value).length === 0);

/** [name, positive form, negated?, allowed in InlineFilters?] */
const TABLE: ReadonlyArray<readonly [string, Base, boolean, boolean]> = [
  ['Equals', equals, false, true],
  ['DoesNotEqual', equals, true, true],
  ['IEquals', iEquals, false, false],
  ['IDoesNotEqual', iEquals, true, false],
  ['StartsWith', text((v, o) => v.startsWith(o), false), false, true],
  ['DoesNotStartWith', text((v, o) => v.startsWith(o), false), true, false],
  ['IStartsWith', text((v, o) => v.startsWith(o), true), false, false],
  ['IDoesNotStartWith', text((v, o) => v.startsWith(o), true), true, false],
  ['EndsWith', text((v, o) => v.endsWith(o), false), false, true],
  ['DoesNotEndWith', text((v, o) => v.endsWith(o), false), true, false],
  ['IEndsWith', text((v, o) => v.endsWith(o), true), false, false],
  ['IDoesNotEndWith', text((v, o) => v.endsWith(o), true), true, false],
  ['Contains', contains, false, true],
  ['DoesNotContain', contains, true, true],
  ['IContains', iContains, false, false],
  ['IDoesNotContain', iContains, true, false],
  ['IsGreaterThan', numeric((v, o) => v > o), false, true],
  ['IsGreaterThanOrEquals', numeric((v, o) => v >= o), false, true],
  ['IsLessThan', numeric((v, o) => v < o), false, true],
  ['IsLessThanOrEquals', numeric((v, o) => v <= o), false, true],
  ['IsIn', isIn, false, true],
  ['IsNotIn', isIn, true, true],
  ['Exists', check((v) => v !== MISSING), false, false],
  ['DoesNotExist', check((v) => v !== MISSING), true, false],
  ['IsNull', check((v) => v === MISSING || v === null), false, false],
  ['IsNotNull', check((v) => v === MISSING || v === null), true, false],
  ['IsNullOrEmpty', check(isEmpty), false, true],
  ['IsNotNullOrEmpty', check(isEmpty), true, true],
  ['IsIPAddress', check((v) => ipVersion(v) !== 0), false, false],
  ['IsIPv4Address', check((v) => ipVersion(v) === 4), false, false],
  ['IsIPv6Address', check((v) => ipVersion(v) === 6), false, false],
  ['IsIPAddressPrivate', check(isPrivateIp), false, true],
  ['IsIPAddressPublic', check(isPublicIp), false, true],
  ['IsIPAddressInCIDR', inCidr, false, true],
  ['IsIPAddressNotInCIDR', inCidr, true, true],
];

/**
 * Every condition of a field match expression, by name. A negated form (`DoesNotEqual`,
 * `IsNotIn`, `IsIPAddressNotInCIDR`...) is exactly the negation of its positive form, so a field
 * that is missing, or of another type than the condition compares, makes the positive form false
 * and the negated form true.
 *
 * @example
 * ```ts
 * const startsWith = CONDITIONS.get('StartsWith');
 * startsWith?.bind('sk-')('sk-abc'); // true
 * ```
 */
export const CONDITIONS: ReadonlyMap<string, ConditionDef> = new Map(
  TABLE.map(([name, base, negated, inInlineFilters]) => [
    name,
    {
      name,
      operand: base.operand,
      twoFields: base.twoFields,
      inInlineFilters,
      negated,
      bind: (operand: unknown): Predicate => {
        const test = base.bind(operand);
        return negated ? (value) => !test(value) : test;
      },
    },
  ]),
);

/**
 * List comprehension conditions: the `Expressions` are tested on each element of a list field.
 *
 * @example
 * ```ts
 * ELEMENT_CONDITIONS.includes('AnyElement'); // true
 * ```
 */
export const ELEMENT_CONDITIONS = ['AnyElement', 'AllElements', 'NoElement', 'OnlyOneElement'] as const;

/**
 * One of {@link ELEMENT_CONDITIONS}.
 *
 * @example
 * ```ts
 * const condition: ElementCondition = 'NoElement';
 * ```
 */
export type ElementCondition = (typeof ELEMENT_CONDITIONS)[number];

/**
 * Absolute match expressions: no field, no value.
 *
 * @example
 * ```ts
 * ABSOLUTE_CONDITIONS.includes('AlwaysTrue'); // true
 * ```
 */
export const ABSOLUTE_CONDITIONS = ['AlwaysTrue', 'AlwaysFalse'] as const;

/**
 * Conditions Panther names that are refused here, with the reason: their operands are named but
 * not described in any Panther source found, and guessing would make a detection silently wrong.
 *
 * @example
 * ```ts
 * REFUSED_CONDITIONS.has('CIDRContainsIPAddresses'); // true
 * ```
 */
export const REFUSED_CONDITIONS: ReadonlyMap<string, string> = new Map([
  [
    'CIDRContainsIPAddresses',
    "is not supported (its operands are not documented in any source found); test the address field with 'IsIPAddressInCIDR'",
  ],
  [
    'CIDRDoesNotContainIPAddresses',
    "is not supported (its operands are not documented in any source found); test the address field with 'IsIPAddressNotInCIDR'",
  ],
]);

/**
 * Every condition name Panther has, for "did you mean" suggestions.
 *
 * @example
 * ```ts
 * didYouMean('StartWith', ALL_CONDITION_NAMES); // " (did you mean 'StartsWith'?)"
 * ```
 */
export const ALL_CONDITION_NAMES: readonly string[] = [
  ...CONDITIONS.keys(),
  ...ELEMENT_CONDITIONS,
  ...ABSOLUTE_CONDITIONS,
  ...REFUSED_CONDITIONS.keys(),
];

/**
 * Whether a value fits an operand kind (a run-time operand of a two-field comparison, or a
 * `Value` from the file; a CIDR is checked further by `cidrTest`).
 *
 * @example
 * ```ts
 * fitsOperand('number', 5);   // true
 * fitsOperand('text', 5);     // false
 * ```
 */
export function fitsOperand(kind: OperandKind, value: unknown): boolean {
  switch (kind) {
    case 'text':
    case 'cidr':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'scalar':
      return isScalar(value);
    case 'none':
      return value === undefined;
    case 'list':
      return Array.isArray(value) && value.length > 0 && value.every(isScalar);
  }
}

/**
 * What an operand kind is, in words, for messages.
 *
 * @example
 * ```ts
 * describeOperand('number'); // 'a number'
 * ```
 */
export function describeOperand(kind: OperandKind): string {
  switch (kind) {
    case 'text':
      return 'a string';
    case 'number':
      return 'a number';
    case 'scalar':
      return 'a string, number or boolean';
    case 'cidr':
      return 'a CIDR (such as 10.0.0.0/8 or 2001:db8::/32)';
    case 'list':
      return 'a non-empty list of strings, numbers or booleans';
    case 'none':
      return 'nothing';
  }
}
