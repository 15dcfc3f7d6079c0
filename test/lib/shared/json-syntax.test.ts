import { describe, expect, it } from 'vitest';
import { jsonSyntaxErrorOffset, positionOf } from '../../../lib/shared/json-syntax.ts';

describe('jsonSyntaxErrorOffset', () => {
  it.each([
    '0',
    '-1.5e+3',
    '"a\\n\\u00e9"',
    'true',
    ' null ',
    '[]',
    '{}',
    '[1, [2, {"a": [null]}]]',
    '{"a": {"b": "c"}, "d": [true, false]}',
    `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  ])('accepts valid JSON %#', (text) => {
    expect(jsonSyntaxErrorOffset(text)).toBeUndefined();
  });

  it.each([
    ['', 0],
    ['{', 1],
    ['{"a" 1}', 5],
    ['{"a": ]}', 6],
    ['[1,]', 3],
    ['[1 2]', 3],
    ['{"a":1,}', 7],
    ['01', 1],
    ['"abc', 4],
    ['"\\x"', 1],
    ['"\\u12G4"', 1],
    ['tru', 0],
    ['{} x', 3],
    ['{"a":1]', 6],
    ['"a\nb"', 2],
    ['[-]', 1],
    ['{1:2}', 1],
  ])('finds the first error in %j at %i', (text, offset) => {
    expect(jsonSyntaxErrorOffset(text)).toBe(offset);
  });
});

describe('positionOf', () => {
  it('counts lines and columns from 1', () => {
    expect(positionOf('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(positionOf('a\nbc\nd', 3)).toEqual({ line: 2, column: 2 });
    expect(positionOf('a\n', 2)).toEqual({ line: 2, column: 1 });
  });
});
