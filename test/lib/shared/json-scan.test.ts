import { describe, expect, it } from 'vitest';
import {
  isJsonText,
  skipJsonString,
  skipJsonValue,
  skipJsonWhitespace,
  type StringScan,
} from '../../../lib/shared/json-scan.ts';

describe('json-scan', () => {
  it.each([
    ['{}', true],
    [' [1, -0.5e+3, "a", true, false, null, {"b": []}] ', true],
    ['"\\u00e9\\n\\/"', true],
    ['\ufeff{}', false], // JSON.parse takes no byte order mark
    ['{"a":1,}', false],
    ['[1 2]', false],
    ['01', false],
    ['1.', false],
    ['.5', false],
    ['+1', false],
    ['1e', false],
    ['"a\tb"', false], // a raw tab inside a string
    ['"\\x41"', false],
    ['"\\u12G4"', false],
    ['tru', false],
    ['nul', false],
    ['{"a" 1}', false],
    ['[', false],
    ['', false],
    ['1 2', false],
    ['\u00a0{}', false], // no-break space is not JSON whitespace
  ])('isJsonText(%j) is %s, as JSON.parse says', (text, valid) => {
    expect(isJsonText(text)).toBe(valid);
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    expect(parses).toBe(valid);
  });

  it('skips one value from an offset, whitespace apart', () => {
    const text = ' {"a": [1, {"b": "}"}]} , 2';
    const start = skipJsonWhitespace(text, 0);
    expect(start).toBe(1);
    const end = skipJsonValue(text, start);
    expect(text.slice(start, end)).toBe('{"a": [1, {"b": "}"}]}');
    expect(skipJsonValue(text, end)).toBe(-1);
  });

  it('says whether a string had an escape', () => {
    const scan: StringScan = { escaped: true };
    expect(skipJsonString('"plain" x', 0, scan)).toBe(7);
    expect(scan.escaped).toBe(false);
    expect(skipJsonString('"a\\"b"', 0, scan)).toBe(6);
    expect(scan.escaped).toBe(true);
    expect(skipJsonString('x"a"', 0, scan)).toBe(-1);
    expect(skipJsonString('"open', 0)).toBe(-1);
  });

  it('scans deep nesting without running out of stack', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(isJsonText(deep)).toBe(true);
    expect(isJsonText(deep.slice(1))).toBe(false);
  });
});
