// The condition: and, or, not, parentheses, `1 of` / `all of` patterns and `them`, with the
// specification's precedence (not > and > or), and its errors at the condition's line.
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../../lib/detection/sigma/condition-parser.ts';
import { compileError, compileRule, matcher, sigma } from './helpers.ts';

/** Selections a, b, c, each true when the event's field of that name is 'y'. */
const SELECTIONS = ['a:\n  a: y', 'b:\n  b: y', 'c:\n  c: y'].join('\n');
const rule = (condition: string) => matcher(`${SELECTIONS}\ncondition: ${condition}`);
const event = (a: boolean, b: boolean, c: boolean) => ({
  type: 'x.y',
  a: a ? 'y' : 'n',
  b: b ? 'y' : 'n',
  c: c ? 'y' : 'n',
});
const ALL = [false, true].flatMap((a) => [false, true].flatMap((b) => [false, true].map((c) => [a, b, c] as const)));

describe('precedence', () => {
  it('and binds tighter than or', () => {
    const test = rule('a or b and c');
    for (const [a, b, c] of ALL) expect(test(event(a, b, c))).toBe(a || (b && c));
  });

  it('not binds tighter than and', () => {
    const test = rule('not a and b or c');
    for (const [a, b, c] of ALL) expect(test(event(a, b, c))).toBe((!a && b) || c);
  });

  it('parentheses group first', () => {
    const test = rule('(a or b) and not (b and c)');
    for (const [a, b, c] of ALL) expect(test(event(a, b, c))).toBe((a || b) && !(b && c));
  });

  it('not applies to an of expression', () => {
    const test = matcher(`${SELECTIONS}\ncondition: a and not 1 of b* and not c`);
    expect(test(event(true, false, false))).toBe(true);
    expect(test(event(true, true, false))).toBe(false);
  });

  it('parses into the expected tree', () => {
    expect(parseCondition('a or not b and c')).toEqual({
      kind: 'or',
      operands: [
        { kind: 'selection', name: 'a' },
        {
          kind: 'and',
          operands: [
            { kind: 'not', operand: { kind: 'selection', name: 'b' } },
            { kind: 'selection', name: 'c' },
          ],
        },
      ],
    });
  });
});

describe('of', () => {
  const selections = ['selection_one:\n  a: y', 'selection_two:\n  b: y', 'filter:\n  c: y', '_helper:\n  c: y'].join(
    '\n',
  );

  it('1 of (and any of) a pattern is an OR of the matching selections', () => {
    for (const quantifier of ['1', 'any']) {
      const test = matcher(`${selections}\ncondition: ${quantifier} of selection_* and not filter and not _helper`);
      expect(test(event(true, false, false))).toBe(true);
      expect(test(event(false, true, false))).toBe(true);
      expect(test(event(false, false, false))).toBe(false);
    }
  });

  it('all of a pattern is an AND', () => {
    const test = matcher(`${selections}\ncondition: all of selection_* and not filter and not _helper`);
    expect(test(event(true, true, false))).toBe(true);
    expect(test(event(true, false, false))).toBe(false);
  });

  it('them is every selection not starting with _', () => {
    const test = matcher(`${selections}\ncondition: all of them or _helper`);
    expect(test(event(true, true, true))).toBe(true);
    // _helper alone (c) is true through the explicit name, not through them.
    expect(test(event(false, false, true))).toBe(true);
    const one = matcher(`${['a:\n  a: y', '_b:\n  b: y'].join('\n')}\ncondition: 1 of them or (_b and a)`);
    expect(one(event(false, true, false))).toBe(false);
  });

  it('a pattern starting with _ reaches the _ selections', () => {
    const test = matcher(`${selections}\ncondition: 1 of _h* or 1 of them`);
    expect(test(event(false, false, true))).toBe(true);
  });
});

describe('condition errors, at the condition line', () => {
  const at = (condition: string) => compileError(sigma(`${SELECTIONS}\ncondition: ${condition}`));

  it('names an unknown selection, with a suggestion', () => {
    expect(at('a and zzz')).toBe("rules/x.yml:14: detection.condition: unknown selection 'zzz'");
    expect(compileError(sigma(`selection:\n  a: y\ncondition: selectoin`))).toBe(
      "rules/x.yml:10: detection.condition: unknown selection 'selectoin' (did you mean 'selection'?)",
    );
  });

  it('says operators are lower case', () => {
    expect(at('a AND b and c')).toMatch(/got 'AND' \(operators are lower case\) at character 3/);
    expect(at('a and b and c and NOT')).toMatch(/unknown selection 'NOT' \(operators are lower case\)/);
  });

  it('refuses a pattern naming no selection, and a pattern without a quantifier', () => {
    expect(at('a and b and c and 1 of filter_*')).toMatch(/'filter_\*' names no selection/);
    expect(at('a and b*')).toMatch(/a pattern \('b\*'\) needs '1 of' or 'all of'/);
  });

  it('refuses N of other than 1', () => {
    expect(at('2 of them')).toMatch(/'2 of' is not in the specification/);
  });

  it('refuses aggregations and near by name', () => {
    expect(at('a and b and c | count() > 5')).toMatch(
      /'\|' at character 15: aggregations .* deprecated .* correlation rule/,
    );
    expect(at('a and b and c near a')).toMatch(/expected 'and', 'or' or the end, got 'near'/);
    expect(at('near a')).toMatch(/'near' is a deprecated aggregation/);
  });

  it('reports syntax errors with their position', () => {
    expect(at('a and')).toMatch(/expected a selection, a quantifier or \( at the end/);
    expect(at('(a or b and c')).toMatch(/expected '\)' closing the '\(' at character 1 at the end/);
    expect(at('a or b) and c')).toMatch(/expected 'and', 'or' or the end, got '\)' at character 7/);
    expect(at('a & b')).toMatch(/unexpected '&' at character 3/);
    expect(at("''")).toMatch(/empty condition/);
  });

  it('refuses a list of conditions (deprecated)', () => {
    expect(compileError(sigma(`${SELECTIONS}\ncondition:\n  - a\n  - b and c`))).toMatch(
      /^rules\/x\.yml:15: detection\.condition: a list of conditions is deprecated/,
    );
  });

  it('refuses a missing condition, and a selection the condition does not use', () => {
    expect(compileError(sigma('a:\n  a: y'))).toMatch(/^rules\/x\.yml:8: detection\.condition: missing/);
    expect(at('a and b')).toBe("rules/x.yml:12: detection.c: selection 'c' is not used by the condition");
  });

  it('refuses timeframe, and selection names the condition cannot name', () => {
    expect(compileError(sigma(`${SELECTIONS}\ntimeframe: 5m\ncondition: a and b and c`))).toMatch(
      /'timeframe' belongs to the deprecated aggregations/,
    );
    expect(compileError(sigma(`'sel ection':\n  a: y\ncondition: a`))).toMatch(/a selection name is letters, digits/);
    expect(compileError(sigma(`not:\n  a: y\ncondition: a`))).toMatch(/a selection name is letters/);
  });
});

describe('event types', () => {
  const typesOf = (detection: string) => compileRule(sigma(detection)).eventTypes;

  it('come from a type selection that the condition requires', () => {
    expect(typesOf('sel:\n  type: [scim.disabled, scim.enabled]\nother:\n  a: y\ncondition: sel and other')).toEqual([
      'scim.disabled',
      'scim.enabled',
    ]);
    expect(typesOf('a:\n  type: scim.disabled\nb:\n  type: login.failed\ncondition: a or b')).toEqual([
      'login.failed',
      'scim.disabled',
    ]);
    expect(typesOf('a:\n  type: scim.disabled\nb:\n  type: [scim.disabled, login.failed]\ncondition: a and b')).toEqual(
      ['scim.disabled'],
    );
  });

  it('are left to the matcher when the condition does not fix them', () => {
    expect(typesOf('a:\n  type: scim.disabled\nb:\n  x: y\ncondition: a or b')).toBeUndefined();
    expect(typesOf('a:\n  type: scim.disabled\ncondition: not a')).toBeUndefined();
    expect(typesOf('a:\n  type: scim.*\ncondition: a')).toBeUndefined();
    expect(typesOf('a:\n  type|contains: scim\ncondition: a')).toBeUndefined();
    expect(typesOf('a:\n  type: scim.disabled\nb:\n  type: login.failed\ncondition: a and b')).toBeUndefined();
  });
});
