import { describe, expect, it } from 'vitest';
import { parseJsonInput } from '../../../lib/shared/json-input.ts';

describe('parseJsonInput', () => {
  it('reads one JSON document, even spread over lines', () => {
    expect(parseJsonInput('{\n  "a": 1\n}\n')).toEqual({
      values: [{ line: undefined, value: { a: 1 } }],
      failures: [],
    });
    expect(parseJsonInput('\ufeff[1,2]')).toEqual({ values: [{ line: undefined, value: [1, 2] }], failures: [] });
  });

  it('reads JSON Lines, skipping blank lines and CRLF endings, with line numbers', () => {
    expect(parseJsonInput('{"a":1}\r\n\n{"b":2}\n')).toEqual({
      values: [
        { line: 1, value: { a: 1 } },
        { line: 3, value: { b: 2 } },
      ],
      failures: [],
    });
  });

  it('reports each bad line with its number and keeps the good ones', () => {
    const { values, failures } = parseJsonInput('{"a":1}\nnot json\n{"b":2}\n{"c":\n');
    expect(values.map((v) => v.line)).toEqual([1, 3]);
    expect(failures.map((f) => f.line)).toEqual([2, 4]);
    expect(failures[0]?.reason).toMatch(/^Unexpected token .* \(column 1\)$/);
    expect(failures[1]?.reason).toMatch(/\(column 6\)$/);
  });

  it('reports a broken multi-line document once, at the line of the problem', () => {
    const { values, failures } = parseJsonInput('{\n  "a": 1,\n  "b": ]\n}\n');
    expect(values).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.line).toBe(3);
    expect(failures[0]?.reason).toMatch(/\(column 8\)$/);
  });

  it('treats empty input as no values', () => {
    expect(parseJsonInput('  \n ')).toEqual({ values: [], failures: [] });
  });

  it('escapes control characters that the parser echoes back', () => {
    const { failures } = parseJsonInput('\u001b[31mx\n\u001b[0my\n{"ok":1}');
    expect(failures.map((f) => f.reason).join(' ')).not.toMatch(/\u001b/);
  });
});
